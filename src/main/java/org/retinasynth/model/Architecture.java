package org.retinasynth.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The layer plan derived from a {@link VaeConfig}; shared by {@link ConvVaeBlock} (which builds it)
 * and {@link FlopCounter} (which counts it), so the two cannot drift apart.
 *
 * <p>Sizes that are not a power of two: with {@code n = floor(log2(S/4))} halving stages the
 * encoder ends at {@code s0 = ceil(S / 2^n)} (4..8) and works on a padded side
 * {@code P = s0 * 2^n >= S}. The input is zero-padded symmetrically to P and the decoder output is
 * cropped back to S, so the likelihood only ever sees the real S x S pixels. 28 px: n=2, s0=7,
 * P=28 (no padding); 64 px: n=4, s0=4, P=64; 30 px: n=2, s0=8, P=32.
 */
final class Architecture {

    /** One convolution or dense layer, for counting. */
    record Layer(String name, String kind, int in, int out, int kernel, int outH, int outW) {
        long flops() {
            // outH/outW of a linear layer only describe the reshape that follows it
            return kind.equals("linear")
                    ? 2L * in * out
                    : 2L * in * kernel * kernel * out * (long) outH * outW;
        }
    }

    final VaeConfig config;
    /** Number of stride-2 stages (encoder) and of x2 sub-pixel stages (decoder). */
    final int stages;
    /** Spatial side at the bottleneck. */
    final int bottleneck;
    /** Padded working side. */
    final int padded;
    /** Zero padding added before the image on each axis (the rest goes after). */
    final int padBefore;
    /** Encoder output channels per stage. */
    final int[] encoderChannels;
    /** Decoder output channels per stage, coarse to fine. */
    final int[] decoderChannels;
    /** Channels of the final decoder conv: C, or 2C with a learned per-pixel log sigma. */
    final int outputChannels;
    /**
     * Channels the final conv actually computes: {@link #outputChannels} rounded up to a multiple
     * of 16, the extra ones are sliced off unused. Added against what looked like a libtorch 2.7.1
     * CPU (oneDNN) bug: the input gradient of a stride-1 3x3 convolution with fewer than 16 output
     * channels was nondeterministic and sometimes NaN. Most likely that was the freed constant of
     * {@link Scalar} (the loss's first constant factor acts right after this conv); not measured
     * again, and kept because dropping it changes every model's initialisation. Not counted as
     * model FLOPs.
     */
    final int computedOutputChannels;

    Architecture(VaeConfig config) {
        this.config = config.validate();
        int s = config.imageSize();
        int n = 0;
        while ((double) s / (1 << (n + 1)) >= 4.0) {
            n++;
        }
        this.stages = n;
        this.bottleneck = (s + (1 << n) - 1) >> n;
        this.padded = bottleneck << n;
        this.padBefore = (padded - s) / 2;
        int cap = config.baseChannels() * 16;
        this.encoderChannels = new int[n];
        for (int i = 0; i < n; i++) {
            encoderChannels[i] = Math.min(config.baseChannels() << i, cap);
        }
        // decoder stage j (0 = first, coarsest) mirrors encoder stage n-2-j; the last one has base
        this.decoderChannels = new int[n];
        for (int j = 0; j < n; j++) {
            int mirror = n - 2 - j;
            decoderChannels[j] = mirror >= 0 ? encoderChannels[mirror] : config.baseChannels();
        }
        this.outputChannels =
                config.likelihood() == VaeConfig.Likelihood.GAUSSIAN_LEARNED
                        ? 2 * config.channels()
                        : config.channels();
        this.computedOutputChannels = (outputChannels + 15) / 16 * 16;
    }

    int topChannels() {
        return encoderChannels[stages - 1];
    }

    /** Flattened encoder features (before the one-hot grade is appended). */
    int encoderFeatures() {
        return topChannels() * bottleneck * bottleneck;
    }

    List<Layer> encoderLayers() {
        List<Layer> layers = new ArrayList<>();
        int in = config.channels();
        int side = padded;
        for (int i = 0; i < stages; i++) {
            side /= 2;
            layers.add(new Layer("enc" + i, "conv", in, encoderChannels[i], 4, side, side));
            in = encoderChannels[i];
            addResidual(layers, "enc" + i, in, side);
        }
        layers.add(new Layer("posterior", "linear", encoderFeatures() + config.numClasses(),
                2 * config.latentDim(), 0, 1, 1));
        return layers;
    }

