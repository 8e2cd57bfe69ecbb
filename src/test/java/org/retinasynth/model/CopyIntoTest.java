package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import org.junit.jupiter.api.Test;

/** {@link TorchRuntime#copyInto} copies into the target's own memory; DJL's copyTo re-points it. */
class CopyIntoTest {

    @Test
    void copyIntoKeepsTheTargetsMemoryWhereCopyToDoesNot() {
        try (NDManager m = TorchRuntime.engine().newBaseManager(TorchRuntime.resolveDevice("cpu"))) {
            NDArray target = m.zeros(new Shape(4, 8));
            long home = address(target);
            try (NDManager sub = m.newSubManager()) {
                NDArray source = sub.arange(32f).reshape(4, 8);
                TorchRuntime.copyInto(source, target);
                assertThat(address(target)).isEqualTo(home);
            }
            // the source is gone; the values stay, in the target's own memory
            assertThat(target.toFloatArray()[31]).isEqualTo(31f);
            target.addi(1f); // an in-place write, as BatchNorm, autograd and Adam make
            assertThat(target.toFloatArray()[0]).isEqualTo(1f);

            NDArray other = m.zeros(new Shape(4, 8));
            long otherHome = address(other);
            try (NDManager sub = m.newSubManager()) {
                sub.arange(32f).reshape(4, 8).copyTo(other);
                // the hazard copyInto exists for: other now lives in memory it does not own
                assertThat(address(other)).isNotEqualTo(otherHome);
            }
        }
    }

    /** Address of the tensor's data, through DJL's zero-copy view of it. */
    private static long address(NDArray a) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(((PtNDArray) a).toByteBuffer(true)));
    }
}
