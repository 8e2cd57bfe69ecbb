package org.retinasynth.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.optimizer.AdamW;
import ai.djl.training.optimizer.Optimizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;


/**
 * Plain-Java façade over the downstream grade classifier ({@link ClassifierBlock}: a small ResNet).
 * Images cross this API as {@code float[]} in NCHW order with values in [0,1] (normalised inside, see
 * {@link ClassifierBlock}); labels as {@code int[]} grades in {@code [0, classes)}.
 *
 * <p>Built like {@link VaeModel}: one AdamW step per {@link #trainStep}, each call in its own
 * {@code NDManager} sub-manager, CPU micro-batches (ghost BatchNorm) under the same activation
 * budget, BatchNorm batch statistics only inside a training step, training steps serialised
 * JVM-wide on {@link TorchRuntime#TRAIN_LOCK}, methods of one model serialised.
 *
 * <p><b>Reproducibility.</b> The seed fixes the initial weights (He-normal convolutions) and the
 * dropout masks, which come from a per-model {@link SplittableRandom} rather than libtorch's global
 * generator. Same seed, same device, same thread count give the same losses.
 */
public final class ClassifierModel implements AutoCloseable {

    static final String FORMAT = "retinasynth-classifier";
    static final int FORMAT_VERSION = 1;
    private static final double DEFAULT_LEARNING_RATE = 1e-3;
    /** Images per inference piece on a GPU, so that scoring a whole set cannot exhaust its memory. */
    private static final int GPU_INFERENCE_CHUNK = 512;

    private final ClassifierConfig config;
    private final Engine engine;
    private final Device device;
    private final NDManager manager;
    private final ClassifierBlock block;
    private final ParameterStore parameterStore;
    private final TrainableParameters parameters;
    private final Optimizer optimizer;
    private final NativeMemory.Staging staging = new NativeMemory.Staging();
    private final SplittableRandom noise;
    private final long seed;
    private final Map<String, Object> provenance;
    private volatile double learningRate = DEFAULT_LEARNING_RATE;
    private long steps;
    private boolean closed;
    private long cpuChunkBytes = VaeModel.CPU_CHUNK_BYTES;

    private ClassifierModel(ClassifierConfig config, long seed, Engine engine, Device device, NDManager manager,
            ClassifierBlock block, Map<String, Object> provenance) {
        this.config = config;
        this.engine = engine;
        this.device = device;
        this.manager = manager;
        this.block = block;
        this.seed = seed;
        this.provenance = provenance;
        this.parameterStore = new ParameterStore(manager, false);
        this.parameters = new TrainableParameters(block);
        this.optimizer = AdamW.builder()
                .optLearningRateTracker((id, n) -> (float) learningRate)
                .optWeightDecays((float) config.weightDecay())
                .build();
        this.noise = new SplittableRandom(seed);
    }

