package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * <p>All scalar operands are passed as {@code float}: a {@code double} operand on a 0-dim float32
 * tensor would promote the result to float64 in libtorch.
 *
 * Monte-Carlo estimate of the (denoising) variational lower bound, per clean image, in nats.
 *
 * <p>For a batch of B clean images x_i, K encoder inputs per image (the corrupted copies
 * x~_ik ~ q(x~|x_i) for the DVAE; x_i itself, K=1, for the plain VAE) and M reparameterised samples
 * z_ikm = mu_ik + sigma_ik * eps_ikm per encoder input:
 *
 * <pre>
 *   reconstruction = -1/(B K M) sum_ikm log p(x_i | z_ikm)          (the CLEAN x_i is the target)
 *   kl             =  1/(B K)   sum_ik  KL(q(z|x~_ik) || N(0, I))   (analytic)
 *   loss           =  reconstruction + beta * kl                      (= -bound when beta = 1)
 * </pre>
 *
 * Sample layout: encoder rows are k-major ({@code k * B + i}), decoder rows m-major over those
 * ({@code m * K * B + k * B + i}), so the decoder output reshapes to (K*M, B, ...) and broadcasts
 * against the clean batch (B, ...) without copying the target.
 */
final class VaeObjective {

    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
    /** Learned log sigma = mid + half * tanh(raw): sigma in [0.01, 1]. */
    static final double LOG_SIGMA_MIN = Math.log(0.01);
    static final double LOG_SIGMA_MAX = 0.0;

    private VaeObjective() {}

    /**
     * @param out   raw decoder output (KM*B, outC, H, W)
     * @param clean (B, C, H, W)
     * @return scalar: mean over the KM*B samples of -log p(x|z), summed over pixels
     */
    static NDArray reconstruction(NDArray out, NDArray clean, VaeConfig config) {
        long samples = out.getShape().get(0);
        long b = clean.getShape().get(0);
        long km = samples / b;
        long c = clean.getShape().get(1);
        long h = clean.getShape().get(2);
        long w = clean.getShape().get(3);
        double pixels = (double) c * h * w;
        switch (config.likelihood()) {
            case GAUSSIAN_FIXED: {
                double sigma = config.fixedSigma();
                NDArray d = Activation.sigmoid(out).reshape(km, b, c, h, w).sub(clean);
                return Scalar.div(d.square().sum(), (float) (2.0 * sigma * sigma * samples))
                        .add((float) (pixels * (Math.log(sigma) + HALF_LOG_2PI)));
            }
            case GAUSSIAN_LEARNED: {
                NDList parts = out.split(new long[] {c}, 1);
                NDArray d = Activation.sigmoid(parts.get(0)).reshape(km, b, c, h, w).sub(clean);
                double mid = (LOG_SIGMA_MIN + LOG_SIGMA_MAX) / 2;
                double half = (LOG_SIGMA_MAX - LOG_SIGMA_MIN) / 2;
                NDArray logSigma =
                        Scalar.mul(parts.get(1).tanh(), (float) half).add((float) mid).reshape(km, b, c, h, w);
                return Scalar.div(Scalar.mul(d.square().mul(Scalar.mul(logSigma, -2f).exp()), 0.5f).add(logSigma)
                        .sum(), (float) samples).add((float) (pixels * HALF_LOG_2PI));
            }
            case BERNOULLI: {
                // -log p = softplus(l) - x * l, the numerically stable form of binary cross-entropy
                NDArray logits = out.reshape(km, b, c, h, w);
                return Scalar.div(Activation.softPlus(logits).sub(logits.mul(clean)).sum(), (float) samples);
            }
            default:
                throw new IllegalStateException("unknown likelihood " + config.likelihood());
        }
    }

    /**
     * log p(x|z) per decoder row, summed over pixels: the per-sample counterpart of
     * {@link #reconstruction} (its mean over rows is minus the reconstruction term), same formulas.
     *
     * @param out   raw decoder output (R*B, outC, H, W), rows r-major ({@code r * B + i})
     * @param clean (B, C, H, W)
     * @return (R, B)
     */
    static NDArray logLikelihood(NDArray out, NDArray clean, VaeConfig config) {
        long b = clean.getShape().get(0);
        long r = out.getShape().get(0) / b;
        long c = clean.getShape().get(1);
        long h = clean.getShape().get(2);
        long w = clean.getShape().get(3);
        double pixels = (double) c * h * w;
        int[] perImage = {2, 3, 4};
        switch (config.likelihood()) {
            case GAUSSIAN_FIXED: {
                double sigma = config.fixedSigma();
                NDArray d = Activation.sigmoid(out).reshape(r, b, c, h, w).sub(clean);
                return Scalar.div(d.square().sum(perImage), (float) (2.0 * sigma * sigma))
                        .add((float) (pixels * (Math.log(sigma) + HALF_LOG_2PI))).neg();
            }
            case GAUSSIAN_LEARNED: {
                NDList parts = out.split(new long[] {c}, 1);
                NDArray d = Activation.sigmoid(parts.get(0)).reshape(r, b, c, h, w).sub(clean);
                double mid = (LOG_SIGMA_MIN + LOG_SIGMA_MAX) / 2;
                double half = (LOG_SIGMA_MAX - LOG_SIGMA_MIN) / 2;
                NDArray logSigma =
                        Scalar.mul(parts.get(1).tanh(), (float) half).add((float) mid).reshape(r, b, c, h, w);
                return Scalar.mul(d.square().mul(Scalar.mul(logSigma, -2f).exp()), 0.5f).add(logSigma)
                        .sum(perImage).add((float) (pixels * HALF_LOG_2PI)).neg();
            }
            case BERNOULLI: {
                NDArray logits = out.reshape(r, b, c, h, w);
                return Activation.softPlus(logits).sub(logits.mul(clean)).sum(perImage).neg();
            }
            default:
                throw new IllegalStateException("unknown likelihood " + config.likelihood());
        }
    }

