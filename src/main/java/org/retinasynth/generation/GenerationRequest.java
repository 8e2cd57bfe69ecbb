package org.retinasynth.generation;

import java.util.List;
import org.retinasynth.training.GraderTraining;

/**
 * What a caller asks for. Exactly one of {@code counts} (images per grade), {@code balance} (top
 * every grade of the model's training split up to the largest grade, or to {@code target}) or
 * {@code count} (a total, for unconditional models) is given.
 *
 * @param modelId     a SUCCEEDED training job
 * @param temperature z ~ N(0, temperature² I); null means 1
 * @param seed        null picks one at random; it is always recorded
 * @param prior       {@code FITTED} (the prior fitted to the model's training posteriors) or {@code STANDARD}
 *                    (N(0, I)); null means FITTED when the model has one
 * @param filter      keep only images a grader places in their grade; null for none (conditional models only)
 */
public record GenerationRequest(String modelId, List<Integer> counts, Boolean balance, Integer target, Integer count,
                                Double temperature, Long seed, String prior, FilterSpec filter) {

    public static final String FITTED = "FITTED";
    public static final String STANDARD = "STANDARD";

    /**
     * A grade classifier is trained inside the job on the model's training dataset (training split,
     * epoch chosen on the validation split, seeded by the generation seed), and an image is kept only
     * if it gives the image's grade probability {@code >= threshold}.
     *
     * @param threshold    in (0, 1); null means 0.5
     * @param graderEpochs the grader's most epochs (early stopping on validation); null means
     *                     {@value GraderTraining#DEFAULT_EPOCHS}
     */
    public record FilterSpec(Double threshold, Integer graderEpochs) {

        public double thresholdOrDefault() {
            return threshold != null ? threshold : 0.5;
        }

        public int graderEpochsOrDefault() {
            return graderEpochs != null ? graderEpochs : GraderTraining.DEFAULT_EPOCHS;
        }
    }
}
