package org.retinasynth.training;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.DatasetService.PackedImages;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.dataset.Split;
import org.retinasynth.evaluation.ImageMetrics;
import org.retinasynth.jobs.JobHandler;
import org.retinasynth.model.NonFiniteLossException;
import org.retinasynth.model.TorchRuntime;
import org.retinasynth.model.VaeConfig;
import org.retinasynth.model.VaeModel;
import org.retinasynth.security.Owner;
import org.retinasynth.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * Runs one training job to its end: resumes from the job's last checkpoint if it has one, trains
 * epoch by epoch (checking for cancellation at every batch), and after each epoch writes the
 * history row, a checkpoint and a reconstruction picture, so that a worker that dies loses at
 * most the epoch it was in.
 */
@Component
class TrainingRunner implements JobHandler {

    static final String KIND = "training-job";

    private static final Logger log = LoggerFactory.getLogger(TrainingRunner.class);
    private static final int MAX_NON_FINITE_IN_A_ROW = 3;
    private static final int MAX_VALIDATION_IMAGES = 512;
    private static final int PICTURE_IMAGES = 8;

    private final TrainingJobRepository jobs;
    private final DatasetService datasets;
    private final BlobStore blobs;
    private final TrainingProperties properties;
    private final ObjectMapper json;

    TrainingRunner(TrainingJobRepository jobs, DatasetService datasets, BlobStore blobs, TrainingProperties properties,
                   ObjectMapper json) {
        this.jobs = jobs;
        this.datasets = datasets;
        this.blobs = blobs;
        this.properties = properties;
        this.json = json;
    }

