package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.XavierInitializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import tools.jackson.databind.json.JsonMapper;


/**
 * Plain-Java façade over one (conditional) VAE / DVAE. Images cross this API as {@code float[]} in
 * NCHW order with values in [0,1]; labels as {@code int[]} grades in {@code [0, numClasses)}.
 *
 * <p><b>Training.</b> {@link #trainStep} takes the clean batch and, for the DVAE, K corrupted copies
 * of it made by the caller (corruption q(x~|x) lives outside the model); {@code corrupted == null}
 * gives the plain VAE (the encoder sees the clean batch, K=1). One Adam step per call. See
 * {@link VaeObjective} for the estimator.
 *
 * <p><b>Memory.</b> Each call (each micro-batch, see {@link TorchModel}) works in its own
 * {@code NDManager} sub-manager that is closed before returning; parameters, their gradients and
 * Adam's state live in the model's manager.
 *
 * <p><b>Reproducibility.</b> The seed fixes the initial weights (libtorch's generator is seeded
 * under a global lock while the block initialises) and the reparameterisation noise, which is drawn
 * per step from a {@link SplittableRandom} seeded with the model seed and the step number, so other
 * models in the JVM cannot perturb it and a model restored by {@link #saveCheckpoint} / {@link #load}
 * continues with the noise (and the Adam moments) it would have had without the interruption. Same
 * seed, same device, same thread count give the same losses.
 *
 * <p><b>Threads.</b> Methods of one model are serialised. Training steps of different models are
 * serialised JVM-wide too, because DJL's PyTorch gradient collector allows one active collector per
 * process (libtorch uses all cores within each op anyway).
 */
public final class VaeModel extends TorchModel<VaeConfig> implements GenerativeModel {

    static final int MAX_IMPORTANCE_SAMPLES = 100_000;
    /** Decoder rows per importance-sampling piece on a GPU. */
    private static final int GPU_IMPORTANCE_ROWS = 4096;

    /**
     * ICNR initialisation of the sub-pixel convolutions (on by default); the property exists so that
     * the sample diagnosis can show what it changes.
     */
    static final boolean SUB_PIXEL_ICNR = !"false".equals(System.getProperty("retinasynth.model.icnr"));
    /** The fitted prior, kept beside the parameters in a saved model. */
    static final String PRIOR_FILE = "prior.json";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Architecture arch;
    private final ConvVaeBlock block;
    private volatile LatentPrior prior;
    private ClassifierModel featureNetwork;

    private VaeModel(Parts<VaeConfig> parts) {
        super(ModelRegistry.VAE, parts, 0);
        this.block = (ConvVaeBlock) parts.block();
        this.arch = block.architecture();
        Path saved = parts.source() == null ? null : parts.source().resolve(PRIOR_FILE);
        this.prior = saved != null && Files.exists(saved) ? JSON.readValue(saved.toFile(), LatentPrior.class) : null;
    }

    /**
     * The fixed network whose residual-stage activations {@link VaeConfig#featureLossWeight}
     * compares (null detaches it). Its weights are frozen here; the caller keeps it open while this
     * model trains and closes it afterwards. Not saved with the model: it is a training aid.
     */
    public synchronized void useFeatureNetwork(ClassifierModel network) {
        if (network != null) {
            if (network.imageSize() != config.imageSize() || network.channels() != config.channels()) {
                throw new IllegalArgumentException("the feature network takes " + network.channels() + "x"
                        + network.imageSize() + " px images, the model " + config.channels() + "x"
                        + config.imageSize());
            }
            network.freeze();
        }
        featureNetwork = network;
    }

    /** The prior fitted to the training posteriors, or null (then only N(0, I) is on offer). */
    public LatentPrior prior() {
        return prior;
    }

    /**
     * Fits {@link LatentPrior} to the posterior means of {@code images} (the training split) and
     * keeps it with the model: saved with it, and used by {@link #sample(int, int[], double, long,
     * boolean)} when asked for.
     *
     * @param labels grades of a conditional model, else null
     */
    public LatentPrior fitPrior(float[] images, int[] labels, int n, int components) {
        float[] means = encode(images, labels, n)[0];
        prior = LatentPrior.fit(means, config.numClasses() > 0 ? labels : null, n, config.latentDim(),
                Math.max(1, config.numClasses()), components);
        return prior;
    }

