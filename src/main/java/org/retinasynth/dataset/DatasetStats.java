package org.retinasynth.dataset;

import java.util.List;
import java.util.Map;

/**
 * Counts and image-property summaries of a dataset.
 *
 * @param countsBySplit   split label (train/val/test) to counts per grade index
 * @param imbalanceRatio  largest over smallest non-empty grade count; null when empty
 * @param missingGrades   grades with no image at all (the ratio ignores them, so they are listed)
 * @param patients        distinct patients named by uploads (0 when none was)
 * @param imagesWithoutPatient images whose upload named no patient; they are split per image
 * @param patientsBySplit split label to the distinct patients with images in it
 * @param patientOverlap  patients with images in more than one split (only stored when an upload
 *                        allowed it); empty when every patient is in one split
 * @param countsByEye     left/right to image counts, for images whose eye was given
 * @param duplicates      exact and near-duplicate images, within and across splits
 */
public record DatasetStats(String datasetId, long total, List<String> classNames, List<Long> countsByGrade,
                           Map<String, List<Long>> countsBySplit, Double imbalanceRatio, List<Integer> missingGrades,
                           List<GradeSummary> grades, long patients, long imagesWithoutPatient,
                           Map<String, Long> patientsBySplit, List<PatientOverlap> patientOverlap,
                           Map<String, Long> countsByEye, Duplicates duplicates) {

    /** A patient whose images are in more than one split, and those splits. */
    public record PatientOverlap(String patient, List<String> splits) {
    }

    /** Original pixel size and preprocessed-image quality of one grade. */
    public record GradeSummary(int grade, String className, long count, Summary width, Summary height,
                               Summary brightness, Summary contrast, Summary sharpness) {
    }

    public record Summary(double mean, double std, double min, double max) {

        static Summary of(double[] values) {
            if (values.length == 0) {
                return null;
            }
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double mean = sum / values.length;
            double ss = 0;
            for (double v : values) {
                ss += (v - mean) * (v - mean);
            }
            double std = values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0;
            return new Summary(mean, std, min, max);
        }
    }
}