    /** Thrown inside the loop when the owner cancelled; unwinds to the CANCELLED state. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<String> unfinishedIds() {
        return jobs.unfinishedIds();
    }

    @Override
    public void run(String jobId, String worker) {
        TrainingJob job = jobs.find(jobId).orElse(null);
        if (job == null || job.state().finished()) {
            return;
        }
        if (job.cancelRequested()) {
            jobs.finish(jobId, JobState.CANCELLED, "cancelled before it started", null, null);
            return;
        }
        long started = System.nanoTime();
        try {
            train(job, worker, started);
        } catch (Cancelled c) {
            jobs.finish(jobId, JobState.CANCELLED, "cancelled by the owner", null, null);
        } catch (RuntimeException | Error e) {
            log.warn("training job {} failed", jobId, e);
            jobs.finish(jobId, JobState.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage(), null, null);
        }
    }

    private void train(TrainingJob job, String worker, long started) {
        TrainingSpec spec = job.spec();
        Owner owner = new Owner(job.ownerId(), null, false);
        Dataset dataset = datasets.get(owner, spec.datasetId());
        PackedImages train = datasets.packed(owner, dataset.id(), Split.TRAIN);
        PackedImages val = datasets.packed(owner, dataset.id(), Split.VAL);
        if (train.count() < 2) {
            throw new IllegalStateException("the dataset has " + train.count()
                    + " training image(s); at least 2 are needed");
        }
        int classes = dataset.classNames().size();
        int batch = Math.min(spec.batchSize(), train.count());
        int steps = train.count() / batch;
        Batches data = new Batches(train, spec.conditional());
        Batches valData = val.count() > 0 ? new Batches(limit(val, MAX_VALIDATION_IMAGES), spec.conditional()) : null;
        boolean denoising = spec.modelType() == ModelType.DVAE;
        int k = denoising ? spec.corruptedCopies() : 1;

        try (VaeModel model = openModel(job, spec, dataset.workingSize(), spec.conditional() ? classes : 0)) {
            if (!jobs.markStarted(job.id(), model.device(), worker, steps)) {
                return;
            }
            Double best = job.bestValLoss();
            Integer bestEpoch = job.bestEpoch();
            long step = (long) job.checkpointEpoch() * steps;
            double imagesDone = 0;
            long lastProgress = 0;
            long runStart = System.nanoTime();
            for (int epoch = job.checkpointEpoch(); epoch < spec.epochs(); epoch++) {
                long epochStart = System.nanoTime();
                double lr = spec.learningRateAt(epoch);
                double beta = spec.klWeightAt(epoch);
                model.setLearningRate(lr);
                int[] order = permutation(train.count(), new Random(spec.seed() * 1_000_003L + epoch));
                SplittableRandom noise = new SplittableRandom(spec.seed() ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
                double loss = 0;
                double recon = 0;
                double kl = 0;
                int skipped = 0;
                int failedInARow = 0;
                for (int s = 0; s < steps; s++) {
                    if (jobs.cancelRequested(job.id())) {
                        throw new Cancelled();
                    }
                    int[] idx = java.util.Arrays.copyOfRange(order, s * batch, (s + 1) * batch);
                    float[] clean = data.images(idx);
                    float[] corrupted = denoising ? corruptCopies(clean, k, data.size(), spec.corruption(), noise) : null;
                    VaeModel.StepResult r;
                    try {
                        r = model.trainStep(clean, corrupted, data.labels(idx), batch, beta);
                        failedInARow = 0;
                    } catch (NonFiniteLossException e) {
                        // libtorch's CPU kernels give a rare, nondeterministic NaN; the step was
                        // rolled back, so skip the batch unless the model itself has diverged
                        if (++failedInARow > MAX_NON_FINITE_IN_A_ROW || skipped + 1 == steps) {
                            throw e;
                        }
                        log.warn("job {} epoch {} step {}: {}; batch skipped", job.id(), epoch + 1, s + 1,
                                e.getMessage());
                        skipped++;
                        step++;
                        continue;
                    }
                    loss += r.loss();
                    recon += r.reconstruction();
                    kl += r.kl();
                    step++;
                    imagesDone += batch;
                    long now = System.nanoTime();
                    if (now - lastProgress > properties.progressSeconds() * 1_000_000_000L) {
                        double rate = imagesDone / ((now - runStart) / 1e9);
                        long remaining = (long) (spec.epochs() - epoch) * steps - (s + 1);
                        jobs.progress(job.id(), epoch + 1, step, rate, remaining * batch / Math.max(rate, 1e-9));
                        lastProgress = now;
                    }
                }
                EpochMetrics m = validate(model, valData, spec, epoch, loss / (steps - skipped), recon / (steps - skipped),
                        kl / (steps - skipped), lr, beta,
                        (System.nanoTime() - epochStart) / 1e9);
                double score = m.valLoss() != null ? m.valLoss() : m.trainLoss();
                if (best == null || score < best) {
                    best = score;
                    bestEpoch = epoch + 1;
                }
                String checkpoint = saveModel(model, null);
                String picture = reconstructions(model, valData != null ? valData : data, spec);
                jobs.epochDone(job.id(), m, checkpoint, picture, best, bestEpoch);
                if (spec.earlyStoppingPatience() > 0 && epoch + 1 - bestEpoch >= spec.earlyStoppingPatience()) {
                    log.info("job {} stops early at epoch {}: no better validation loss since {}", job.id(),
                            epoch + 1, bestEpoch);
                    break;
                }
            }
            Map<String, Object> provenance = provenance(job, dataset, owner, model, started);
            String modelSha = saveModel(model, provenance);
            jobs.finish(job.id(), JobState.SUCCEEDED, null, modelSha, json.writeValueAsString(provenance));
        }
    }

    private VaeModel openModel(TrainingJob job, TrainingSpec spec, int size, int classes) {
        if (job.checkpointSha256() != null) {
            log.info("job {} resumes from the checkpoint of epoch {}", job.id(), job.checkpointEpoch());
            return ModelArchive.load(blobs.get(job.checkpointSha256()).orElseThrow(
                    () -> new IllegalStateException("checkpoint " + job.checkpointSha256() + " is missing")), null);
        }
        VaeConfig base = VaeConfig.defaults(size);
        VaeConfig config = new VaeConfig(size, 3, spec.latentDim(), spec.baseChannels(), classes,
                spec.likelihood() == null ? base.likelihood() : VaeConfig.Likelihood.valueOf(spec.likelihood()),
                base.fixedSigma(), spec.modelType() == ModelType.DVAE ? spec.corruptedCopies() : 1,
                spec.latentSamples()).validate();
        return VaeModel.create(config, spec.seed(), null);
    }

    private EpochMetrics validate(VaeModel model, Batches val, TrainingSpec spec, int epoch, double loss, double recon,
                                  double kl, double lr, double beta, double seconds) {
        if (val == null) {
            return new EpochMetrics(epoch + 1, loss, recon, kl, null, null, null, null, null, lr, beta, seconds);
        }
        int[] all = java.util.stream.IntStream.range(0, val.count()).toArray();
        float[] clean = val.images(all);
        int[] labels = val.labels(all);
        boolean denoising = spec.modelType() == ModelType.DVAE;
        SplittableRandom fixed = new SplittableRandom(spec.seed() + 17);
        float[] corrupted = spec.corruption() != null && !spec.corruption().isIdentity()
                ? corruptCopies(clean, 1, val.size(), spec.corruption(), fixed) : null;
        VaeModel.Evaluation e = model.evaluate(clean,
                denoising ? corruptCopies(clean, model.config().corruptedCopies(), val.size(), spec.corruption(),
                        new SplittableRandom(spec.seed() + 19)) : null, labels, val.count());
        double psnr = ImageMetrics.psnr(clean, model.reconstruct(clean, labels, val.count()), val.count());
        Double psnrCorrupted = corrupted == null ? null
                : ImageMetrics.psnr(clean, model.reconstruct(corrupted, labels, val.count()), val.count());
        return new EpochMetrics(epoch + 1, loss, recon, kl, e.loss(), e.reconstruction(), e.kl(), psnr, psnrCorrupted, lr,
                beta, seconds);
    }

    /** Rows of clean, corrupted and reconstructed images: what the model does, at a glance. */
    private String reconstructions(VaeModel model, Batches data, TrainingSpec spec) {
        int n = Math.min(PICTURE_IMAGES, data.count());
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        float[] clean = data.images(idx);
        float[] input = spec.corruption() != null && !spec.corruption().isIdentity()
                ? corruptCopies(clean, 1, data.size(), spec.corruption(), new SplittableRandom(spec.seed() + 23)) : clean;
        float[] out = model.reconstruct(input, data.labels(idx), n);
        List<String> labels = List.of("clean", input == clean ? "input" : "corrupted", "reconstructed");
        List<List<BufferedImage>> rows = List.of(Batches.toImages(clean, n, data.size()),
                Batches.toImages(input, n, data.size()), Batches.toImages(out, n, data.size()));
        return blobs.put(SampleGrid.png(SampleGrid.render(labels, rows, Math.max(64, data.size()))));
    }

