package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.XavierInitializer;

import java.nio.file.Path;
import java.util.SplittableRandom;


/**
 * Plain-Java façade over the downstream grade classifier ({@link ClassifierBlock}: a small ResNet).
 * Images cross this API as {@code float[]} in NCHW order with values in [0,1] (normalised inside, see
 * {@link ClassifierBlock}); labels as {@code int[]} grades in {@code [0, classes)}.
 *
 * <p>Built on {@link TorchModel} like {@link VaeModel}, trained and scored through {@link GradeClassifier}:
 * one AdamW step per {@link #trainStep} (Adam
 * with the config's decoupled weight decay, so a checkpoint carries its moments), each call in its
 * own {@code NDManager} sub-manager, CPU micro-batches (ghost BatchNorm) under the same activation
 * budget, BatchNorm batch statistics only inside a training step.
 *
 * <p><b>Reproducibility.</b> The seed fixes the initial weights (He-normal convolutions) and the
 * dropout masks, which come from a per-model {@link SplittableRandom} rather than libtorch's global
 * generator. Same seed, same device, same thread count give the same losses.
 */
public final class ClassifierModel extends GradeClassifier<ClassifierConfig> {

    private final ClassifierBlock block;

    private ClassifierModel(Parts<ClassifierConfig> parts) {
        super(ModelRegistry.CLASSIFIER, parts, parts.config().weightDecay());
        this.block = (ClassifierBlock) parts.block();
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

    @Override
    public String describe() {
        return "ResNet classifier: " + config + ", " + featureDim() + " pooled features";
    }

    @Override
    public long flopsPerImage() {
        return FlopCounter.count(config).forwardPerImage();
    }

    /** Images per piece of work: all on a GPU; on the CPU as many as keep activations under budget. */
    @Override
    int chunkImages() {
        return cpuRows(block.largestActivationFloats());
    }

    @Override
    public int classes() {
        return config.classes();
    }

    @Override
    int imageSize() {
        return config.imageSize();
    }

    @Override
    int channels() {
        return config.channels();
    }

    @Override
    double dropout() {
        return config.dropout();
    }

    /** The residual stages' activations in evaluation mode (see {@link ClassifierBlock#stages}). */
    NDList stages(NDArray images) {
        return block.stages(parameterStore, images, false);
    }

    /** Stops gradients at this network's weights, for a network used only as a fixed feature map. */
    void freeze() {
        block.freezeParameters(true);
    }
}