    /**
     * Fourier-magnitude distance between the decoder mean and the clean target, per sample, summed
     * over channels and frequencies (the same per-image scale as {@link #reconstruction}):
     * {@code 1/(KM B) sum |log(1 + |F(mean)|) - log(1 + |F(x)|)|} with F the orthonormal 2-D DFT of
     * each channel. A per-pixel likelihood lets a blurred mean cost little; the log magnitudes
     * give the weak high frequencies (edges, vessels, texture) a share of the loss comparable to the
     * strong low ones. Phase is not compared: the pixel term already pins down where things are.
     *
     * @param out   raw decoder output (KM*B, outC, H, W)
     * @param clean (B, C, H, W)
     */
    static NDArray frequency(NDArray out, NDArray clean) {
        long samples = out.getShape().get(0);
        long b = clean.getShape().get(0);
        long c = clean.getShape().get(1);
        long h = clean.getShape().get(2);
        long w = clean.getShape().get(3);
        NDArray mean = logMagnitude(decoderMean(out, (int) c)).reshape(samples / b, b, c, h, w);
        return Scalar.div(mean.sub(logMagnitude(clean)).abs().sum(), (float) samples);
    }

    /**
     * Feature-matching distance between the decoder mean and the clean target in the activations of
     * a fixed grade classifier (a perceptual loss whose network was trained on the project's own
     * training split, not downloaded): per sample, for each residual stage l with N_l activations
     * per image, {@code P / N_l * ||phi_l(mean) - phi_l(x)||^2}, averaged over the stages, where P
     * is the number of pixel values per image. The P / N_l factor puts every stage on the per-image
     * scale of {@link #reconstruction}, so weights of different sizes mean the same. A blurred mean
     * loses the edges and texture that the classifier's early stages respond to, which a per-pixel
     * likelihood barely charges for.
     *
     * @param out   raw decoder output (KM*B, outC, H, W)
     * @param clean (B, C, H, W)
     */
    static NDArray featureMatching(ClassifierModel network, NDArray out, NDArray clean) {
        long samples = out.getShape().get(0);
        long b = clean.getShape().get(0);
        long c = clean.getShape().get(1);
        double pixels = (double) c * clean.getShape().get(2) * clean.getShape().get(3);
        NDList generated = network.stages(decoderMean(out, (int) c));
        NDList target = network.stages(clean);
        NDArray sum = null;
        for (int l = 0; l < generated.size(); l++) {
            Shape s = target.get(l).getShape();
            long perImage = s.size() / b;
            long[] dims = new long[s.dimension() + 1];
            dims[0] = samples / b;
            for (int i = 0; i < s.dimension(); i++) {
                dims[i + 1] = s.get(i);
            }
            NDArray term = Scalar.mul(generated.get(l).reshape(new Shape(dims)).sub(target.get(l)).square().sum(),
                    (float) (pixels / perImage));
            sum = sum == null ? term : sum.add(term);
        }
        return Scalar.div(sum, (float) (samples * generated.size()));
    }

    /** {@code log(1 + |F(x)|)} over the last two axes, orthonormal scaling. */
    static NDArray logMagnitude(NDArray x) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        return Scalar.div(x.fft2(new long[] {h, w}, new long[] {2, 3}).abs(), (float) Math.sqrt((double) h * w))
                .add(1f).log();
    }

    /** Scalar: mean over rows of KL(N(mean, exp(logVar)) || N(0, I)). */
    static NDArray kl(NDArray mean, NDArray logVar) {
        long rows = mean.getShape().get(0);
        return Scalar.div(mean.square().add(logVar.exp()).sub(1f).sub(logVar).sum(), 2f * rows);
    }

    /** Decoder mean image in [0,1] from the raw decoder output. */
    static NDArray decoderMean(NDArray out, int channels) {
        NDArray logits = out.getShape().get(1) == channels
                ? out
                : out.split(new long[] {channels}, 1).get(0);
        return Activation.sigmoid(logits);
    }
}
