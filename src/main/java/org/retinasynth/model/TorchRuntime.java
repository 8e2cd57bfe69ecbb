package org.retinasynth.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Loads the DJL PyTorch engine exactly once, offline, with thread pools sized to this machine.
 *
 * <p>Before the engine is first touched this sets the system properties that DJL reads while
 * loading (names checked against {@code PtEngine} / {@code Utils.isOfflineMode} of DJL 0.36.0):
 *
 * <ul>
 *   <li>{@code ai.djl.offline=true}: libtorch must come from the {@code pytorch-native-cpu} jar on the
 *       classpath; a missing library fails fast instead of being downloaded;
 *   <li>{@code ai.djl.pytorch.num_threads} = {@link Runtime#availableProcessors()} (intra-op, unless
 *       already set by the operator);
 *   <li>{@code ai.djl.pytorch.num_interop_threads} = 1 (unless already set).
 * </ul>
 *
 * The device is the first GPU when libtorch sees one, else the CPU.
 */
public final class TorchRuntime {

    /** The only engine this package uses. */
    static final String ENGINE = "PyTorch";

    /** What was loaded; plain Java so it can cross package lines. */
    public record EngineInfo(
            String engine,
            String djlVersion,
            String libtorchVersion,
            String defaultDevice,
            int gpuCount,
            int intraOpThreads,
            int interOpThreads,
            boolean offline) {}

    /**
     * Held by all libtorch work in the JVM: training steps, inference, initialisation, loading and
     * closing, of every model. Work of two models at once changed a training step's results: a
     * DVAE trained while another thread ran even trivial tensor ops (ones, add, sum) on its own
     * tensors ended its first epochs 0.001-60 nats apart from a run alone, yet bit-identical when
     * those ops waited for this lock, and bit-identical beside a second JVM doing the same. So
     * one process does one piece of libtorch work at a time (libtorch spreads each op over its
     * intra-op threads anyway); pieces are micro-batches, so jobs still interleave.
     */
    private static final ReentrantLock COMPUTE = new ReentrantLock(true); // fair: training must not starve a request
    /**
     * Held by every draw from libtorch's global generator (seeding and initialising a block, the
     * throw-away initialisation before loading saved parameters, random test matrices), so a seeded
     * initialisation gets the same draws whatever runs in other threads.
     */
    static final Object SEED_LOCK = new Object();

    private static volatile Engine engine;

    /** Read before this class sets the property itself: true when the operator passed it. */
    private static final boolean THREADS_SET_BY_OPERATOR = System.getProperty("ai.djl.pytorch.num_threads") != null;

    private TorchRuntime() {}

