package org.retinasynth.learning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.retinasynth.model.GradeClassifier;
import org.retinasynth.model.TorchModel;

/**
 * The grade classifier's part in the {@link TrainingLoop}: class-weighted cross-entropy steps in a
 * seeded batch order, cosine learning rate, validation cross-entropy to choose the epoch, and with
 * a patience early stopping that puts the best epoch's weights back. Any {@link GradeClassifier}
 * (a ResNet from scratch or a classifier on a VAE's encoder) is trained the same way.
 */
public final class ClassifierTrainer {

    /** A batch of images (NCHW, [0,1]) and their grades. */
    public record Batch(float[] images, int[] labels) {
    }

    /** The training set as the trainer reads it. */
    public interface Data {
        int count();

        Batch batch(int[] indices);
    }

    /** Changes a batch's images in place (e.g. classic augmentation), drawing from {@code rng}. */
    public interface Augmentation {
        void apply(float[] images, int n, SplittableRandom rng);
    }

    /**
     * @param patience 0: run every epoch and keep the last; else stop after this many epochs without
     *                 a lower validation loss and keep the best epoch
     */
    public record Settings(int epochs, int batchSize, double learningRate, int patience, long seed) {
    }

    /**
     * @param trainLoss     mean training cross-entropy per epoch
     * @param valLoss       validation cross-entropy per epoch (the training one without validation images)
     * @param selectedEpoch the 1-based epoch whose weights the model holds
     */
    public record Result(List<Double> trainLoss, List<Double> valLoss, int epochsRun, int bestEpoch,
                         int selectedEpoch) {
    }

    private ClassifierTrainer() {
    }

    /**
     * Trains {@code model} in place.
     *
     * @param classWeights  one weight per class, or null for uniform
     * @param valImages     validation images, or null/empty to score epochs by their training loss
     * @param augmentation  null for none
     * @param cancellation  run before every batch; throws to cancel
     */
    public static Result train(GradeClassifier<?> model, Settings settings, Data data, float[] classWeights,
                               float[] valImages, int[] valLabels, Augmentation augmentation,
                               Runnable cancellation) {
        int batch = Math.min(settings.batchSize(), data.count());
        int steps = Math.max(1, data.count() / batch);
        long seed = settings.seed();
        List<Double> trainLoss = new ArrayList<>();
        List<Double> valLoss = new ArrayList<>();
        SplittableRandom augmentRng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 1);
        boolean validated = valLabels != null && valLabels.length > 0;
        TrainingLoop.Task task = new TrainingLoop.Task() {
            private int[] order;

            @Override
            public void beginEpoch(LoopState state) {
                model.setLearningRate(state.learningRate());
                order = TrainingLoop.permutation(data.count(), new Random(seed * 1_000_003L + state.epoch()));
            }

            @Override
            public double[] step(LoopState state, int s) {
                Batch b = data.batch(Arrays.copyOfRange(order, s * batch, (s + 1) * batch));
                int n = b.labels().length;
                if (augmentation != null) {
                    augmentation.apply(b.images(), n, augmentRng);
                }
                return new double[] {model.trainStep(b.images(), b.labels(), classWeights, n)};
            }

            @Override
            public double endEpoch(LoopState state, double[] mean, double seconds) {
                trainLoss.add(mean[0]);
                double vl = validated ? crossEntropy(model.predictProba(valImages, valLabels.length), valLabels)
                        : mean[0];
                valLoss.add(vl);
                return vl;
            }
        };
        try (Best best = settings.patience() > 0 ? new Best(model) : null) {
            EarlyStopping early = new EarlyStopping(settings.patience(), Double.POSITIVE_INFINITY, 0, best);
            LoopState end = new TrainingLoop(cancellation, List.of(
                    Schedules.learningRate(Schedules.cosine(settings.learningRate(), settings.epochs())), early))
                    .run(task, 0, settings.epochs(), steps, batch);
            int selected = settings.patience() > 0 ? early.bestEpoch() : end.epochsRun();
            return new Result(List.copyOf(trainLoss), List.copyOf(valLoss), end.epochsRun(), early.bestEpoch(),
                    selected);
        }
    }

    /** Mean cross-entropy of predicted probabilities against the true grades, in nats. */
    public static double crossEntropy(float[][] p, int[] truth) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s -= Math.log(Math.max(p[i][truth[i]], 1e-7));
        }
        return s / p.length;
    }

    /** The best epoch's weights, kept beside the model. */
    private static final class Best implements EarlyStopping.Keeper, AutoCloseable {
        private final GradeClassifier<?> model;
        private TorchModel.Snapshot kept;

        Best(GradeClassifier<?> model) {
            this.model = model;
        }

        @Override
        public void keep() {
            close();
            kept = model.snapshot();
        }

        @Override
        public void restore() {
            model.restore(kept);
        }

        @Override
        public void close() {
            if (kept != null) {
                kept.close();
                kept = null;
            }
        }
    }
}
