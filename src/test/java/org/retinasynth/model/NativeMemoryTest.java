package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

class NativeMemoryTest {

    @Test
    void stagedTensorsOwnTheirMemoryAndLeaveNoDirectBuffersBehind() {
        NativeMemory.Staging staging = new NativeMemory.Staging();
        float[] data = new float[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = i % 1000;
        }
        try (NDManager m = TorchRuntime.engine().newBaseManager(TorchRuntime.resolveDevice("cpu"))) {
            staging.floats(m, data, new Shape(1 << 20)); // sizes the staging buffer once
            long direct = directBytes();
            for (int round = 0; round < 50; round++) {
                try (NDManager sub = m.newSubManager()) {
                    NDArray a = staging.floats(sub, data, 10, 1000, new Shape(10, 100));
                    NDArray b = staging.floats(sub, data, new Shape(1 << 20));
                    // the second copy reused the buffer: the first tensor must not have changed
                    assertThat(a.toFloatArray()[0]).isEqualTo(10f);
                    assertThat(a.sum().getFloat()).isEqualTo(sumOf(data, 10, 1000));
                    assertThat(b.sum().getFloat()).isEqualTo(sumOf(data, 0, data.length));
                }
            }
            // plain manager.create(float[]) would have left 50 x 4 MiB of direct buffers for the GC
            assertThat(directBytes() - direct).isLessThan(1 << 20);
        }
    }

    @Test
    void mallocCountsLibtorchTensorsOnGlibc() {
        TorchRuntime.MallocStats before = TorchRuntime.mallocStats();
        assumeTrue(before != null, "not glibc");
        long during;
        try (NDManager m = TorchRuntime.engine().newBaseManager(TorchRuntime.resolveDevice("cpu"))) {
            // 256 MiB, so that a few MiB freed meanwhile by other threads (the cleaner of a dead
            // direct buffer, say) cannot hide it
            NDArray big = m.ones(new Shape(64L << 20));
            assertThat(big.sum().getFloat()).isEqualTo(64L << 20);
            during = TorchRuntime.mallocStats().inUseBytes();
        }
        TorchRuntime.MallocStats after = TorchRuntime.mallocStats();
        assertThat(during - before.inUseBytes()).isGreaterThan(240L << 20);
        assertThat(during - after.inUseBytes()).isGreaterThan(240L << 20);
        assertThat(after.heldBytes()).isGreaterThanOrEqualTo(after.inUseBytes());
    }

    private static float sumOf(float[] a, int from, int n) {
        double s = 0;
        for (int i = from; i < from + n; i++) {
            s += a[i];
        }
        return (float) s;
    }

    private static long directBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }
}