    /** Returns the PyTorch engine, loading it (offline) on first use. */
    static Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (TorchRuntime.class) {
                e = engine;
                if (e == null) {
                    System.setProperty("ai.djl.offline", "true");
                    setIfAbsent(
                            "ai.djl.pytorch.num_threads",
                            Integer.toString(Runtime.getRuntime().availableProcessors()));
                    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
                    e = Engine.getEngine(ENGINE);
                    engine = e;
                }
            }
        }
        return e;
    }

    /**
     * Loads libtorch and prints what was loaded. The Dockerfile runs this while building the image,
     * so that DJL unpacks its JNI library into the cache baked into the image and a broken native
     * layer fails the build rather than the first job.
     */
    public static void main(String[] args) {
        System.out.println(info());
    }

    /** Loads the engine if needed and describes it. */
    public static EngineInfo info() {
        Engine e = engine();
        return new EngineInfo(
                e.getEngineName(),
                Engine.getDjlVersion(),
                e.getVersion(),
                deviceName(defaultDevice()),
                e.getGpuCount(),
                JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(),
                Boolean.getBoolean("ai.djl.offline"));
    }

    /** Bytes glibc's malloc has handed out and not had back, and bytes it holds from the kernel. */
    public record MallocStats(long inUseBytes, long heldBytes) {}

    /**
     * malloc's own counts (libtorch's CPU tensors are among them), or null when the C library is not
     * glibc; see {@link NativeMemory#stats}.
     */
    public static MallocStats mallocStats() {
        return NativeMemory.stats();
    }

    /**
     * Measures float32 matmul throughput through libtorch on the default device: an n x n by
     * n x n product ({@code 2 n^3} FLOPs) repeated, best of several rounds.
     *
     * @return GFLOP/s of the best round
     */
    public static double measureMatmulGflops(int n, int repeats, int rounds) {
        return exclusive(() -> {
            Engine e = engine();
            try (NDManager m = e.newBaseManager(defaultDevice())) {
                NDArray a;
                NDArray b;
                synchronized (SEED_LOCK) {
                    a = m.randomUniform(-1, 1, new Shape(n, n));
                    b = m.randomUniform(-1, 1, new Shape(n, n));
                }
                double best = 0;
                for (int r = 0; r <= rounds; r++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < repeats; i++) {
                        try (NDArray c = a.matMul(b)) {
                            if (i == repeats - 1) {
                                c.get(0, 0).getFloat(); // synchronises asynchronous devices
                            }
                        }
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (r > 0) { // round 0 warms up
                        best = Math.max(best, 2.0 * n * n * (double) n * repeats / seconds / 1e9);
                    }
                }
                return best;
            }
        });
    }

    /** {@code cuda:0} when libtorch sees a GPU, else {@code cpu}. */
    public static String defaultDeviceName() {
        return deviceName(defaultDevice());
    }

    static Device defaultDevice() {
        return engine().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /**
     * Parses {@code cpu}, {@code cuda}, {@code cuda:N}, {@code gpu}, {@code gpuN}; {@code null} or
     * blank means the default device.
     */
    static Device resolveDevice(String name) {
        if (name == null || name.isBlank()) {
            return defaultDevice();
        }
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        Device device;
        if (n.equals("cpu")) {
            device = Device.cpu();
        } else if (n.equals("cuda") || n.equals("gpu")) {
            device = Device.gpu();
        } else if (n.startsWith("cuda:")) {
            device = Device.gpu(parseIndex(name, n.substring(5)));
        } else if (n.startsWith("gpu")) {
            device = Device.gpu(parseIndex(name, n.substring(3).replace("(", "").replace(")", "")));
        } else {
            throw new IllegalArgumentException(
                    "Unknown device '" + name + "': use cpu, cuda or cuda:N");
        }
        if (device.isGpu() && device.getDeviceId() >= engine().getGpuCount()) {
            throw new IllegalArgumentException(
                    "Device '" + name + "' requested but libtorch sees "
                            + engine().getGpuCount() + " GPU(s)");
        }
        return device;
    }

    /** {@code cpu} or {@code cuda:N}. */
    static String deviceName(Device device) {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
    }

    private static int parseIndex(String original, String digits) {
        try {
            int i = Integer.parseInt(digits);
            if (i < 0) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(
                    "Bad device index in '" + original + "': use cpu, cuda or cuda:N", ex);
        }
    }

    /**
     * Runs without recording an autograd graph (libtorch grad mode is per thread), holding
     * {@link #COMPUTE}.
     */
    static <T> T noGrad(Supplier<T> body) {
        return exclusive(() -> {
            boolean was = JniUtils.isGradMode();
            if (was) {
                JniUtils.setGradMode(false);
            }
            try {
                return body.get();
            } finally {
                if (was) {
                    JniUtils.setGradMode(true);
                }
            }
        });
    }

    /** Runs {@code work} holding {@link #COMPUTE}, the lock of all libtorch work in the JVM. */
    static <T> T exclusive(Supplier<T> work) {
        COMPUTE.lock();
        try {
            return work.get();
        } finally {
            COMPUTE.unlock();
        }
    }

    /** {@link #exclusive(Supplier)} for work without a result. */
    static void exclusiveRun(Runnable work) {
        exclusive(() -> {
            work.run();
            return null;
        });
    }

    /**
     * Sets libtorch's intra-op threads: before the engine loads through the property DJL reads,
     * afterwards directly (libtorch allows changing it between ops). An operator's own
     * {@code -Dai.djl.pytorch.num_threads} wins over this.
     */
    static synchronized void intraOpThreads(int threads) {
        if (threads < 1 || THREADS_SET_BY_OPERATOR) {
            return;
        }
        if (engine == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        } else {
            JniUtils.setNumThreads(threads);
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /**
     * Replaces NaN and infinite gradient entries by 0, in place, and returns how many parameters
     * had any; applied by the optimiser, one NaN would poison every later step. Such gradients with a
     * finite loss were long blamed on libtorch's convolution backward; they came from constants that
     * the garbage collector freed under autograd (see {@link Scalar}). Kept as a guard, and logged,
     * because a repaired step means the run no longer matches a rerun. One sum per parameter and one
     * value read back when all is well.
     */
    static int sanitizeGradients(java.util.List<ai.djl.nn.Parameter> params, NDManager scope) {
        java.util.List<NDArray> grads = new java.util.ArrayList<>();
        NDArray total = null;
        for (ai.djl.nn.Parameter p : params) {
            NDArray g = p.getArray().getGradient();
            g.attach(scope);
            grads.add(g);
            NDArray s = g.sum();
            total = total == null ? s : total.add(s);
        }
        if (total == null || Float.isFinite(total.getFloat())) {
            return 0;
        }
        int fixed = 0;
        for (NDArray g : grads) {
            NDArray bad = g.isNaN().logicalOr(g.isInfinite());
            if (bad.any().getBoolean()) {
                copyInto(ai.djl.ndarray.NDArrays.where(bad, g.zerosLike(), g), g);
                fixed++;
            }
        }
        NON_FINITE_GRADIENT_STEPS.incrementAndGet();
        return fixed;
    }

    /**
     * Copies {@code from}'s values into the existing tensor {@code into}, in place, inside libtorch
     * ({@code index_put_} over the whole array), so {@code into} keeps its own memory.
     *
     * <p>Never {@code NDArray.copyTo} here: in DJL's PyTorch engine it is {@code set(toByteBuffer())},
     * and {@code set} re-points the target's storage at memory the target does not own (the source
     * tensor's, or a direct buffer the Java GC frees). The next in-place write to the target
     * (gradient accumulation, BatchNorm's running averages, Adam) then lands in freed memory: that
     * heap corruption killed the JVM inside glibc ({@code malloc(): largebin double linked list
     * corrupted}, SIGSEGV) a few hundred steps after a sanitised gradient or a rolled-back step.
     */
    static void copyInto(NDArray from, NDArray into) {
        into.set(new ai.djl.ndarray.index.NDIndex("..."), from);
    }

    private static final java.util.concurrent.atomic.AtomicLong NON_FINITE_GRADIENT_STEPS =
            new java.util.concurrent.atomic.AtomicLong();

    /** Training steps in this process whose gradients had NaN/infinite entries set to 0. */
    public static long nonFiniteGradientSteps() {
        return NON_FINITE_GRADIENT_STEPS.get();
    }
}
