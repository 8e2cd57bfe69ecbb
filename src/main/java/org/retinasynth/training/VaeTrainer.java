package org.retinasynth.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.dataset.DatasetService.PackedImages;
import org.retinasynth.metrics.ImageMetrics;
import org.retinasynth.jobs.JobCancelled;
import org.retinasynth.learning.EarlyStopping;
import org.retinasynth.learning.LoopState;
import org.retinasynth.learning.NonFinitePolicy;
import org.retinasynth.learning.ProgressReporter;
import org.retinasynth.learning.Schedules;
import org.retinasynth.learning.TrainingListener;
import org.retinasynth.learning.TrainingLoop;
import org.retinasynth.model.VaeConfig;
import org.retinasynth.model.VaeModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VAE / DVAE's part in the {@link TrainingLoop}, shared by training jobs and studies, so that a
 * model trained inside a study is trained exactly like one trained by a job with the same spec:
 * same batch order, corruption noise, learning-rate and KL schedules, validation and early stopping.
 * Persistence (checkpoints, history rows, pictures) is the caller's business, through
 * {@link Listener}.
 */
public final class VaeTrainer {

    private static final Logger log = LoggerFactory.getLogger(VaeTrainer.class);
    private static final int MAX_VALIDATION_IMAGES = 512;
    private static final long FEATURE_NETWORK_SEED = 0x5EED_FEA7_0000L;

    /** Hooks into the loop; all optional. */
    public interface Listener {

        /** Checked before every batch; true unwinds the loop with {@link Cancelled}. */
        default boolean cancelled() {
            return false;
        }

        /** After every batch; throttle in the listener if it writes somewhere. */
        default void progress(int epoch, long step, double imagesPerSecond, double etaSeconds) {
        }

        /** After every epoch with its validation metrics and the best score so far. */
        default void epochDone(VaeModel model, EpochMetrics metrics, double best, int bestEpoch) {
        }
    }

    /** The trained model (the caller closes it) and the history of the epochs this call ran. */
    public record Result(VaeModel model, List<EpochMetrics> history, Double bestScore, Integer bestEpoch) {
    }

    private VaeTrainer() {
    }

    /** A fresh model shaped by the spec for images of {@code size} px and {@code classes} grades (0 = unconditional). */
    public static VaeModel newModel(TrainingSpec spec, int size, int classes) {
        VaeConfig base = VaeConfig.defaults(size);
        VaeConfig config = spec.applyArchitecture(new VaeConfig(size, 3, spec.latentDim(), spec.baseChannels(),
                classes,
                spec.likelihood() == null ? base.likelihood() : VaeConfig.Likelihood.valueOf(spec.likelihood()),
                base.fixedSigma(), spec.modelType().corruptedCopies(spec.corruptedCopies()),
                spec.latentSamples()));
        return spec.modelType().entry().create(config, spec.seed(), null);
    }

    /**
     * Fits the model's {@link org.retinasynth.model.LatentPrior} to the posterior means of the
     * training split, so that generation can sample where the encoder put real images rather than
     * from N(0, I) and its holes.
     */
    public static void fitPrior(VaeModel model, PackedImages train, boolean conditional, int components) {
        Batches data = new Batches(train, conditional);
        int[] all = IntStream.range(0, train.count()).toArray();
        model.fitPrior(data.images(all), data.labels(all), train.count(), components);
    }