    private String saveModel(VaeModel model, Map<String, Object> provenance) {
        return blobs.put(ModelArchive.save(model, provenance));
    }

    private Map<String, Object> provenance(TrainingJob job, Dataset dataset, Owner owner, VaeModel model, long started) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("jobId", job.id());
        p.put("datasetId", dataset.id());
        p.put("datasetContentSha256", datasets.contentHash(owner, dataset.id()));
        p.put("preprocessing", Map.of("fieldOfViewCrop", true, "squareResize", dataset.workingSize(),
                "pixelRange", "[0,1] RGB"));
        p.put("spec", job.spec());
        p.put("seed", job.spec().seed());
        p.put("device", model.device());
        p.put("engine", TorchRuntime.info());
        p.put("java", System.getProperty("java.version"));
        p.put("codeVersion", String.valueOf(TrainingRunner.class.getPackage().getImplementationVersion()));
        p.put("parameterCount", model.parameterCount());
        p.put("trainingSeconds", (System.nanoTime() - started) / 1e9);
        return p;
    }

    /** K corrupted copies laid out copy-major (copy k of image i at block k), as the model expects. */
    static float[] corruptCopies(float[] clean, int k, int size, CorruptionSpec spec, SplittableRandom rng) {
        int per = 3 * size * size;
        int n = clean.length / per;
        float[] out = new float[clean.length * k];
        float[] one = new float[per];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(clean, i * per, one, 0, per);
                spec.apply(one, size, size, rng);
                System.arraycopy(one, 0, out, (c * n + i) * per, per);
            }
        }
        return out;
    }

    static double psnr(float[] a, float[] b) {
        double se = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            se += d * d;
        }
        double mse = Math.max(se / a.length, 1e-12);
        return 10 * Math.log10(1.0 / mse);
    }

    private static int[] permutation(int n, Random random) {
        int[] p = java.util.stream.IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static PackedImages limit(PackedImages p, int max) {
        if (p.count() <= max) {
            return p;
        }
        int px = p.size() * p.size() * 3;
        return new PackedImages(max, p.size(), java.util.Arrays.copyOf(p.rgb(), max * px),
                java.util.Arrays.copyOf(p.grades(), max));
    }
}
