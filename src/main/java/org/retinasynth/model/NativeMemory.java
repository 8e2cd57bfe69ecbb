package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Native memory as this package uses it: Java arrays copied into tensors that libtorch owns, and
 * glibc's own count of what malloc has handed out.
 *
 * <p><b>Why inputs are staged.</b> DJL's PyTorch engine turns a {@code float[]} into a CPU tensor by
 * copying it into a fresh direct {@code ByteBuffer} and wrapping that buffer ({@code from_blob}); the
 * buffer's memory goes back to malloc only when the Java garbage collector gets round to it. With a
 * small heap that is rare, so a training run held hundreds of MiB of dead input buffers (up to
 * {@code -XX:MaxDirectMemorySize}, by default the heap size) and resident memory rose and fell with
 * the GC. {@link Staging} copies through one reused direct buffer and clones, so every tensor's
 * memory is libtorch's and is freed when its {@code NDManager} closes. DJL wraps the constant of
 * {@code x.mul(0.5f)} the same way, and autograd can outlive that buffer; {@link Scalar} covers it.
 *
 * <p><b>What was tried and dropped.</b> Turning malloc's mmap off ({@code mallopt(M_MMAP_MAX, 0)},
 * 1 GiB trim threshold) made the default 64x64 training step 10-20% faster on the 2-core VM (fewer
 * fresh pages per step), but three of the four leak-check runs made with it (bench/train.sh, 1,000
 * to 3,000 steps) then died inside glibc ({@code malloc assertion failure in _int_malloc:
 * chunk_main_arena (fwd)}, SIGSEGV). The heap corruption was later traced to {@code NDArray.copyTo}
 * (see {@link TorchRuntime#copyInto}), which crashed with glibc's defaults too; the setting has not
 * been measured again since that fix, so glibc keeps its defaults.
 */
final class NativeMemory {

    private NativeMemory() {}

    /** Copies into libtorch-owned tensors; one per model (not thread-safe, like the model). */
    static final class Staging {

        private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

        /** A tensor on {@code manager} holding a copy of {@code data}, owning its memory. */
        NDArray floats(NDManager manager, float[] data, Shape shape) {
            return floats(manager, data, 0, data.length, shape);
        }

        /** As {@link #floats(NDManager, float[], Shape)} for {@code data[from, from + length)}. */
        NDArray floats(NDManager manager, float[] data, int from, int length, Shape shape) {
            int bytes = Math.multiplyExact(length, Float.BYTES);
            if (buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            }
            ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
            b.clear().limit(bytes);
            b.asFloatBuffer().put(data, from, length);
            if (manager.getDevice().isGpu()) {
                return manager.create(b, shape, DataType.FLOAT32); // copied to the device
            }
            try (NDArray alias = manager.create(b, shape, DataType.FLOAT32)) {
                return alias.duplicate();
            }
        }
    }

    /** The part of glibc this class calls. */
    interface C extends Library {
        String gnu_get_libc_version();

        Mallinfo2 mallinfo2();
    }

    /** glibc 2.33+ {@code struct mallinfo2}: ten {@code size_t} fields, summed over all arenas. */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost"})
    public static class Mallinfo2 extends Structure implements Structure.ByValue {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;
    }

    private static final C LIBC = loadGlibc();

    /**
     * malloc's own count over all arenas plus mapped chunks: {@code inUse} is what has been handed out
     * and not freed (what a native leak makes grow); {@code held} is what malloc holds from the
     * kernel, freed blocks kept for reuse included (what resident memory follows). Null outside
     * glibc.
     */
    static TorchRuntime.MallocStats stats() {
        if (LIBC == null) {
            return null;
        }
        Mallinfo2 m = LIBC.mallinfo2();
        return new TorchRuntime.MallocStats(m.uordblks + m.hblkhd, m.arena + m.hblkhd);
    }

    private static C loadGlibc() {
        try {
            C c = Native.load("c", C.class);
            c.gnu_get_libc_version();
            c.mallinfo2();
            return c;
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }
}
