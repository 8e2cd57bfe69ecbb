package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;

import java.nio.file.Path;

/**
 * A grade classifier that starts from a trained VAE's (or DVAE's) encoder
 * ({@link EncoderClassifierBlock}): {@link #fromEncoder} copies the encoder's parameters (BatchNorm
 * running averages included) and, for a frozen one, its posterior layer; the head starts fresh from
 * the seed. Trained and scored through {@link GradeClassifier} exactly like {@link ClassifierModel}.
 *
 * <p>Why the two variants read different features: the VAE is conditional, its posterior layer takes
 * the encoder features with a one-hot grade, and a classifier cannot be handed the grade. The frozen
 * head reads the posterior mean with grade 0 as the condition for every image, the convention of the
 * study's representation measures (linear probe, latent stability), so it scores the latent the
 * study already describes with a small non-linear head. The fine-tuned one drops the posterior layer
 * and reads the label-free flattened conv features: there is nothing to gain from keeping a layer
 * whose second input is a constant once the encoder is free to move.
 */
public final class EncoderClassifier extends GradeClassifier<EncoderClassifierConfig> {

    private final EncoderClassifierBlock block;

    private EncoderClassifier(Parts<EncoderClassifierConfig> parts) {
        super(ModelRegistry.ENCODER_CLASSIFIER, parts, parts.config().weightDecay());
        this.block = (EncoderClassifierBlock) parts.block();
    }

    private static final Shell<EncoderClassifierConfig, EncoderClassifier> SHELL = new Shell<>() {
        @Override
        public EncoderClassifierBlock block(EncoderClassifierConfig config) {
            return new EncoderClassifierBlock(config);
        }

        @Override
        public Shape[] inputShapes(EncoderClassifierConfig config) {
            return new Shape[] {inputShape(config)};
        }

        @Override
        public EncoderClassifier wrap(Parts<EncoderClassifierConfig> parts) {
            return new EncoderClassifier(parts);
        }
    };

    /**
     * A classifier whose encoder (and posterior layer) are randomly initialised like a fresh VAE's;
     * what {@link #fromEncoder} starts from before it copies the trained values in.
     *
     * @param device {@code cpu}, {@code cuda}, {@code cuda:N}, or null for the default device
     */
    public static EncoderClassifier create(EncoderClassifierConfig config, long seed, String device) {
        return new EncoderClassifier(initialise(config, seed, device, SHELL.block(config), new XavierInitializer(),
                inputShape(config)));
    }

    /**
     * A classifier on {@code vae}'s encoder: the head drawn from {@code seed}, every encoder parameter
     * (and, frozen, every posterior-layer parameter) a copy of the VAE's. The VAE is left as it is.
     *
     * @param config its {@code encoder} must be {@code vae.config()}
     */
    public static EncoderClassifier fromEncoder(VaeModel vae, EncoderClassifierConfig config, long seed,
                                                String device) {
        if (!config.encoder().equals(vae.config())) {
            throw new IllegalArgumentException("config.encoder must be the VAE's config " + vae.config());
        }
        EncoderClassifier model = create(config, seed, device);
        try {
            int copied = model.copyEncoderFrom(vae);
            if (copied != model.encoderParameters()) {
                throw new IllegalStateException("copied " + copied + " of " + model.encoderParameters()
                        + " encoder parameters");
            }
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Loads a classifier written by {@link #save} or {@link #saveCheckpoint}.
     *
     * @param device as in {@link #create}
     */
    public static EncoderClassifier load(Path dir, String device) {
        return open(dir, device, ModelRegistry.ENCODER_CLASSIFIER, SHELL);
    }

    private static Shape inputShape(EncoderClassifierConfig c) {
        return new Shape(1, c.encoder().channels(), c.encoder().imageSize(), c.encoder().imageSize());
    }

    /**
     * Whether a parameter (by its block path, which DJL prefixes with the child's 1-based position:
     * {@code 01encoder_...}, {@code 02posterior_...} in both blocks) belongs to what {@link #fromEncoder} copies.
     */
    static boolean fromVae(String name) {
        return FROM_VAE.matcher(name).lookingAt();
    }

    private static final java.util.regex.Pattern FROM_VAE = java.util.regex.Pattern.compile(
            "\\d+(" + ConvVaeBlock.ENCODER + "|" + ConvVaeBlock.POSTERIOR + ")_");

    private synchronized int copyEncoderFrom(VaeModel vae) {
        ensureOpen();
        var source = vae.block().getParameters();
        int[] copied = {0};
        // in place, in no gradient mode: trainable leaves refuse in-place writes otherwise
        TorchRuntime.noGrad(() -> {
            for (Pair<String, Parameter> p : block().getParameters()) {
                if (fromVae(p.getKey())) {
                    Parameter from = source.get(p.getKey());
                    NDArray into = p.getValue().getArray();
                    if (from == null || !from.getArray().getShape().equals(into.getShape())) {
                        throw new IllegalStateException("the VAE has no parameter " + p.getKey() + " of shape "
                                + into.getShape());
                    }
                    TorchRuntime.copyInto(from.getArray(), into);
                    copied[0]++;
                }
            }
            return null;
        });
        return copied[0];
    }

    private int encoderParameters() {
        return (int) block().getParameters().keys().stream().filter(EncoderClassifier::fromVae).count();
    }

    @Override
    public String describe() {
        EncoderClassifierConfig c = config;
        Architecture arch = block.architecture();
        return "classifier on a VAE encoder (" + (c.frozen() ? "frozen; head on the grade-0 posterior mean"
                : "fine-tuned; head on the flattened conv features") + "): " + arch.stages + " conv stages to "
                + arch.encoderFeatures() + " features, head " + block.headInputs() + " -> " + c.width() + " -> "
                + c.classes();
    }

    @Override
    public long flopsPerImage() {
        return FlopCounter.count(config).forwardPerImage();
    }

    @Override
    public int classes() {
        return config.classes();
    }

    @Override
    int imageSize() {
        return config.encoder().imageSize();
    }

    @Override
    int channels() {
        return config.encoder().channels();
    }

    @Override
    double dropout() {
        return config.dropout();
    }

    /** Images per piece on the CPU; the VAE's largest activation bounds the encoder's. */
    @Override
    int chunkImages() {
        return cpuRows(block.architecture().largestActivationFloats());
    }
}
