package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * GroupNorm (Wu & He 2018) on {@code (B, C, H, W)}: each image's channels are split into groups,
 * each group normalised to zero mean and unit variance over its channels and pixels, then a
 * per-channel scale and shift. No running statistics: training, evaluation and sampling compute the
 * same function of one image, unlike BatchNorm. DJL 0.36 has no GroupNorm block (only
 * BatchNorm/LayerNorm), so it is written with reshapes; autograd differentiates it.
 */
final class GroupNorm extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float EPS = 1e-5f;

    private final int channels;
    private final int groups;
    private final Parameter gamma;
    private final Parameter beta;

    GroupNorm(int channels) {
        super(VERSION);
        this.channels = channels;
        this.groups = groups(channels);
        gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels)).build());
        beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optShape(new Shape(channels)).build());
    }

    /**
     * At most 32 groups of at least 4 channels (the largest divisor of C below both bounds): the
     * paper's 32 where the channels allow, and never single-channel groups, which would be instance
     * normalisation and discard each feature map's contrast.
     */
    static int groups(int channels) {
        int limit = Math.max(1, Math.min(32, channels / 4));
        for (int g = limit; g > 1; g--) {
            if (channels % g == 0) {
                return g;
            }
        }
        return 1;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        // Worked through NHWC, like PixelShuffle: the activations here are channels-last (see
        // ConvVaeBlock#channelsLast), the permute is then a free view, and the result is
        // channels-last again, so the next convolution stays on oneDNN's fast NHWC path (normalising
        // in NCHW order returned NCHW and made training steps ~2x slower).
        NDArray g = x.transpose(0, 2, 3, 1).reshape(b, h * w, groups, channels / groups);
        NDArray centred = g.sub(groupMean(g));
        NDArray var = groupMean(centred.square());
        NDArray normed = centred.div(var.add(EPS).sqrt()).reshape(b, h, w, channels)
                .mul(ps.getValue(gamma, x.getDevice(), training))
                .add(ps.getValue(beta, x.getDevice(), training));
        return new NDList(normed.transpose(0, 3, 1, 2));
    }

    /**
     * Mean over pixels and the channels of a group of (B, HW, G, C/G), kept as (B, 1, G, 1); in two
     * steps (equal counts, so a mean of means) because DJL's PyTorch mean takes one axis at a time.
     */
    private static NDArray groupMean(NDArray g) {
        return g.mean(new int[] {3}, true).mean(new int[] {1}, true);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
