package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Convolutional (conditional) VAE as one DJL block with four children:
 *
 * <ul>
 *   <li>{@code encoder}: n x [conv 4x4 stride 2 pad 1 (no bias) -> stage end], then flatten;
 *   <li>{@code posterior}: linear (features ++ one-hot grade) -> 2 x latent, split into mean and
 *       log-variance;
 *   <li>{@code decoderInput}: linear (z ++ one-hot grade) -> C_top x s0 x s0, LeakyReLU;
 *   <li>{@code decoder}: n x [conv 3x3 pad 1 to 4C (no bias) -> {@link PixelShuffle} -> stage end],
 *       then conv 3x3 pad 1 to the output channels (with bias; computed with the
 *       channel count rounded up to 16 and sliced, see {@link Architecture#computedOutputChannels}).
 * </ul>
 *
 * A stage ends in norm -> LeakyReLU(0.2), or with {@link VaeConfig#residual} in a pre-activation
 * {@link ResidualBlock} (see {@link #addStageEnd}); the norm is BatchNorm or {@link GroupNorm}
 * ({@link VaeConfig#norm}).
 *
 * <p>See {@link Architecture} for the channel/size plan and the padding of sizes that are not
 * {@code 4..7 x 2^n}. BatchNorm uses batch statistics when {@code training} is true (and updates its
 * running averages, momentum 0.9) and the running averages otherwise; the façade passes
 * {@code training=true} only inside a training step, so evaluation, reconstruction, encoding and
 * sampling are deterministic and independent of the batch they are computed in.
 *
 * <p>{@link #forwardInternal} takes {@code (x, eps[, onehot])} and returns
 * {@code (decoderOutput, mean, logVar)} with {@code z = mean + exp(logVar/2) * eps}; the façade calls
 * {@link #encode} and {@link #decode} directly so that it can draw K x M samples per image.
 */
final class ConvVaeBlock extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float SLOPE = 0.2f;
    /**
     * The log-variance is soft-bounded, {@code logVar = 10 tanh(raw / 10)}, i.e. sigma in
     * (0.0067, 148); ~identity near 0. A hard clip (first tried, [-30, 20]) has zero gradient
     * outside its range, so a head pushed past it early in training stayed there and the KL term
     * spiked to ~1.5e7 nats for several steps; the smooth bound removed those spikes (max KL over the
     * first 120 steps ~1.5e3-4e3 nats, same final loss, 3 seeds).
     */
    static final float LOGVAR_BOUND = 10f;
    /** Child names, shared with {@link EncoderClassifierBlock}. */
    static final String ENCODER = "encoder";
    static final String POSTERIOR = "posterior";

    private final Architecture arch;
    private final SequentialBlock encoder;
    private final Linear posterior;
    private final Linear decoderInput;
    private final SequentialBlock decoder;

    ConvVaeBlock(Architecture arch) {
        super(VERSION);
        this.arch = arch;
        encoder = addChildBlock(ENCODER, encoderStack(arch));
        posterior = addChildBlock(POSTERIOR,
                Linear.builder().setUnits(2L * arch.config.latentDim()).build());
        decoderInput = addChildBlock("decoderInput",
                Linear.builder().setUnits(arch.encoderFeatures()).build());
        SequentialBlock dec = new SequentialBlock();
        for (int j = 0; j < arch.stages; j++) {
            dec.add(Conv2d.builder()
                            .setKernelShape(new Shape(3, 3))
                            .optPadding(new Shape(1, 1))
                            .setFilters(4 * arch.decoderChannels[j])
                            .optBias(false)
                            .build())
                    .add(new PixelShuffle());
            addStageEnd(arch, dec, arch.decoderChannels[j]);
        }
        dec.add(Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .setFilters(arch.computedOutputChannels)
                .build());
        decoder = addChildBlock("decoder", dec);
    }

    private static Block norm(Architecture arch, int channels) {
        return arch.config.norm() == VaeConfig.Norm.GROUP ? new GroupNorm(channels) : BatchNorm.builder().build();
    }

    /**
     * What follows a stage's strided / sub-pixel convolution: norm and LeakyReLU, or with
     * {@link VaeConfig#residual} a pre-activation residual block (He et al. 2016, v2)
     * {@code x + conv3x3(act(norm(conv3x3(act(norm(x))))))}: depth without more resampling, and a
     * path from stage to stage that no norm touches. That path matters for GroupNorm: normalising
     * the main path per image (the first version did: stage -> norm -> act -> block) removed each
     * image's overall brightness and colour from the features, and on RetinaMNIST every
     * reconstruction came out the same orange (BatchNorm normalises over the batch and keeps it).
     */
    private static void addStageEnd(Architecture arch, SequentialBlock stages, int channels) {
        if (!arch.config.residual()) {
            stages.add(norm(arch, channels)).add(Activation.leakyReluBlock(SLOPE));
            return;
        }
        stages.add(new ResidualBlock(new SequentialBlock()
                .add(norm(arch, channels))
                .add(Activation.leakyReluBlock(SLOPE))
                .add(conv3x3(channels, false))
                .add(norm(arch, channels))
                .add(Activation.leakyReluBlock(SLOPE))
                .add(conv3x3(channels, true))));
    }

    private static Conv2d conv3x3(int filters, boolean bias) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .setFilters(filters)
                .optBias(bias)
                .build();
    }

    Architecture architecture() {
        return arch;
    }

    /**
     * The label-free convolutional stack of the encoder, ending in the flattened features; shared
     * with {@link EncoderClassifierBlock}, whose child of the same name then has the same parameter
     * names, so that a trained encoder's values can be copied across by name.
     */
    static SequentialBlock encoderStack(Architecture arch) {
        SequentialBlock enc = new SequentialBlock();
        for (int i = 0; i < arch.stages; i++) {
            enc.add(Conv2d.builder()
                            .setKernelShape(new Shape(4, 4))
                            .optStride(new Shape(2, 2))
                            .optPadding(new Shape(1, 1))
                            .setFilters(arch.encoderChannels[i])
                            .optBias(false)
                            .build());
            addStageEnd(arch, enc, arch.encoderChannels[i]);
        }
        return enc.add(Blocks.batchFlattenBlock());
    }

    /** (B, C, S, S) images in [0,1] -> (B, encoderFeatures) through {@link #encoderStack}, padded as it expects. */
    static NDArray encoderFeatures(Block encoder, Architecture arch, ParameterStore ps, NDArray x, boolean training) {
        int pad = arch.padded - arch.config.imageSize();
        if (pad > 0) {
            int before = arch.padBefore;
            int after = pad - before;
            x = x.pad(new Shape(before, after, before, after), 0);
        }
        return encoder.forward(ps, new NDList(channelsLast(x)), training).singletonOrThrow();
    }

    /** The posterior layer's mean and log-variance from encoder features (and the one-hot grade). */
    static NDList posteriorStats(Block posterior, ParameterStore ps, NDArray h, boolean training) {
        NDList stats = posterior.forward(ps, new NDList(h), training).singletonOrThrow().split(2, 1);
        return new NDList(stats.get(0), Scalar.mul(Scalar.div(stats.get(1), LOGVAR_BOUND).tanh(), LOGVAR_BOUND));
    }

    /**
     * ICNR initialisation (Aitken et al. 2017) of every convolution that feeds a {@link PixelShuffle}:
     * the four filters that become one output pixel's 2 x 2 block start equal, so a fresh decoder
     * upsamples like nearest-neighbour and starts with no checkerboard; independently drawn filters
     * start with one, which training has to unlearn. Call once, after initialisation.
     */
    void initialiseSubPixelFilters() {
        Block previous = null;
        for (Block b : decoder.getChildren().values()) {
            if (b instanceof PixelShuffle && previous instanceof Conv2d conv) {
                NDArray w = conv.getParameters().get("weight").getArray();
                long filters = w.getShape().get(0);
                // in place, in no gradient mode: trainable leaves refuse in-place writes otherwise
                TorchRuntime.noGrad(() -> {
                    try (NDManager scope = w.getManager().newSubManager()) {
                        NDArray first = w.get(new NDIndex("0:" + filters + ":4"));
                        first.attach(scope);
                        NDArray repeated = first.repeat(0, 4);
                        repeated.attach(scope);
                        TorchRuntime.copyInto(repeated, w);
                    }
                    return null;
                });
            }
            previous = b;
        }
    }



    /**
     * @param x      (B, C, S, S) images in [0,1]
     * @param onehot (B, classes) or null
     * @return (mean, logVar), each (B, latent)
     */
    NDList encode(ParameterStore ps, NDArray x, NDArray onehot, boolean training) {
        NDArray h = encoderFeatures(encoder, arch, ps, x, training);
        if (onehot != null) {
            h = h.concat(onehot, 1);
        }
        return posteriorStats(posterior, ps, h, training);
    }

    /**
     * @param z      (N, latent)
     * @param onehot (N, classes) or null
     * @return raw decoder output (N, outputChannels, S, S): logits of the mean, then (learned
     *     likelihood only) the unconstrained log-sigma channels
     */
    NDArray decode(ParameterStore ps, NDArray z, NDArray onehot, boolean training) {
        if (onehot != null) {
            z = z.concat(onehot, 1);
        }
        NDArray h = decoderInput.forward(ps, new NDList(z), training).singletonOrThrow();
        h = Activation.leakyRelu(
                h.reshape(h.getShape().get(0), arch.topChannels(), arch.bottleneck, arch.bottleneck),
                SLOPE);
        NDArray out = decoder.forward(ps, new NDList(h), training).singletonOrThrow();
        if (arch.padded != arch.config.imageSize()) {
            int a = arch.padBefore;
            int b = a + arch.config.imageSize();
            out = out.get(new NDIndex(":, :{}, {}:{}, {}:{}", arch.outputChannels, a, b, a, b));
        } else if (arch.computedOutputChannels != arch.outputChannels) {
            out = out.get(new NDIndex(":, :{}", arch.outputChannels));
        }
        return out;
    }

    /**
     * Same logical (B, C, H, W) array stored NHWC: permute, copy (the flat reshape of a permuted view
     * cannot be a view), reshape, permute back. libtorch's oneDNN convolutions then run NHWC and
     * return NHWC, and BatchNorm / LeakyReLU preserve the layout.
     */
    static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1)
                .reshape(-1)
                .reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray eps = inputs.get(1);
        NDArray onehot = inputs.size() > 2 ? inputs.get(2) : null;
        NDList stats = encode(ps, x, onehot, training);
        NDArray z = stats.get(0).add(Scalar.mul(stats.get(1), 0.5f).exp().mul(eps));
        return new NDList(decode(ps, z, onehot, training), stats.get(0), stats.get(1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        int s = arch.config.imageSize();
        int d = arch.config.latentDim();
        return new Shape[] {new Shape(b, arch.outputChannels, s, s), new Shape(b, d), new Shape(b, d)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long b = inputShapes[0].get(0);
        VaeConfig c = arch.config;
        encoder.initialize(manager, dataType, new Shape(b, c.channels(), arch.padded, arch.padded));
        posterior.initialize(manager, dataType, new Shape(b, arch.encoderFeatures() + c.numClasses()));
        decoderInput.initialize(manager, dataType, new Shape(b, c.latentDim() + c.numClasses()));
        decoder.initialize(manager, dataType,
                new Shape(b, arch.topChannels(), arch.bottleneck, arch.bottleneck));
    }
}
