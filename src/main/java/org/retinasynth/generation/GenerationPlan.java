package org.retinasynth.generation;

import java.util.List;

/**
 * A request resolved against its model: how many images of which grade, in which order, from
 * which seeds. Image {@code i} belongs to chunk {@code i / chunkSize}; images are ordered by grade,
 * so the same plan always yields the same files with the same bytes.
 *
 * @param mode           COUNTS, BALANCE or TOTAL
 * @param countsPerGrade images per grade; null for an unconditional model
 * @param target         the per-grade level a BALANCE plan tops up to
 * @param trainCounts    the training split's images per grade a BALANCE plan started from
 * @param classNames     grade names of the training dataset, for the datasets made from this set
 * @param prior          where latents come from: {@code FITTED} or {@code STANDARD}; null in plans made
 *                       before the fitted prior existed, which sampled N(0, I)
 * @param filter         the grader filter each chunk's images pass; null for none
 */
public record GenerationPlan(String mode, List<Integer> countsPerGrade, int total, Integer target,
                             List<Long> trainCounts, double temperature, long seed, int chunkSize, int imageSize,
                             List<String> classNames, String prior, GenerationRequest.FilterSpec filter) {

    boolean fittedPrior() {
        return GenerationRequest.FITTED.equals(prior);
    }

    public boolean conditional() {
        return countsPerGrade != null;
    }

    int chunks() {
        return (total + chunkSize - 1) / chunkSize;
    }

    /** Grade of image {@code index}, or -1 for an unconditional model. */
    int gradeOf(int index) {
        if (countsPerGrade == null) {
            return -1;
        }
        int end = 0;
        for (int g = 0; g < countsPerGrade.size(); g++) {
            end += countsPerGrade.get(g);
            if (index < end) {
                return g;
            }
        }
        throw new IndexOutOfBoundsException("image " + index + " of " + total);
    }

    /** Path of image {@code index} inside the ZIP: ImageFolder layout, grade folders. */
    String filename(int index) {
        int g = gradeOf(index);
        return g < 0 ? String.format(java.util.Locale.ROOT, "unlabelled/img_%06d.png", index)
                : String.format(java.util.Locale.ROOT, "%d/g%d_%06d.png", g, g, index);
    }

    /**
     * Each chunk draws its latents from its own seed, so a chunk can be made again alone (after a
     * crash) with the same result.
     */
    long chunkSeed(int chunk) {
        return seed ^ (0x9E3779B97F4A7C15L * (chunk + 1L));
    }
}
