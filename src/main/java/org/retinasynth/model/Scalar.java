package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Multiplying and dividing by a constant, with the constant in libtorch's own memory; the model code
 * calls these instead of {@code NDArray.mul(Number)} and {@code div(Number)}.
 *
 * <p>DJL's PyTorch engine wraps such a constant in a fresh direct {@code ByteBuffer} without copying
 * ({@code from_blob}) and closes that tensor right after the op. Autograd keeps the constant for the
 * backward pass, so when the garbage collector frees the buffer in between, backward reads freed
 * memory. That was the "libtorch convolution backward" NaN and the unexplained drift between reruns
 * of one seed: both came whenever a collection fell inside a training step (with a thread calling
 * {@code System.gc()} every 2 ms, 24-162 of 1,000 steps had NaN gradients and no two runs agreed).
 * {@code NDManager.full} allocates inside libtorch, which keeps the value as long as the graph needs it.
 */
final class Scalar {

    private Scalar() {}

    static NDArray mul(NDArray x, float value) {
        try (NDArray c = constant(x, value)) {
            return x.mul(c);
        }
    }

    static NDArray div(NDArray x, float value) {
        try (NDArray c = constant(x, value)) {
            return x.div(c);
        }
    }

    /** A 0-d float32 tensor, as DJL makes for a {@code float}, but allocated by libtorch. */
    private static NDArray constant(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, DataType.FLOAT32);
    }
}