    @Override
    public synchronized void save(Path dir, java.util.Map<String, Object> provenance) {
        super.save(dir, provenance);
        if (prior != null) {
            try {
                JSON.writeValue(dir.resolve(PRIOR_FILE).toFile(), prior);
            } catch (RuntimeException e) {
                throw new IllegalStateException("Cannot save the fitted prior to " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    private static final Shell<VaeConfig, VaeModel> SHELL = new Shell<>() {
        @Override
        public ConvVaeBlock block(VaeConfig config) {
            return new ConvVaeBlock(new Architecture(config));
        }

        @Override
        public Shape[] inputShapes(VaeConfig config) {
            return VaeModel.inputShapes(config, 1);
        }

        @Override
        public VaeModel wrap(Parts<VaeConfig> parts) {
            return new VaeModel(parts);
        }
    };

    /**
     * Builds a freshly initialised model.
     *
     * @param device {@code cpu}, {@code cuda}, {@code cuda:N}, or null for the default device
     */
    public static VaeModel create(VaeConfig config, long seed, String device) {
        Parts<VaeConfig> parts = initialise(config, seed, device, SHELL.block(config), new XavierInitializer(),
                inputShapes(config, 1));
        if (SUB_PIXEL_ICNR) {
            ((ConvVaeBlock) parts.block()).initialiseSubPixelFilters();
        }
        return new VaeModel(parts);
    }

    /**
     * Loads a model written by {@link #save} (Adam starts fresh) or {@link #saveCheckpoint} (Adam's
     * moments and the step count are restored).
     *
     * @param device as in {@link #create}
     */
    public static VaeModel load(Path dir, String device) {
        return open(dir, device, ModelRegistry.VAE, SHELL);
    }

    private static Shape[] inputShapes(VaeConfig c, long b) {
        Shape x = new Shape(b, c.channels(), c.imageSize(), c.imageSize());
        Shape eps = new Shape(b, c.latentDim());
        return c.numClasses() > 0
                ? new Shape[] {x, eps, new Shape(b, c.numClasses())}
                : new Shape[] {x, eps};
    }

    @Override
    public int imageSize() {
        return config.imageSize();
    }

    @Override
    public int numClasses() {
        return config.numClasses();
    }

    @Override
    public int latentDim() {
        return config.latentDim();
    }

    @Override
    public int corruptedCopies() {
        return config.corruptedCopies();
    }

    @Override
    public String describe() {
        return arch.describe();
    }

    @Override
    public long flopsPerImage() {
        return FlopCounter.count(config).forwardPerImage();
    }

    /**
     * One Adam step on the negative (denoising) bound. On the CPU the batch is processed in
     * micro-batches (see {@link TorchModel#CPU_CHUNK_BYTES}); gradients accumulate, then one Adam step.
     *
     * @param clean     B x C x S x S clean images in [0,1] (the reconstruction target)
     * @param corrupted K x B x C x S x S corrupted copies (copy k of image i at block k), or null
     *                  for the plain VAE
     * @param labels    B grades, or null for an unconditional model
     * @param klWeight  beta, the weight of the KL term (KL warm-up), >= 0
     * @throws NonFiniteLossException if the loss is not finite; the model (parameters, BatchNorm
     *     running averages, Adam state) is then unchanged
     */
    @Override
    public synchronized StepResult trainStep(
            float[] clean, float[] corrupted, int[] labels, int batch, double klWeight) {
        ensureOpen();
        int k = checkInputs(clean, corrupted, labels, batch);
        if (!(klWeight >= 0) || !Double.isFinite(klWeight)) {
            throw new IllegalArgumentException("klWeight must be >= 0, was " + klWeight);
        }
        int m = config.latentSamples();
        int d = config.latentDim();
        int per = imageFloats();
        // a stream per completed step: a failed step is retried with the same noise
        SplittableRandom noise = new SplittableRandom(seed() * 0x9E3779B97F4A7C15L + steps());
        float[] eps = gaussian(noise, (long) m * k * batch * d, 1);
        float frequencyWeight = config.frequencyLossWeight().floatValue();
        float featureWeight = config.featureLossWeight().floatValue();
        if (featureWeight > 0 && featureNetwork == null) {
            throw new IllegalStateException("featureLossWeight " + featureWeight + " needs a feature network");
        }
        double[] terms = trainInPieces(batch, chunkImages(k * m), 4, (sub, collector, start, n) -> {
            NDList t = objective(sub, rows(clean, 1, batch, per, start, n),
                    corrupted == null ? null : rows(corrupted, k, batch, per, start, n),
                    k, labels, start, n, rows(eps, m * k, batch, d, start, n), true);
            float share = (float) n / batch;
            NDArray loss = t.get(0).add(Scalar.mul(t.get(1), (float) klWeight));
            if (frequencyWeight > 0) {
                loss = loss.add(Scalar.mul(t.get(2), frequencyWeight));
            }
            if (featureWeight > 0) {
                loss = loss.add(Scalar.mul(t.get(3), featureWeight));
            }
            collector.backward(Scalar.mul(loss, share));
            float[] parts = NDArrays.stack(t).toFloatArray();
            return new double[] {share * parts[0], share * parts[1], share * parts[2], share * parts[3]};
        }, (step, sums) -> "non-finite loss at step " + step + " (reconstruction " + sums[0] + ", kl " + sums[1]
                + ", frequency " + sums[2] + ", feature " + sums[3]
                + "); model left unchanged: lower the learning rate or check the inputs");
        return new StepResult(terms[0] + klWeight * terms[1] + frequencyWeight * terms[2] + featureWeight * terms[3],
                terms[0], terms[1], terms[2], terms[3]);
    }

    /**
     * Negative bound on held-out data: eval mode (BatchNorm running averages), no gradients, KL
     * weight 1, fixed noise (the same data always gives the same numbers).
     */
    @Override
    public synchronized Evaluation evaluate(
            float[] clean, float[] corrupted, int[] labels, int batch) {
        ensureOpen();
        int k = checkInputs(clean, corrupted, labels, batch);
        int m = config.latentSamples();
        int d = config.latentDim();
        int per = imageFloats();
        float[] eps = gaussian(new SplittableRandom(0x5EED_E7A1L), (long) m * k * batch * d, 1);
        double[] sums = new double[2];
        inferInPieces(batch, chunkImages(k * m), (sub, start, n) -> NDArrays.stack(objective(sub,
                rows(clean, 1, batch, per, start, n),
                corrupted == null ? null : rows(corrupted, k, batch, per, start, n), k,
                labels, start, n, rows(eps, m * k, batch, d, start, n), false).subNDList(0, 2)).toFloatArray(),
                (start, n, terms) -> {
                    sums[0] += (double) n / batch * terms[0];
                    sums[1] += (double) n / batch * terms[1];
                });
        return new Evaluation(sums[0] + sums[1], sums[0], sums[1]);
    }

    /**
     * Importance-weighted estimate of log p(x) per image in nats (Burda et al. 2016):
     * {@code log (1/K sum_k p(x|z_k) p(z_k) / q(z_k|x))} with K = {@code samples} draws
     * {@code z_k ~ q(z|x)} from the encoder fed the clean image, eval mode, the model's own
     * likelihood (so K = 1 is, in expectation, the bound that {@link #evaluate} reports with the
     * opposite sign, and the estimate rises towards log p(x) as K grows). Noise comes from
     * {@code seed}, one stream per image, so the result does not depend on how the work is split.
     *
     * @param labels n grades for a conditional model, else null
     * @return n values (log-likelihoods of continuous images are densities: they can be positive)
     */
    @Override
    public synchronized double[] importanceWeightedLogLikelihood(
            float[] images, int[] labels, int n, int samples, long seed) {
        ensureOpen();
        checkInputs(images, null, labels, n);
        if (samples < 1 || samples > MAX_IMPORTANCE_SAMPLES) {
            throw new IllegalArgumentException(
                    "samples must be in [1, " + MAX_IMPORTANCE_SAMPLES + "], was " + samples);
        }
        int d = config.latentDim();
        int per = imageFloats();
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] noiseOf = new SplittableRandom[n];
        for (int i = 0; i < n; i++) {
            noiseOf[i] = root.split();
        }
        // decoder rows per piece: the CPU activation budget, or a fixed cap on a GPU
        int rowBudget = device.isGpu() ? GPU_IMPORTANCE_ROWS : chunkImages(1);
        int piece = Math.min(samples, rowBudget);
        int chunk = Math.max(1, rowBudget / piece);
        double[] max = new double[n];
        double[] sum = new double[n];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            for (int k0 = 0; k0 < samples; k0 += piece) {
                int r = Math.min(piece, samples - k0);
                // rows k-major over the chunk's images (k * m + i), as VaeObjective expects
                float[] e = new float[r * m * d];
                double[] halfEpsSq = new double[r * m];
                for (int k = 0; k < r; k++) {
                    for (int i = 0; i < m; i++) {
                        double q = 0;
                        for (int j = 0; j < d; j++) {
                            float v = (float) noiseOf[start + i].nextGaussian();
                            e[(k * m + i) * d + j] = v;
                            q += (double) v * v;
                        }
                        halfEpsSq[k * m + i] = 0.5 * q;
                    }
                }
                int s0 = start;
                // three parts end to end: log p(x|z) and |z|^2/2 per row, then sum(log var)/2 per image
                float[] parts = inferOnce(sub -> {
                    NDArray x = staging.floats(sub, images, s0 * per, m * per, imageShape(m));
                    NDArray oh = oneHot(sub, labels, s0, m);
                    NDList stats = block.encode(parameterStore, x, oh, false);
                    long[] reps = {r, 1};
                    NDArray z = stats.get(0).tile(reps).add(Scalar.mul(stats.get(1), 0.5f).exp().tile(reps)
                            .mul(staging.floats(sub, e, new Shape((long) r * m, d))));
                    NDArray out = block.decode(parameterStore, z, oh == null ? null : oh.tile(reps), false);
                    NDArray logLik = VaeObjective.logLikelihood(out, x, config).reshape(-1);
                    return NDArrays.concat(new NDList(logLik, Scalar.mul(z.square().sum(new int[] {1}), 0.5f),
                            Scalar.mul(stats.get(1).sum(new int[] {1}), 0.5f))).toFloatArray();
                });
                int rows = r * m;
                for (int k = 0; k < r; k++) {
                    for (int i = 0; i < m; i++) {
                        int row = k * m + i;
                        // log p(x|z) + log p(z) - log q(z|x); the 2 pi terms of p(z) and q cancel
                        double logW = parts[row] - parts[rows + row] + halfEpsSq[row] + parts[2 * rows + i];
                        int img = start + i;
                        if (logW > max[img]) {
                            sum[img] = sum[img] * Math.exp(max[img] - logW) + 1;
                            max[img] = logW;
                        } else {
                            sum[img] += Math.exp(logW - max[img]);
                        }
                    }
                }
            }
        }
        double[] result = new double[n];
        for (int i = 0; i < n; i++) {
            result[i] = max[i] + Math.log(sum[i]) - Math.log(samples);
        }
        return result;
    }

    /** Posterior mean -> decoder mean, eval mode. Returns B x C x S x S in [0,1]. */
    @Override
    public synchronized float[] reconstruct(float[] input, int[] labels, int batch) {
        ensureOpen();
        checkInputs(input, null, labels, batch);
        int per = imageFloats();
        return inferRows(batch, chunkImages(1), per, (sub, start, n) -> {
            NDArray x = staging.floats(sub, input, start * per, n * per, imageShape(n));
            NDArray oh = oneHot(sub, labels, start, n);
            NDArray mean = block.encode(parameterStore, x, oh, false).get(0);
            NDArray dec = block.decode(parameterStore, mean, oh, false);
            return VaeObjective.decoderMean(dec, config.channels()).toFloatArray();
        });
    }

    /** Posterior parameters, eval mode: {@code [mean, logVariance]}, each B x latent. */
    @Override
    public synchronized float[][] encode(float[] input, int[] labels, int batch) {
        ensureOpen();
        checkInputs(input, null, labels, batch);
        int per = imageFloats();
        int d = config.latentDim();
        // each row: its mean, then its log-variance
        float[] both = inferRows(batch, chunkImages(1), 2 * d, (sub, start, n) -> {
            NDArray x = staging.floats(sub, input, start * per, n * per, imageShape(n));
            NDList stats = block.encode(parameterStore, x, oneHot(sub, labels, start, n), false);
            return stats.get(0).concat(stats.get(1), 1).toFloatArray();
        });
        float[][] result = {new float[batch * d], new float[batch * d]};
        for (int i = 0; i < batch; i++) {
            System.arraycopy(both, 2 * i * d, result[0], i * d, d);
            System.arraycopy(both, (2 * i + 1) * d, result[1], i * d, d);
        }
        return result;
    }

    /**
     * Samples from the fitted prior when {@code fitted} is true (it must exist), else from N(0, I):
     * z drawn at {@code temperature} -> decoder mean, eval mode.
     */
    public float[] sample(int n, int[] labels, double temperature, long seed, boolean fitted) {
        if (!fitted) {
            return sample(n, labels, temperature, seed);
        }
        LatentPrior p = prior;
        if (p == null) {
            throw new IllegalStateException("this model has no fitted prior");
        }
        checkSampling(n, labels, temperature);
        return decodeRows(p.sample(labels, n, temperature, seed), labels, n, false);
    }

    /**
     * Decoder means of given latents ({@code n x latentDim}). With {@code batchStatistics} the
     * decoder's BatchNorm normalises with the statistics of this batch, as in training, instead of
     * its running averages (a diagnostic of how the two differ); the running averages are left as
     * they were. A {@link VaeConfig.Norm#GROUP} model has no batch statistics: the same result.
     */
    public float[] decode(float[] z, int[] labels, int n, boolean batchStatistics) {
        int d = config.latentDim();
        if (z.length != (long) n * d) {
            throw new IllegalArgumentException("z must hold " + n + " x " + d + " values");
        }
        checkLabels(labels, n);
        if (!batchStatistics) {
            return decodeRows(z, labels, n, false);
        }
        try (Snapshot before = snapshot()) {
            try {
                return decodeRows(z, labels, n, true);
            } finally {
                restore(before);
            }
        }
    }

    private synchronized float[] decodeRows(float[] z, int[] labels, int n, boolean training) {
        ensureOpen();
        int d = config.latentDim();
        return inferRows(n, chunkImages(1), imageFloats(), (sub, start, m) -> {
            NDArray zz = staging.floats(sub, z, start * d, m * d, new Shape(m, d));
            NDArray dec = block.decode(parameterStore, zz, oneHot(sub, labels, start, m), training);
            return VaeObjective.decoderMean(dec, config.channels()).toFloatArray();
        });
    }

    /**
     * Prior samples: z ~ N(0, temperature^2 I) -> decoder mean, eval mode.
     *
     * @param labels n grades for a conditional model, else null
     * @return n x C x S x S in [0,1]
     */
    @Override
    public synchronized float[] sample(int n, int[] labels, double temperature, long seed) {
        checkSampling(n, labels, temperature);
        return decodeRows(gaussian(new SplittableRandom(seed), (long) n * config.latentDim(), temperature), labels, n,
                false);
    }

    private void checkSampling(int n, int[] labels, double temperature) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, was " + temperature);
        }
        checkLabels(labels, n);
    }

