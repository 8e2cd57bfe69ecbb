/**
 * The generative model: a convolutional (conditional) VAE and its denoising variant (DVAE, Im et al.,
 * AAAI 2017) built from DJL blocks on the PyTorch engine, their objectives and importance-weighted
 * log-likelihood, with BatchNorm or {@link org.retinasynth.model.VaeConfig.Norm#GROUP GroupNorm},
 * optional residual stages and an optional Fourier-magnitude reconstruction term; the downstream grade
 * classifiers behind one training and scoring surface ({@link org.retinasynth.model.GradeClassifier}):
 * a small ResNet from scratch ({@link org.retinasynth.model.ClassifierModel}) and one that starts from a
 * trained VAE's encoder, fine-tuned or frozen ({@link org.retinasynth.model.EncoderClassifier}); FLOP
 * counting and save/load of all of them.
 *
 * <p>Boundary rule: DJL types ({@code NDArray}, {@code NDManager}, {@code Block}) never leave this
 * package. Everything public speaks plain Java: {@code float[]} in NCHW order, {@code int[]} labels,
 * records. Every call into the engine runs in its own {@code NDManager} sub-manager that is closed
 * before the call returns, so native memory stays flat across training steps. Two DJL habits are
 * avoided on purpose: Java arrays enter libtorch through {@code NativeMemory}
 * (never a fresh GC-freed buffer), and values are copied into a live tensor only with
 * {@code TorchRuntime.copyInto} (never {@code NDArray.copyTo}, which re-points the tensor at memory it
 * does not own).
 *
 * <p>The engine is always loaded through {@link org.retinasynth.model.TorchRuntime}, which switches
 * DJL to offline mode (libtorch comes from the bundled {@code pytorch-native-cpu} jar; nothing is
 * downloaded) and sets the libtorch thread pools before the engine first loads.
 */
package org.retinasynth.model;
