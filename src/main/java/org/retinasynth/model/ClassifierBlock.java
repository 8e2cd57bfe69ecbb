package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;

import java.util.List;

/**
 * Small ResNet (He et al. 2016, basic blocks) as one DJL block with two children:
 *
 * <ul>
 *   <li>{@code body}: stem conv 3x3 (no bias) -> BatchNorm -> ReLU; three stages of one residual
 *       basic block each (conv 3x3 -> BN -> ReLU -> conv 3x3 -> BN, plus the input, or a strided
 *       1x1 conv + BN where the shape changes, then ReLU) with width, 2x width (stride 2) and 4x
 *       width (stride 2) channels; global average pool -> (B, 4 width) features;
 *   <li>{@code head}: linear to the class logits.
 * </ul>
 *
 * Large inputs are reduced early so that the first stage works at 64 px or less: the stem has
 * stride 2 above 64 px, and a 3x3/2 max pool follows it above 128 px. Inputs in [0,1] are mapped to
 * [-1,1] ({@code 2x - 1}, a fixed normalisation that needs no dataset statistics; the stem's
 * BatchNorm absorbs the rest). BatchNorm uses batch statistics only when {@code training} is true,
 * as in {@link ConvVaeBlock}.
 */
final class ClassifierBlock extends GradeClassifierBlock {

    private static final byte VERSION = 1;

    private final ClassifierConfig config;
    private final SequentialBlock body;
    private final Linear head;

    ClassifierBlock(ClassifierConfig config) {
        super(VERSION, config.classes());
        this.config = config.validate();
        int w = config.width();
        SequentialBlock b = new SequentialBlock()
                .add(conv(w, 3, stemStride()))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock());
        if (pooledStem()) {
            b.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        }
        b.add(basicBlock(w, 1, false))
                .add(basicBlock(2 * w, 2, true))
                .add(basicBlock(4 * w, 2, true))
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock());
        body = addChildBlock("body", b);
        head = addChildBlock("head", Linear.builder().setUnits(config.classes()).build());
    }

    /** The pooled features, {@code 4 * width}. */
    @Override
    int featureDim() {
        return 4 * config.width();
    }

    private int stemStride() {
        return config.imageSize() > 64 ? 2 : 1;
    }

    private boolean pooledStem() {
        return config.imageSize() > 128;
    }

    /** The counted layers (convolutions and the head), for {@link FlopCounter}. */
    static List<Architecture.Layer> layers(ClassifierConfig c) {
        List<Architecture.Layer> layers = new java.util.ArrayList<>();
        int w = c.width();
        int stride = c.imageSize() > 64 ? 2 : 1;
        int side = (c.imageSize() + stride - 1) / stride;
        layers.add(new Architecture.Layer("stem", "conv", c.channels(), w, 3, side, side));
        if (c.imageSize() > 128) {
            side = (side + 1) / 2; // max pool
        }
        int in = w;
        for (int stage = 0; stage < 3; stage++) {
            int out = w << stage;
            side = stage == 0 ? side : (side + 1) / 2;
            layers.add(new Architecture.Layer("stage" + stage + "a", "conv", in, out, 3, side, side));
            layers.add(new Architecture.Layer("stage" + stage + "b", "conv", out, out, 3, side, side));
            if (stage > 0) {
                layers.add(new Architecture.Layer("stage" + stage + "s", "conv", in, out, 1, side, side));
            }
            in = out;
        }
        layers.add(new Architecture.Layer("head", "linear", in, c.classes(), 0, 1, 1));
        return layers;
    }

    /** Floats of the largest single activation per image (the input or the stem's maps). */
    long largestActivationFloats() {
        long side = config.imageSize() > 64 ? (config.imageSize() + 1) / 2 : config.imageSize();
        return Math.max((long) config.channels() * config.imageSize() * config.imageSize(),
                (long) config.width() * side * side);
    }

    private static Conv2d conv(int filters, int kernel, int stride) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .setFilters(filters)
                .optBias(false)
                .build();
    }

    private static Block basicBlock(int filters, int stride, boolean project) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(filters, 3, stride))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv(filters, 3, 1))
                .add(BatchNorm.builder().build());
        Block shortcut = project
                ? new SequentialBlock().add(conv(filters, 1, stride)).add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        return new SequentialBlock()
                .add(new ParallelBlock(
                        l -> new NDList(l.get(0).singletonOrThrow().add(l.get(1).singletonOrThrow())),
                        List.of(main, shortcut)))
                .add(Activation.reluBlock());
    }

    /** (B, C, S, S) images in [0,1] -> (B, 4 width) pooled features. */
    @Override
    NDArray features(ParameterStore ps, NDArray x, boolean training) {
        NDArray normalised = ConvVaeBlock.channelsLast(Scalar.mul(x, 2f).sub(1f));
        return body.forward(ps, new NDList(normalised), training).singletonOrThrow();
    }

    /**
     * The outputs of the three residual stages for (B, C, S, S) images in [0,1]: (B, w, S, S),
     * (B, 2w, S/2, S/2), (B, 4w, S/4, S/4) at 64 px or less. What {@link VaeObjective#featureMatching}
     * compares: spatial maps, so that where things are matters, not only which grade they suggest.
     */
    NDList stages(ParameterStore ps, NDArray x, boolean training) {
        NDList current = new NDList(ConvVaeBlock.channelsLast(Scalar.mul(x, 2f).sub(1f)));
        NDList out = new NDList();
        for (Block child : body.getChildren().values()) {
            current = child.forward(ps, current, training);
            if (child instanceof SequentialBlock) {
                out.add(current.singletonOrThrow());
            }
        }
        return out;
    }

    @Override
    NDArray logits(ParameterStore ps, NDArray features, boolean training) {
        return head.forward(ps, new NDList(features), training).singletonOrThrow();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long b = inputShapes[0].get(0);
        body.initialize(manager, dataType,
                new Shape(b, config.channels(), config.imageSize(), config.imageSize()));
        head.initialize(manager, dataType, new Shape(b, featureDim()));
    }
}
