package org.retinasynth.training;

import java.util.LinkedHashMap;
import java.util.Map;
import org.retinasynth.dataset.DatasetService.PackedImages;
import org.retinasynth.learning.ClassifierTrainer;
import org.retinasynth.metrics.ClassificationMetrics;
import org.retinasynth.model.ClassifierConfig;
import org.retinasynth.model.ClassifierModel;

/**
 * A grade classifier trained inside a job on the job's own training split: the study's default
 * classifier (a small ResNet), its epoch chosen on the validation split, seeded by the job. It is the
 * grader of a filtered generation and the feature network of a VAE's feature-matching loss. Its
 * validation balanced accuracy is recorded, because a grader that cannot tell the grades apart
 * filters by its own bias rather than by grade.
 */
public final class GraderTraining {

    public static final int DEFAULT_EPOCHS = 20;
    private static final int BATCH = 64;
    private static final double LEARNING_RATE = 1e-3;
    private static final int WIDTH = 16;
    private static final double DROPOUT = 0.1;
    private static final double WEIGHT_DECAY = 1e-4;
    private static final int PATIENCE = 5;

    /** A trained grader, what it was trained with, and how it did on the validation split (null without one). */
    public record Trained(ClassifierModel model, Map<String, Object> settings, Double validationBalancedAccuracy) {
    }

    private GraderTraining() {
    }

    public static Trained train(PackedImages train, PackedImages val, int classes, int epochs, long seed,
                         Runnable cancellation) {
        float[] x = train.chw();
        float[] valX = val != null && val.count() > 0 ? val.chw() : null;
        int per = 3 * train.size() * train.size();
        ClassifierModel model = ClassifierModel.create(new ClassifierConfig(train.size(), 3, classes, WIDTH, DROPOUT,
                WEIGHT_DECAY), seed, null);
        try {
            ClassifierTrainer.Result r = ClassifierTrainer.train(model,
                    new ClassifierTrainer.Settings(epochs, BATCH, LEARNING_RATE, PATIENCE, seed),
                    new ClassifierTrainer.Data() {
                        @Override
                        public int count() {
                            return train.count();
                        }

                        @Override
                        public ClassifierTrainer.Batch batch(int[] indices) {
                            float[] b = new float[indices.length * per];
                            int[] g = new int[indices.length];
                            for (int i = 0; i < indices.length; i++) {
                                System.arraycopy(x, indices[i] * per, b, i * per, per);
                                g[i] = train.grades()[indices[i]];
                            }
                            return new ClassifierTrainer.Batch(b, g);
                        }
                    }, null, valX, valX != null ? val.grades() : null, null, cancellation);
            Double balanced = null;
            if (valX != null) {
                float[][] p = model.predictProba(valX, val.count());
                balanced = ClassificationMetrics.of(val.grades(), argmax(p), p, classes).balancedAccuracy();
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("model", model.describe());
            settings.put("width", WIDTH);
            settings.put("dropout", DROPOUT);
            settings.put("weightDecay", WEIGHT_DECAY);
            settings.put("epochs", epochs);
            settings.put("batchSize", BATCH);
            settings.put("learningRate", LEARNING_RATE);
            settings.put("earlyStoppingPatience", PATIENCE);
            settings.put("seed", seed);
            settings.put("trainedOn", "training split of the model's training dataset, " + train.count() + " images");
            settings.put("selectedOn", valX != null ? "validation split, " + val.count() + " images"
                    : "training loss (the dataset has no validation split)");
            settings.put("epochsRun", r.epochsRun());
            settings.put("selectedEpoch", r.selectedEpoch());
            return new Trained(model, settings, balanced);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static int[] argmax(float[][] p) {
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            for (int k = 1; k < p[i].length; k++) {
                if (p[i][k] > p[i][out[i]]) {
                    out[i] = k;
                }
            }
        }
        return out;
    }
}