    /**
     * Builds a freshly initialised classifier.
     *
     * @param device {@code cpu}, {@code cuda}, {@code cuda:N}, or null for the default device
     */
    public static ClassifierModel create(ClassifierConfig config, long seed, String device) {
        ClassifierBlock block = new ClassifierBlock(config);
        Engine engine = TorchRuntime.engine();
        Device dev = TorchRuntime.resolveDevice(device);
        NDManager manager = engine.newBaseManager(dev);
        try {
            // He initialisation: Gaussian, variance 2 / fan-in, suited to ReLU
            block.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                    XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT);
            synchronized (TorchRuntime.SEED_LOCK) {
                engine.setRandomSeed((int) (seed ^ (seed >>> 32)));
                block.initialize(manager, DataType.FLOAT32, inputShape(config, 1));
            }
            return new ClassifierModel(config, seed, engine, dev, manager, block, Map.of());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Shape inputShape(ClassifierConfig c, long b) {
        return new Shape(b, c.channels(), c.imageSize(), c.imageSize());
    }

    public ClassifierConfig config() {
        return config;
    }

    /** {@code cpu} or {@code cuda:N}. */
    public String device() {
        return TorchRuntime.deviceName(device);
    }

    public long seed() {
        return seed;
    }

    /** Provenance stored with the model (empty for a model that was never loaded). */
    public Map<String, Object> provenance() {
        return provenance;
    }

    /** Length of a {@link #features} row: the pooled features, {@code 4 * width}. */
    public int featureDim() {
        return block.featureDim();
    }

    /** Trainable parameters (BatchNorm running averages excluded). */
    public long parameterCount() {
        return parameters.count();
    }

    /** Training steps taken by this instance. */
    public synchronized long steps() {
        return steps;
    }

    public double learningRate() {
        return learningRate;
    }

    /** Sets the learning rate for the following steps (for warm-up / decay schedules). */
    public void setLearningRate(double lr) {
        TrainableParameters.checkLearningRate(lr);
        this.learningRate = lr;
    }

    /** For tests: the CPU micro-batch budget in bytes. */
    synchronized void setCpuChunkBytes(long bytes) {
        this.cpuChunkBytes = Math.max(1, bytes);
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
        int chunk = chunkImages();
        double loss = 0;
        synchronized (TorchRuntime.TRAIN_LOCK) {
            try (NDManager step = manager.newSubManager()) {
                List<NDArray> averages = parameters.snapshotAverages(step);
                try (GradientCollector collector = engine.newGradientCollector()) {
                    for (int start = 0; start < batch && Double.isFinite(loss); start += chunk) {
                        int n = Math.min(chunk, batch - start);
                        try (NDManager sub = step.newSubManager()) {
                            NDArray x = staging.floats(sub, images, start * per, n * per, inputShape(config, n));
                            NDArray f = block.features(parameterStore, x, true);
                            if (mask != null) {
                                f = f.mul(staging.floats(sub, mask, start * fd, n * fd, new Shape(n, fd)));
                            }
                            NDArray logp = block.logits(parameterStore, f, true).logSoftmax(1);
                            NDArray t = staging.floats(sub, target, start * classes, n * classes,
                                    new Shape(n, classes));
                            NDArray l = logp.mul(t).sum().neg();
                            collector.backward(l);
                            loss += l.getFloat();
                        }
                    }
                } catch (RuntimeException e) {
                    parameters.undo(averages);
                    throw e;
                }
                if (!Double.isFinite(loss)) {
                    parameters.undo(averages);
                    throw new NonFiniteLossException("non-finite classifier loss at step " + (steps + 1)
                            + "; model left unchanged: lower the learning rate or check the inputs");
                }
                parameters.sanitizeGradients(step);
            }
            parameters.update(optimizer);
            steps++;
            return loss;
        }
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
        float[] result = new float[n * width];
        int chunk = device.isGpu() ? GPU_INFERENCE_CHUNK : chunkImages();
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            int s0 = start;
            float[] out = TorchRuntime.noGrad(() -> {
                try (NDManager sub = manager.newSubManager()) {
                    NDArray x = staging.floats(sub, images, s0 * per, m * per, inputShape(config, m));
                    NDArray f = block.features(parameterStore, x, false);
                    return (probabilities ? block.logits(parameterStore, f, false).softmax(1) : f).toFloatArray();
                }
            });
            System.arraycopy(out, 0, result, start * width, out.length);
        }
        return result;
    }

    /**
     * Saves the parameters (DJL block parameters, BatchNorm running averages included;
     * the optimiser's state is not saved) and the JSON description (config, versions, provenance).
     */
    public synchronized void save(Path dir, Map<String, Object> provenance) {
        ensureOpen();
        SavedModels.save(dir, block, SavedModels.description(FORMAT, FORMAT_VERSION, config, seed, steps,
                parameterCount(), engine, provenance));
    }

    /** Stored classifier description, as read by {@link #load}. */
    record Saved(int formatVersion, ClassifierConfig config, long seed, Map<String, Object> provenance) {}

    /**
     * Loads a classifier written by {@link #save}. The optimiser starts fresh.
     *
     * @param device as in {@link #create}
     */
    public static ClassifierModel load(Path dir, String device) {
        Saved saved = SavedModels.read(dir, FORMAT, FORMAT_VERSION, Saved.class);
        Engine engine = TorchRuntime.engine();
        Device dev = TorchRuntime.resolveDevice(device);
        NDManager manager = engine.newBaseManager(dev);
        ClassifierBlock block = new ClassifierBlock(saved.config());
        SavedModels.loadParameters(dir, block, manager, inputShape(saved.config(), 1));
        Map<String, Object> prov = saved.provenance() == null ? Map.of() : saved.provenance();
        return new ClassifierModel(saved.config(), saved.seed(), engine, dev, manager, block, prov);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
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
        if (device.isGpu()) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(1, cpuChunkBytes / (4L * block.largestActivationFloats()));
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

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("classifier is closed");
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
