package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.XavierInitializer;

import java.nio.file.Path;
import java.util.SplittableRandom;


/**
 * Plain-Java façade over the downstream grade classifier ({@link ClassifierBlock}: a small ResNet).
 * Images cross this API as {@code float[]} in NCHW order with values in [0,1] (normalised inside, see
 * {@link ClassifierBlock}); labels as {@code int[]} grades in {@code [0, classes)}.
 *
 * <p>Built on {@link TorchModel} like {@link VaeModel}: one AdamW step per {@link #trainStep} (Adam
 * with the config's decoupled weight decay, so a checkpoint carries its moments), each call in its
 * own {@code NDManager} sub-manager, CPU micro-batches (ghost BatchNorm) under the same activation
 * budget, BatchNorm batch statistics only inside a training step.
 *
 * <p><b>Reproducibility.</b> The seed fixes the initial weights (He-normal convolutions) and the
 * dropout masks, which come from a per-model {@link SplittableRandom} rather than libtorch's global
 * generator. Same seed, same device, same thread count give the same losses.
 */
public final class ClassifierModel extends TorchModel<ClassifierConfig> {

    /** Images per inference piece on a GPU, so that scoring a whole set cannot exhaust its memory. */
    private static final int GPU_INFERENCE_CHUNK = 512;

    private final ClassifierBlock block;
    private final SplittableRandom noise;

    private ClassifierModel(Parts<ClassifierConfig> parts) {
        super(ModelRegistry.CLASSIFIER, parts, parts.config().weightDecay());
        this.block = (ClassifierBlock) parts.block();
        this.noise = new SplittableRandom(parts.seed());
    }

    private static final Shell<ClassifierConfig, ClassifierModel> SHELL = new Shell<>() {
        @Override
        public ClassifierBlock block(ClassifierConfig config) {
            return new ClassifierBlock(config);
        }

        @Override
        public Shape[] inputShapes(ClassifierConfig config) {
            return new Shape[] {inputShape(config, 1)};
        }

        @Override
        public ClassifierModel wrap(Parts<ClassifierConfig> parts) {
            return new ClassifierModel(parts);
        }
    };