    /** Trains a fresh model from epoch 0: the whole run in one call. */
    public static Result train(TrainingSpec spec, PackedImages train, PackedImages val, int classes, Listener listener) {
        VaeModel model = newModel(spec, train.size(), spec.conditional() ? classes : 0);
        try {
            return train(spec, model, 0, null, null, train, val, listener);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
    }

    /**
     * Continues {@code model} from {@code startEpoch} (0-based) to the spec's last epoch or early
     * stop. {@code best}/{@code bestEpoch} carry the early-stopping state of a resumed run.
     */
    public static Result train(TrainingSpec spec, VaeModel model, int startEpoch, Double best, Integer bestEpoch,
                               PackedImages train, PackedImages val, Listener listener) {
        if (train.count() < 2) {
            throw new IllegalStateException("the dataset has " + train.count()
                    + " training image(s); at least 2 are needed");
        }
        GraderTraining.Trained featureNetwork = model.config().featureLossWeight() > 0
                ? featureNetwork(spec, train, val, model, listener) : null;
        try {
            return run(spec, model, startEpoch, best, bestEpoch, train, val, listener);
        } finally {
            if (featureNetwork != null) {
                model.useFeatureNetwork(null);
                featureNetwork.model().close();
            }
        }
    }

    /**
     * The fixed network of the feature-matching loss: a grade classifier trained on this training
     * split, seeded from the job's seed, so a resumed run trains the same one again instead of
     * storing it. The seed is derived rather than the job's own: a study scores synthetic images in
     * the features of its same-seed REAL classifier, which would otherwise start from the very
     * weights the generator was taught to match.
     */
    private static GraderTraining.Trained featureNetwork(TrainingSpec spec, PackedImages train, PackedImages val,
                                                         VaeModel model, Listener listener) {
        int classes = Math.max(2, Arrays.stream(train.grades()).max().orElse(0) + 1);
        GraderTraining.Trained t = GraderTraining.train(train, val, classes, GraderTraining.DEFAULT_EPOCHS,
                spec.seed() ^ FEATURE_NETWORK_SEED, () -> {
                    if (listener.cancelled()) {
                        throw new JobCancelled();
                    }
                });
        model.useFeatureNetwork(t.model());
        log.info("feature network for the feature-matching loss trained: validation balanced accuracy {}, {}",
                t.validationBalancedAccuracy(), t.settings());
        return t;
    }

    private static Result run(TrainingSpec spec, VaeModel model, int startEpoch, Double best, Integer bestEpoch,
                              PackedImages train, PackedImages val, Listener listener) {
        int batch = Math.min(spec.batchSize(), train.count());
        int steps = train.count() / batch;
        Batches data = new Batches(train, spec.conditional());
        Batches valData = val != null && val.count() > 0
                ? new Batches(limit(val, MAX_VALIDATION_IMAGES), spec.conditional()) : null;
        boolean denoising = spec.modelType().denoising();
        int k = model.corruptedCopies();
        List<EpochMetrics> history = new ArrayList<>();
        EarlyStopping early = new EarlyStopping(spec.earlyStoppingPatience(), best,
                bestEpoch == null ? 0 : bestEpoch, null);
        TrainingLoop.Task task = new TrainingLoop.Task() {
            private int[] order;
            private SplittableRandom noise;

            @Override
            public void beginEpoch(LoopState state) {
                int epoch = state.epoch();
                model.setLearningRate(state.learningRate());
                order = TrainingLoop.permutation(train.count(), new Random(spec.seed() * 1_000_003L + epoch));
                noise = new SplittableRandom(spec.seed() ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
            }

            @Override
            public double[] step(LoopState state, int s) {
                int[] idx = Arrays.copyOfRange(order, s * batch, (s + 1) * batch);
                float[] clean = data.images(idx);
                float[] corrupted = denoising ? corruptCopies(clean, k, data.size(), spec.corruption(), noise) : null;
                VaeModel.StepResult r = model.trainStep(clean, corrupted, data.labels(idx), batch, state.klWeight());
                return new double[] {r.loss(), r.reconstruction(), r.kl()};
            }

            @Override
            public double endEpoch(LoopState state, double[] mean, double seconds) {
                EpochMetrics m = validate(model, valData, spec, state.epoch(), mean[0], mean[1], mean[2],
                        state.learningRate(), state.klWeight(), seconds);
                history.add(m);
                return m.valLoss() != null ? m.valLoss() : m.trainLoss();
            }
        };
        TrainingListener jobHooks = new TrainingListener() {
            @Override
            public void onEpochEnd(LoopState state, double score) {
                listener.epochDone(model, history.get(history.size() - 1), early.best(), early.bestEpoch());
                if (state.stopRequested()) {
                    log.info("stopping early at epoch {}: no better validation loss since {}", state.epoch() + 1,
                            early.bestEpoch());
                }
            }
        };
        new TrainingLoop(() -> {
            if (listener.cancelled()) {
                throw new JobCancelled();
            }
        }, List.of(Schedules.learningRate(spec::learningRateAt), Schedules.klWeight(spec::klWeightAt),
                new NonFinitePolicy(NonFinitePolicy.DEFAULT_MAX_IN_A_ROW),
                new ProgressReporter(listener::progress, 0), early, jobHooks))
                .run(task, startEpoch, spec.epochs(), steps, batch);
        return new Result(model, List.copyOf(history), early.best(),
                early.best() == null ? bestEpoch : Integer.valueOf(early.bestEpoch()));
    }

    private static EpochMetrics validate(VaeModel model, Batches val, TrainingSpec spec, int epoch, double loss,
                                         double recon, double kl, double lr, double beta, double seconds) {
        if (val == null) {
            return new EpochMetrics(epoch + 1, loss, recon, kl, null, null, null, null, null, lr, beta, seconds);
        }
        int[] all = IntStream.range(0, val.count()).toArray();
        float[] clean = val.images(all);
        int[] labels = val.labels(all);
        boolean denoising = spec.modelType().denoising();
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

    /** K corrupted copies laid out copy-major (copy k of image i at block k), as the model expects. */
    public static float[] corruptCopies(float[] clean, int k, int size, CorruptionSpec spec, SplittableRandom rng) {
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

    private static PackedImages limit(PackedImages p, int max) {
        if (p.count() <= max) {
            return p;
        }
        int px = p.size() * p.size() * 3;
        return new PackedImages(max, p.size(), Arrays.copyOf(p.rgb(), max * px), Arrays.copyOf(p.grades(), max));
    }
}
