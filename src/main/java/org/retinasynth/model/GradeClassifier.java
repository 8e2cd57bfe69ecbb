package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.SplittableRandom;

/**
 * What every grade classifier shares, whatever computes its features: the class-weighted
 * cross-entropy step with dropout on the features, class probabilities and features for scoring,
 * and the input checks. {@link org.retinasynth.learning.ClassifierTrainer} trains and a study scores
 * any of them through this type, so that a ResNet trained from scratch ({@link ClassifierModel}) and
 * a classifier on a VAE's encoder ({@link EncoderClassifier}) are trained and scored by the same code.
 *
 * <p>A subclass brings a {@link GradeClassifierBlock} (images in [0,1] to a feature row, then
 * logits) and its shape; dropout masks come from a per-model {@link SplittableRandom} seeded with the
 * model seed, not from libtorch's global generator.
 *
 * @param <C> the config record
 */
public abstract sealed class GradeClassifier<C> extends TorchModel<C> permits ClassifierModel, EncoderClassifier {

    /** Images per inference piece on a GPU, so that scoring a whole set cannot exhaust its memory. */
    private static final int GPU_INFERENCE_CHUNK = 512;

    private final SplittableRandom noise;
    private final GradeClassifierBlock classifier;

    GradeClassifier(ModelRegistry.Entry<C, ?> entry, Parts<C> parts, double weightDecay) {
        super(entry, parts, weightDecay);
        this.noise = new SplittableRandom(parts.seed());
        this.classifier = (GradeClassifierBlock) parts.block();
    }

    /** Number of grades the classifier tells apart. */
    public abstract int classes();

    /** Length of a {@link #features(float[], int)} row. */
    public int featureDim() {
        return classifier.featureDim();
    }

    /** Side of the square input in pixels. */
    abstract int imageSize();

    /** Image channels. */
    abstract int channels();

    /** Probability of zeroing each feature before the head in a training step. */
    abstract double dropout();

    /** Images per piece of work on the CPU. */
    abstract int chunkImages();

    /** (B, C, S, S) images in [0,1] -> (B, featureDim) features. */
    NDArray features(NDArray images, boolean training) {
        return classifier.features(parameterStore, images, training);
    }

    /** (B, featureDim) features -> (B, classes) logits. */
    NDArray logits(NDArray features, boolean training) {
        return classifier.logits(parameterStore, features, training);
    }

    /**
     * One optimiser step (Adam, with the config's decoupled weight decay) on the (class-weighted)
     * cross-entropy. With class weights the loss is {@code sum_i w(y_i) CE_i / sum_i w(y_i)},
     * PyTorch's weighted mean, so its scale does not depend on the weights' scale.
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
        int classes = classes();
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
            NDArray x = staging.floats(sub, images, start * per, n * per, inputShape(n));
            NDArray f = features(x, true);
            if (mask != null) {
                f = f.mul(staging.floats(sub, mask, start * fd, n * fd, new Shape(n, fd)));
            }
            NDArray logp = logits(f, true).logSoftmax(1);
            NDArray t = staging.floats(sub, target, start * classes, n * classes, new Shape(n, classes));
            NDArray l = logp.mul(t).sum().neg();
            collector.backward(l);
            return new double[] {l.getFloat()};
        }, (step, sums) -> "non-finite classifier loss at step " + step
                + "; model left unchanged: lower the learning rate or check the inputs")[0];
    }

    /** Class probabilities, eval mode: n rows of {@link #classes()} values summing to 1. */
    public synchronized float[][] predictProba(float[] images, int n) {
        return rows(inference(images, n, true), n, classes());
    }

    /** The features the head reads, eval mode: n rows of {@link #featureDim()} values. */
    public synchronized float[][] features(float[] images, int n) {
        return rows(inference(images, n, false), n, featureDim());
    }

    private float[] inference(float[] images, int n, boolean probabilities) {
        ensureOpen();
        checkImages(images, n);
        int per = imageFloats();
        int width = probabilities ? classes() : featureDim();
        int chunk = device.isGpu() ? GPU_INFERENCE_CHUNK : chunkImages();
        return inferRows(n, chunk, width, (sub, start, m) -> {
            NDArray x = staging.floats(sub, images, start * per, m * per, inputShape(m));
            NDArray f = features(x, false);
            return (probabilities ? logits(f, false).softmax(1) : f).toFloatArray();
        });
    }

    /** Inverted-dropout multipliers (0 or 1/(1-p)) per feature, or null without dropout. */
    private float[] dropoutMask(int size) {
        double p = dropout();
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

    private Shape inputShape(long n) {
        return new Shape(n, channels(), imageSize(), imageSize());
    }

    private int imageFloats() {
        return channels() * imageSize() * imageSize();
    }

    private void checkImages(float[] images, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
        long per = imageFloats();
        if (images == null || images.length != n * per) {
            throw new IllegalArgumentException("expected " + n + " images of " + channels() + "x"
                    + imageSize() + "x" + imageSize() + " = " + n * per + " floats, got "
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
            if (labels[i] < 0 || labels[i] >= classes()) {
                throw new IllegalArgumentException("label " + labels[i] + " at " + i + " is outside [0, "
                        + classes() + ")");
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
