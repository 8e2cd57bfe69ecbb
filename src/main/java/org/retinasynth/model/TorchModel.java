package org.retinasynth.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * What every model here shares: the engine, device and {@code NDManager}, the block with its
 * parameter store, Adam (with decoupled weight decay where the config asks for it), the CPU
 * micro-batching of training steps and inference, all-or-nothing steps, and the on-disk form
 * (parameters, description, and in a checkpoint Adam's moments).
 *
 * <p>Methods of one model are serialised; all libtorch work of all models (training steps,
 * inference, initialisation, loading, closing) is serialised JVM-wide on
 * {@link TorchRuntime#COMPUTE}, because concurrent work changed training results.
 *
 * @param <C> the config record, stored in the description
 */
public abstract class TorchModel<C> implements ModelRegistry.Storable, AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TorchModel.class);

    /**
     * CPU micro-batch budget for the largest single activation, default 8 MiB (system property
     * {@code retinasynth.model.cpuChunkMiB}). Tensors above glibc's 32 MiB mmap threshold are mapped
     * and unmapped on every allocation, and fresh pages were very expensive on this VM: batch 64 in
     * one piece trained 2.4x slower than batch 16. BatchNorm then normalises over each micro-batch
     * ("ghost batch norm"); the loss is the same batch mean.
     */
    static final long CPU_CHUNK_BYTES = Long.getLong("retinasynth.model.cpuChunkMiB", 8) << 20;
    /** Adam's moments in a checkpoint (an {@code NDList}: first moments, then second). */
    static final String OPTIMIZER_FILE = "optimizer.djl";
    private static final double DEFAULT_LEARNING_RATE = 1e-3;

    final C config;
    final Engine engine;
    final Device device;
    final NDManager manager;
    final ParameterStore parameterStore;
    final NativeMemory.Staging staging = new NativeMemory.Staging();
    private final Block block;
    private final TrainableParameters parameters;
    private final AdamState adam;
    private final ModelRegistry.Entry<C, ?> entry;
    private final long seed;
    private final Map<String, Object> provenance;
    private volatile double learningRate = DEFAULT_LEARNING_RATE;
    private boolean closed;
    private long cpuChunkBytes = CPU_CHUNK_BYTES;

    TorchModel(ModelRegistry.Entry<C, ?> entry, Parts<C> parts, double weightDecay) {
        this.entry = entry;
        this.config = parts.config();
        this.seed = parts.seed();
        this.engine = parts.engine();
        this.device = parts.device();
        this.manager = parts.manager();
        this.block = parts.block();
        this.provenance = parts.provenance();
        this.parameterStore = new ParameterStore(manager, false);
        this.parameters = new TrainableParameters(block);
        this.adam = new AdamState(parameters.trainable(), weightDecay);
    }

    /** What a subclass constructor receives from {@link #initialise} or {@link #open}. */
    record Parts<C>(C config, long seed, Engine engine, Device device, NDManager manager, Block block,
                    Map<String, Object> provenance, Path source) {
    }

    /** Builds the pieces of a fresh model; the block is seeded under the global seed lock. */
    static <C> Parts<C> initialise(C config, long seed, String device, Block block, Initializer init,
                                   Shape... inputShapes) {
        Engine engine = TorchRuntime.engine();
        Device dev = TorchRuntime.resolveDevice(device);
        NDManager manager = engine.newBaseManager(dev);
        try {
            block.setInitializer(init, ai.djl.nn.Parameter.Type.WEIGHT);
            TorchRuntime.exclusiveRun(() -> {
                synchronized (TorchRuntime.SEED_LOCK) {
                    engine.setRandomSeed((int) (seed ^ (seed >>> 32)));
                    block.initialize(manager, DataType.FLOAT32, inputShapes);
                }
            });
            return new Parts<>(config, seed, engine, dev, manager, block, Map.of(), null);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** How a subclass builds its block and wraps the loaded pieces. */
    interface Shell<C, M extends TorchModel<C>> {
        Block block(C config);

        Shape[] inputShapes(C config);

        M wrap(Parts<C> parts);
    }

    /**
     * Loads a model written by {@link #save} (Adam starts fresh) or {@link #saveCheckpoint} (Adam's
     * moments and the step count are restored).
     */
    static <C, M extends TorchModel<C>> M open(Path dir, String device, ModelRegistry.Entry<C, M> entry,
                                               Shell<C, M> shell) {
        SavedModels.Description<C> saved = SavedModels.read(dir, entry.format(), entry.formatVersion(),
                entry.configType());
        Engine engine = TorchRuntime.engine();
        Device dev = TorchRuntime.resolveDevice(device);
        NDManager manager = engine.newBaseManager(dev);
        Block block = shell.block(saved.config());
        SavedModels.loadParameters(dir, block, manager, shell.inputShapes(saved.config()));
        M model = shell.wrap(new Parts<>(saved.config(), saved.seed(), engine, dev, manager, block,
                saved.provenance(), dir));
        Path optimizer = dir.resolve(OPTIMIZER_FILE);
        if (Files.exists(optimizer)) {
            try (InputStream in = Files.newInputStream(optimizer); NDManager scope = manager.newSubManager()) {
                ((TorchModel<C>) model).adam.restore(NDList.decode(scope, in), saved.steps());
            } catch (IOException | RuntimeException e) {
                model.close();
                throw e instanceof IOException io
                        ? new UncheckedIOException("Cannot read the optimiser state in " + dir, io)
                        : new IllegalArgumentException("Corrupt optimiser state in " + dir + ": " + e.getMessage(), e);
            }
        }
        return model;
    }

    // ---------------------------------------------------------------- public surface

    public C config() {
        return config;
    }

    /** The registry entry this model was built from: its format, config type and factory. */
    public ModelRegistry.Entry<C, ?> kind() {
        return entry;
    }

    /** {@code cpu} or {@code cuda:N}. */
    public String device() {
        return TorchRuntime.deviceName(device);
    }

    public long seed() {
        return seed;
    }

    /** Provenance stored with the model (empty for a model that was never loaded). */
    public Map<String, Object> provenance() {
        return provenance;
    }

    /** Trainable parameters (BatchNorm running averages excluded). */
    public long parameterCount() {
        return parameters.count();
    }

    /** Training steps taken, counting those of the checkpoint it was loaded from. */
    public synchronized long steps() {
        return adam.steps();
    }

    public double learningRate() {
        return learningRate;
    }

    /** Sets the learning rate for the following steps (for warm-up / decay schedules). */
    public void setLearningRate(double lr) {
        TrainableParameters.checkLearningRate(lr);
        this.learningRate = lr;
    }

    /** Layer plan as text. */
    public abstract String describe();

    /** Multiply-accumulate operations of one forward pass of one image (the shape {@link FlopCounter} reports). */
    public abstract long flopsPerImage();

    /** Saves parameters (DJL block format) and {@code model.json} with this model's provenance. */
    public void save(Path dir) {
        save(dir, provenance);
    }

    /**
     * Saves the parameters (DJL block parameters, BatchNorm running averages included; no optimiser
     * state: a finished model) and the JSON description (config, steps, versions, the given
     * provenance).
     */
    @Override
    public synchronized void save(Path dir, Map<String, Object> provenance) {
        ensureOpen();
        TorchRuntime.exclusiveRun(() -> SavedModels.save(dir, block, SavedModels.description(entry.format(),
                entry.formatVersion(), config, seed, adam.steps(), parameterCount(), engine, provenance)));
    }

    /**
     * Saves what {@link #save(Path, Map)} saves plus Adam's moments ({@value #OPTIMIZER_FILE}, twice
     * the size of the parameters), so that training continued from a load takes the same steps as
     * training that never stopped.
     */
    @Override
    public synchronized void saveCheckpoint(Path dir, Map<String, Object> provenance) {
        TorchRuntime.exclusiveRun(() -> {
            save(dir, provenance);
            Path tmp = dir.resolve(OPTIMIZER_FILE + ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    adam.moments().encode(out);
                }
                Files.move(tmp, dir.resolve(OPTIMIZER_FILE), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot save the optimiser state to " + dir, e);
            }
        });
    }

    /**
     * A copy of every parameter (BatchNorm running averages included) kept beside the model, for
     * {@link #restore}; close it when it is no longer wanted. Opaque outside this package.
     */
    public static final class Snapshot implements AutoCloseable {
        private final NDManager scope;
        private final List<NDArray> values;

        private Snapshot(NDManager scope, List<NDArray> values) {
            this.scope = scope;
            this.values = values;
        }

        @Override
        public void close() {
            TorchRuntime.exclusiveRun(scope::close);
        }
    }

    /** Copies the current parameters (say, of the best epoch so far). */
    public synchronized Snapshot snapshot() {
        ensureOpen();
        NDManager scope = manager.newSubManager();
        List<NDArray> values = new java.util.ArrayList<>();
        // no gradient mode: a copy of a trainable leaf must not join the autograd graph
        TorchRuntime.noGrad(() -> {
            for (ai.djl.nn.Parameter p : block.getParameters().values()) {
                NDArray copy = p.getArray().duplicate();
                copy.attach(scope);
                values.add(copy);
            }
            return null;
        });
        return new Snapshot(scope, values);
    }

    /** Puts back the parameters of a {@link #snapshot} of this model; Adam's state is left as it is. */
    public synchronized void restore(Snapshot snapshot) {
        ensureOpen();
        List<ai.djl.nn.Parameter> params = block.getParameters().values();
        if (params.size() != snapshot.values.size()) {
            throw new IllegalArgumentException("the snapshot is of another model");
        }
        // in place, in no gradient mode: trainable leaves refuse in-place writes otherwise
        TorchRuntime.noGrad(() -> {
            for (int i = 0; i < params.size(); i++) {
                TorchRuntime.copyInto(snapshot.values.get(i), params.get(i).getArray());
            }
            return null;
        });
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            TorchRuntime.exclusiveRun(manager::close);
        }
    }

    // ---------------------------------------------------------------- for subclasses

    /** The model's block, for copying parameters between models of this package by name. */
    Block block() {
        return block;
    }

    /** For tests and benchmarks: the CPU micro-batch budget in bytes. */
    synchronized void setCpuChunkBytes(long bytes) {
        this.cpuChunkBytes = Math.max(1, bytes);
    }

    /** Rows per piece of work when the largest activation of one row has {@code floats} values. */
    int cpuRows(long floats) {
        if (device.isGpu()) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(1, cpuChunkBytes / (4L * floats));
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
    }

    /** One micro-batch of a training step: backward its share of the loss, return its share of each term. */
    interface TrainPiece {
        double[] run(NDManager sub, GradientCollector collector, int start, int n);
    }

    /** Words for a step whose terms are not finite, given the step number it would have been. */
    interface NonFiniteMessage {
        String of(long step, double[] terms);
    }

    /**
     * One optimiser step over {@code batch} rows cut into pieces of {@code chunk}; gradients add up
     * across pieces. All or nothing: an exception or a non-finite term puts the BatchNorm running
     * averages back and drops the gradients before Adam sees them.
     *
     * @return the sum over pieces of each term
     * @throws NonFiniteLossException if a term is not finite
     */
    double[] trainInPieces(int batch, int chunk, int terms, TrainPiece piece, NonFiniteMessage message) {
        double[] sums = new double[terms];
        return TorchRuntime.exclusive(() -> {
            try (NDManager step = manager.newSubManager()) {
                // BatchNorm running averages change during the forward pass: keep a copy so that a
                // failed step leaves the whole model as it was
                List<NDArray> averages = parameters.snapshotAverages(step);
                try (GradientCollector collector = engine.newGradientCollector()) {
                    for (int start = 0; start < batch && finite(sums); start += chunk) {
                        int n = Math.min(chunk, batch - start);
                        try (NDManager sub = step.newSubManager()) {
                            double[] t = piece.run(sub, collector, start, n);
                            for (int i = 0; i < terms; i++) {
                                sums[i] += t[i];
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    parameters.undo(averages);
                    throw e;
                }
                if (!finite(sums)) {
                    parameters.undo(averages);
                    throw new NonFiniteLossException(message.of(adam.steps() + 1, sums));
                }
                int repaired = parameters.sanitizeGradients(step);
                if (repaired > 0) {
                    // a run that needed this no longer matches a rerun of the same spec bit for bit
                    LOG.warn("{} seed {} step {}: non-finite gradient entries in {} parameter(s) set to 0; the loss was "
                            + "finite", entry.format(), seed, adam.steps() + 1, repaired);
                }
            }
            adam.step(learningRate);
            return sums;
        });
    }

    private static boolean finite(double[] terms) {
        for (double t : terms) {
            if (!Double.isFinite(t)) {
                return false;
            }
        }
        return true;
    }

    /** One piece of eval-mode work on rows {@code [start, start+n)}, in a sub-manager closed after it. */
    interface InferencePiece {
        float[] run(NDManager sub, int start, int n);
    }

    /** Receives the output of each piece. */
    interface PieceSink {
        void accept(int start, int n, float[] out);
    }

    /** Eval mode, no gradients: {@code n} rows cut into pieces of {@code chunk}, each handed to {@code sink}. */
    void inferInPieces(int n, int chunk, InferencePiece piece, PieceSink sink) {
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            int s0 = start;
            sink.accept(start, m, inferOnce(sub -> piece.run(sub, s0, m)));
        }
    }

    /** Eval mode, no gradients, in a sub-manager closed before returning. */
    float[] inferOnce(java.util.function.Function<NDManager, float[]> work) {
        return TorchRuntime.noGrad(() -> {
            try (NDManager sub = manager.newSubManager()) {
                return work.apply(sub);
            }
        });
    }

    /** {@link #inferInPieces} where each row gives {@code width} values, laid end to end. */
    float[] inferRows(int n, int chunk, int width, InferencePiece piece) {
        float[] result = new float[n * width];
        inferInPieces(n, chunk, piece, (start, m, out) -> System.arraycopy(out, 0, result, start * width, out.length));
        return result;
    }
}