    // ---------------------------------------------------------------- internals

    /**
     * Returns (reconstruction, kl, frequency, feature) scalars on {@code sub} (the last two 0 unless
     * their weights are positive; feature also 0 outside training) for {@code batch} clean images (labels
     * from {@code labelStart}), their K encoder inputs (k-major) and M*K*batch noise rows.
     */
    private NDList objective(NDManager sub, float[] clean, float[] corrupted, int k, int[] labels,
            int labelStart, int batch, float[] eps, boolean training) {
        int d = config.latentDim();
        int m = config.latentSamples();
        NDArray x = staging.floats(sub, clean, imageShape(batch));
        NDArray encoderInput = corrupted == null ? x : staging.floats(sub, corrupted, imageShape(k * batch));
        NDArray oh = oneHot(sub, labels, labelStart, batch);
        NDArray ohK = oh == null || k == 1 ? oh : oh.tile(new long[] {k, 1});
        NDList stats = block.encode(parameterStore, encoderInput, ohK, training);
        NDArray mean = stats.get(0);
        NDArray logVar = stats.get(1);
        NDArray std = Scalar.mul(logVar, 0.5f).exp();
        NDArray e = staging.floats(sub, eps, new Shape((long) m * k * batch, d));
        NDArray z;
        NDArray ohKM;
        if (m == 1) {
            z = mean.add(std.mul(e));
            ohKM = ohK;
        } else {
            long[] reps = {m, 1};
            z = mean.tile(reps).add(std.tile(reps).mul(e));
            ohKM = ohK == null ? null : ohK.tile(reps);
        }
        NDArray out = block.decode(parameterStore, z, ohKM, training);
        NDArray reconstruction = VaeObjective.reconstruction(out, x, config);
        // computed only when it is weighted: the default objective stays what it was, op for op
        NDArray frequency = config.frequencyLossWeight() > 0
                ? VaeObjective.frequency(out, x)
                : reconstruction.zerosLike();
        NDArray feature = training && config.featureLossWeight() > 0 && featureNetwork != null
                ? VaeObjective.featureMatching(featureNetwork, out, x)
                : reconstruction.zerosLike();
        return new NDList(reconstruction, VaeObjective.kl(mean, logVar), frequency, feature);
    }