    /**
     * Builds a freshly initialised classifier.
     *
     * @param device {@code cpu}, {@code cuda}, {@code cuda:N}, or null for the default device
     */
    public static ClassifierModel create(ClassifierConfig config, long seed, String device) {
        // He initialisation: Gaussian, variance 2 / fan-in, suited to ReLU
        return new ClassifierModel(initialise(config, seed, device, SHELL.block(config),
                new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2),
                inputShape(config, 1)));
    }

    /**
     * Loads a classifier written by {@link #save} (the optimiser starts fresh) or
     * {@link #saveCheckpoint} (Adam's moments and step count are restored).
     *
     * @param device as in {@link #create}
     */
    public static ClassifierModel load(Path dir, String device) {
        return open(dir, device, ModelRegistry.CLASSIFIER, SHELL);
    }

    private static Shape inputShape(ClassifierConfig c, long b) {
        return new Shape(b, c.channels(), c.imageSize(), c.imageSize());
    }

    /** Length of a {@link #features} row: the pooled features, {@code 4 * width}. */
    public int featureDim() {
        return block.featureDim();
    }

    @Override
    public String describe() {
        return "ResNet classifier: " + config + ", " + featureDim() + " pooled features";
    }

    @Override
    public long flopsPerImage() {
        return FlopCounter.count(config).forwardPerImage();
    }

    /**
     * One AdamW step on the (class-weighted) cross-entropy. With class weights the loss is
     * {@code sum_i w(y_i) CE_i / sum_i w(y_i)}, PyTorch's weighted mean, so its scale does not depend
     * on the weights' scale.
     *
     * @param images       B x C x S x S in [0,1]
     * @param labels       B grades
     * @param classWeights one positive weight per class, or null for uniform
     * @return the mean cross-entropy of the batch in nats (before the step)
     * @throws NonFiniteLossException if the loss is not finite; the model is then unchanged
     */
    public synchronized double trainStep(float[] images, int[] labels, float[] classWeights, int batch) {
        ensureOpen();
        checkImages(images, batch);
        checkLabels(labels, batch);
        int classes = config.classes();
        if (classWeights != null && classWeights.length != classes) {
            throw new IllegalArgumentException("expected " + classes + " class weights, got " + classWeights.length);
        }
        double total = 0;
        float[] weight = new float[batch];
        for (int i = 0; i < batch; i++) {
            weight[i] = classWeights == null ? 1f : classWeights[labels[i]];
            if (!(weight[i] >= 0) || !Float.isFinite(weight[i])) {
                throw new IllegalArgumentException("class weight " + weight[i] + " of grade " + labels[i]
                        + " must be a finite number >= 0");
            }
            total += weight[i];
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("the class weights of this batch sum to 0");
        }
        // per-row loss weights as one-hot targets scaled by w_i / sum w: the chunks' sums add up to the mean
        float[] target = new float[batch * classes];
        for (int i = 0; i < batch; i++) {
            target[i * classes + labels[i]] = (float) (weight[i] / total);
        }
        int fd = featureDim();
        float[] mask = dropoutMask(batch * fd);
        int per = imageFloats();
        return trainInPieces(batch, chunkImages(), 1, (sub, collector, start, n) -> {
            NDArray x = staging.floats(sub, images, start * per, n * per, inputShape(config, n));
            NDArray f = block.features(parameterStore, x, true);
            if (mask != null) {
                f = f.mul(staging.floats(sub, mask, start * fd, n * fd, new Shape(n, fd)));
            }
            NDArray logp = block.logits(parameterStore, f, true).logSoftmax(1);
            NDArray t = staging.floats(sub, target, start * classes, n * classes, new Shape(n, classes));
            NDArray l = logp.mul(t).sum().neg();
            collector.backward(l);
            return new double[] {l.getFloat()};
        }, (step, sums) -> "non-finite classifier loss at step " + step
                + "; model left unchanged: lower the learning rate or check the inputs")[0];
    }

    /** Class probabilities, eval mode: n rows of {@code classes} values summing to 1. */
    public synchronized float[][] predictProba(float[] images, int n) {
        return rows(inference(images, n, true), n, config.classes());
    }

    /** Pooled penultimate features, eval mode: n rows of {@link #featureDim()} values. */
    public synchronized float[][] features(float[] images, int n) {
        return rows(inference(images, n, false), n, featureDim());
    }

    private float[] inference(float[] images, int n, boolean probabilities) {
        ensureOpen();
        checkImages(images, n);
        int per = imageFloats();
        int width = probabilities ? config.classes() : featureDim();
        int chunk = device.isGpu() ? GPU_INFERENCE_CHUNK : chunkImages();
        return inferRows(n, chunk, width, (sub, start, m) -> {
            NDArray x = staging.floats(sub, images, start * per, m * per, inputShape(config, m));
            NDArray f = block.features(parameterStore, x, false);
            return (probabilities ? block.logits(parameterStore, f, false).softmax(1) : f).toFloatArray();
        });
    }

    // ---------------------------------------------------------------- internals

    /** Inverted-dropout multipliers (0 or 1/(1-p)) per pooled feature, or null without dropout. */
    private float[] dropoutMask(int size) {
        double p = config.dropout();
        if (p == 0) {
            return null;
        }
        float keep = (float) (1 / (1 - p));
        float[] mask = new float[size];
        for (int i = 0; i < size; i++) {
            mask[i] = noise.nextDouble() < p ? 0f : keep;
        }
        return mask;
    }

    /** Images per piece of work: all on a GPU; on the CPU as many as keep activations under budget. */
    int chunkImages() {
        return cpuRows(block.largestActivationFloats());
    }

    private int imageFloats() {
        return config.channels() * config.imageSize() * config.imageSize();
    }

    private void checkImages(float[] images, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
        long per = imageFloats();
        if (images == null || images.length != n * per) {
            throw new IllegalArgumentException("expected " + n + " images of " + config.channels() + "x"
                    + config.imageSize() + "x" + config.imageSize() + " = " + n * per + " floats, got "
                    + (images == null ? "null" : images.length));
        }
        for (int i = 0; i < images.length; i++) {
            if (!Float.isFinite(images[i])) {
                throw new IllegalArgumentException("images: value " + images[i] + " at index " + i
                        + " is not finite");
            }
        }
    }

    private void checkLabels(int[] labels, int n) {
        if (labels == null || labels.length != n) {
            throw new IllegalArgumentException("expected " + n + " labels, got "
                    + (labels == null ? "null" : labels.length));
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= config.classes()) {
                throw new IllegalArgumentException("label " + labels[i] + " at " + i + " is outside [0, "
                        + config.classes() + ")");
            }
        }
    }

    private static float[][] rows(float[] flat, int n, int width) {
        float[][] out = new float[n][width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * width, out[i], 0, width);
        }
        return out;
    }

}