    List<Layer> decoderLayers() {
        List<Layer> layers = new ArrayList<>();
        layers.add(new Layer("dec_in", "linear", config.latentDim() + config.numClasses(),
                encoderFeatures(), 0, bottleneck, bottleneck));
        int in = topChannels();
        int side = bottleneck;
        for (int j = 0; j < stages; j++) {
            // 3x3 conv to 4C at the current side, then pixel shuffle to C at twice the side
            layers.add(new Layer("dec" + j, "conv", in, 4 * decoderChannels[j], 3, side, side));
            in = decoderChannels[j];
            side *= 2;
            addResidual(layers, "dec" + j, in, side);
        }
        layers.add(new Layer("dec_out", "conv", in, outputChannels, 3, side, side));
        return layers;
    }

    private void addResidual(List<Layer> layers, String stage, int channels, int side) {
        if (config.residual()) {
            layers.add(new Layer(stage + ".res1", "res", channels, channels, 3, side, side));
            layers.add(new Layer(stage + ".res2", "res", channels, channels, 3, side, side));
        }
    }

    /**
     * Floats of the largest single activation per image (per decoder row): the input, every conv
     * output (a sub-pixel conv's output equals its shuffled, BatchNorm'd result) and the computed
     * final output. Sizes the CPU micro-batches.
     */
    long largestActivationFloats() {
        long max = (long) config.channels() * padded * padded;
        for (Layer l : encoderLayers()) {
            max = Math.max(max, (long) l.out() * l.outH() * l.outW());
        }
        for (Layer l : decoderLayers()) {
            int out = l.name().equals("dec_out") ? computedOutputChannels : l.out();
            max = Math.max(max, (long) out * l.outH() * l.outW());
        }
        return max;
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("input ").append(config.channels()).append('x').append(config.imageSize())
                .append('x').append(config.imageSize());
        if (padded != config.imageSize()) {
            sb.append(" (zero-padded to ").append(padded).append(')');
        }
        sb.append('\n');
        for (Layer l : encoderLayers()) {
            sb.append("  ").append(describe(l, true)).append('\n');
        }
        for (Layer l : decoderLayers()) {
            sb.append("  ").append(describe(l, false)).append('\n');
        }
        if (padded != config.imageSize()) {
            sb.append("  crop to ").append(config.imageSize()).append('\n');
        }
        return sb.toString();
    }

    /** Residual stages start their block with the norm (pre-activation), see ConvVaeBlock#addStageEnd. */
    private String stageEnd(String norm) {
        return config.residual() ? "" : " + " + norm + " + LeakyReLU(0.2)";
    }

    private String describe(Layer l, boolean encoder) {
        String norm = config.norm() == VaeConfig.Norm.GROUP ? "GN" : "BN";
        if (l.kind().equals("res")) {
            return String.format("%-9s residual: %s + LeakyReLU(0.2) + conv3x3 %d -> %d @%dx%d%s", l.name(), norm,
                    l.in(), l.out(), l.outH(), l.outW(), l.name().endsWith("1") ? "" : ", + skip");
        }
        if (l.name().equals("dec_in")) {
            return String.format("%-9s linear %d -> %d, reshape to %dx%dx%d, LeakyReLU(0.2)",
                    l.name(), l.in(), l.out(), l.out() / (l.outH() * l.outW()), l.outH(), l.outW());
        }
        if (l.kind().equals("linear")) {
            return String.format("%-9s linear %d -> %d", l.name(), l.in(), l.out());
        }
        if (encoder) {
            return String.format("%-9s conv4x4/2 %d -> %d @%dx%d%s",
                    l.name(), l.in(), l.out(), l.outH(), l.outW(), stageEnd(norm));
        }
        if (l.name().equals("dec_out")) {
            return String.format("%-9s conv3x3 %d -> %d @%dx%d (computed as %d, sliced)", l.name(),
                    l.in(), l.out(), l.outH(), l.outW(), (l.out() + 15) / 16 * 16);
        }
        return String.format("%-9s conv3x3 %d -> %d @%dx%d + pixel shuffle -> %d @%dx%d%s", l.name(), l.in(),
                l.out(), l.outH(), l.outW(), l.out() / 4, 2 * l.outH(), 2 * l.outW(), stageEnd(norm));
    }
}