    private NDArray oneHot(NDManager sub, int[] labels, int start, int n) {
        if (labels == null) {
            return null;
        }
        int c = config.numClasses();
        float[] data = new float[n * c];
        for (int i = 0; i < n; i++) {
            data[i * c + labels[start + i]] = 1f;
        }
        return staging.floats(sub, data, new Shape(n, c));
    }

    private Shape imageShape(long n) {
        return new Shape(n, config.channels(), config.imageSize(), config.imageSize());
    }

    private int imageFloats() {
        return config.channels() * config.imageSize() * config.imageSize();
    }

    /** Validates a batch; returns the number of encoder inputs per clean image (K, or 1). */
    private int checkInputs(float[] clean, float[] corrupted, int[] labels, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, was " + batch);
        }
        long per = imageFloats();
        if (clean == null || clean.length != batch * per) {
            throw new IllegalArgumentException("expected " + batch + " images of " + config.channels()
                    + "x" + config.imageSize() + "x" + config.imageSize() + " = " + batch * per
                    + " floats, got " + (clean == null ? "null" : clean.length));
        }
        int k = 1;
        if (corrupted != null) {
            k = config.corruptedCopies();
            if (corrupted.length != k * batch * per) {
                throw new IllegalArgumentException("expected K=" + k + " corrupted copies of " + batch
                        + " images = " + k * batch * per + " floats, got " + corrupted.length);
            }
        }
        checkLabels(labels, batch);
        checkFinite(clean, "images");
        if (corrupted != null) {
            checkFinite(corrupted, "corrupted images");
        }
        return k;
    }

    private static void checkFinite(float[] a, String what) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                throw new IllegalArgumentException(what + ": value " + a[i] + " at index " + i
                        + " is not finite");
            }
        }
    }

    private void checkLabels(int[] labels, int n) {
        int c = config.numClasses();
        if (c == 0) {
            if (labels != null) {
                throw new IllegalArgumentException("this model is unconditional: labels must be null");
            }
            return;
        }
        if (labels == null || labels.length != n) {
            throw new IllegalArgumentException("this model is conditional on " + c + " grades: expected "
                    + n + " labels, got " + (labels == null ? "null" : labels.length));
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                throw new IllegalArgumentException(
                        "label " + labels[i] + " at " + i + " is outside [0, " + c + ")");
            }
        }
    }

    /**
     * Clean images per piece of work when each needs {@code rowsPerImage} decoder rows: all of them
     * on a GPU; on the CPU as many as keep the largest activation under {@link #CPU_CHUNK_BYTES}.
     */
    int chunkImages(int rowsPerImage) {
        int rows = cpuRows(arch.largestActivationFloats());
        return rows == Integer.MAX_VALUE ? rows : Math.max(1, rows / rowsPerImage);
    }

    /**
     * Rows {@code [start, start+n)} of each of {@code groups} consecutive blocks of {@code batch}
     * rows of {@code rowLen} floats, kept in block order (the input itself when that is all).
     */
    private static float[] rows(float[] a, int groups, int batch, int rowLen, int start, int n) {
        if (start == 0 && n == batch) {
            return a;
        }
        float[] out = new float[groups * n * rowLen];
        for (int g = 0; g < groups; g++) {
            System.arraycopy(a, (g * batch + start) * rowLen, out, g * n * rowLen, n * rowLen);
        }
        return out;
    }


    private static float[] gaussian(SplittableRandom rng, long n, double scale) {
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many latent samples: " + n);
        }
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rng.nextGaussian() * scale);
        }
        return a;
    }
}
