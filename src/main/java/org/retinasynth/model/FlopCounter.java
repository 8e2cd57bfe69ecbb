package org.retinasynth.model;

import java.util.List;

/**
 * Floating-point operations of the model, counted from the layer shapes.
 *
 * <p>Convention: a multiply-add is 2 FLOPs; convolution = {@code 2 Cin k k Cout Hout Wout}, linear
 * = {@code 2 in out} (a residual block is its two 3x3 convolutions); biases, BatchNorm/GroupNorm,
 * activations, skips, pixel shuffle, padding/cropping and the loss (its FFTs too) are not counted.
 * A training step costs forward + backward ~= 3 x forward (the
 * backward pass computes gradients w.r.t. both inputs and weights, ~2 x forward; the first
 * encoder layer's input gradient is counted too although it is not needed). Per clean image a
 * denoising step runs the encoder K times (once per corrupted copy) and the decoder K x M times.
 */
public final class FlopCounter {

    /** Backward ~= 2 x forward. */
    public static final int TRAIN_MULTIPLIER = 3;

    /**
     * @param encoderForward   one encoder pass (convs + posterior linear), per image
     * @param decoderForward   one decoder pass (input linear + convs), per image
     * @param forwardPerImage  encoder + decoder once (what reconstruct() costs per image)
     * @param trainStepPerImage {@code 3 x (K x encoder + K x M x decoder)} per clean image, for the
     *                          config's K and M
     */
    public record Flops(
            long encoderForward,
            long decoderForward,
            long forwardPerImage,
            int corruptedCopies,
            int latentSamples,
            long trainStepPerImage) {

        /** Training FLOPs per clean image for other K and M (K=1 for the plain VAE). */
        public long trainStepPerImage(int k, int m) {
            return TRAIN_MULTIPLIER * ((long) k * encoderForward + (long) k * m * decoderForward);
        }

        /** Decoder only (what sample() costs per image). */
        public long samplePerImage() {
            return decoderForward;
        }
    }

    /**
     * Classifier FLOPs per image: convolutions (stem, two per residual block, strided 1x1 shortcuts)
     * and the linear head; pooling, BatchNorm and ReLU are not counted.
     *
     * @param forwardPerImage   one forward pass (what prediction and feature extraction cost)
     * @param trainStepPerImage {@code 3 x forward}
     */
    public record ClassifierFlops(long forwardPerImage, long trainStepPerImage) {}

    private FlopCounter() {}

    public static ClassifierFlops count(ClassifierConfig config) {
        long forward = sum(ClassifierBlock.layers(config.validate()));
        return new ClassifierFlops(forward, TRAIN_MULTIPLIER * forward);
    }

    /**
     * Classifier-on-encoder FLOPs per image: the encoder convolutions, the posterior layer when
     * frozen (the head reads its mean), and the head's two linear layers.
     */
    public static ClassifierFlops count(EncoderClassifierConfig config) {
        Architecture arch = new Architecture(config.validate().encoder());
        List<Architecture.Layer> layers = new java.util.ArrayList<>(arch.encoderLayers().stream()
                .filter(l -> config.frozen() || !l.name().equals("posterior")).toList());
        int in = config.frozen() ? config.encoder().latentDim() : arch.encoderFeatures();
        layers.add(new Architecture.Layer("hidden", "linear", in, config.width(), 0, 1, 1));
        layers.add(new Architecture.Layer("output", "linear", config.width(), config.classes(), 0, 1, 1));
        long forward = sum(layers);
        return new ClassifierFlops(forward, TRAIN_MULTIPLIER * forward);
    }

    public static Flops count(VaeConfig config) {
        Architecture arch = new Architecture(config);
        long enc = sum(arch.encoderLayers());
        long dec = sum(arch.decoderLayers());
        int k = config.corruptedCopies();
        int m = config.latentSamples();
        return new Flops(enc, dec, enc + dec, k, m,
                TRAIN_MULTIPLIER * ((long) k * enc + (long) k * m * dec));
    }

    /** The layer plan (for humans): one line per counted layer. */
    public static String describe(VaeConfig config) {
        return new Architecture(config).describe();
    }

    private static long sum(List<Architecture.Layer> layers) {
        long total = 0;
        for (Architecture.Layer l : layers) {
            total += l.flops();
        }
        return total;
    }
}
