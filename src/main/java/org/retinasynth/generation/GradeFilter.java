package org.retinasynth.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Grader-filtered synthesis: draws samples of one grade from a conditional model, has a grade
 * classifier score them, and keeps only those it assigns to the intended grade with probability
 * at least {@code threshold}, until enough are accepted or the draw budget is spent. A prior sample
 * that a classifier of real images cannot place in its grade teaches a downstream classifier the
 * wrong boundary; this is where such samples are turned away, for studies and generation jobs alike.
 *
 * <p>Plain Java on both sides (a sampler and a grader), so that it is seeded and testable without
 * a model: the same sampler, grader and seed give the same images and counts.
 */
public final class GradeFilter {

    /** The most images drawn per image asked for, unless the caller gives another budget. */
    public static final int DEFAULT_DRAWS_PER_IMAGE = 50;
    /** The most images drawn and graded at once: bounds memory at large image sizes. */
    static final int MAX_CHUNK = 256;

    /** Draws {@code n} images of {@code grade} (CHW floats, concatenated), deterministically for {@code seed}. */
    @FunctionalInterface
    public interface Sampler {
        float[] sample(int n, int grade, long seed);
    }

    /** Class probabilities of {@code n} images, one row per image. */
    @FunctionalInterface
    public interface Grader {
        float[][] proba(float[] images, int n);
    }

    /**
     * One grade's bookkeeping.
     *
     * @param requested      images asked for
     * @param drawn          images sampled and graded (the last chunk may overshoot what was still missing)
     * @param passed         drawn images the grader placed in the grade with p >= threshold
     * @param accepted       images kept: at most {@code requested}; fewer only when the budget ran out
     * @param acceptanceRate passed / drawn: counts the overshoot too, so it does not depend on where the
     *                       quota cut the last chunk
     */
    public record FilterTally(int grade, int requested, int drawn, int passed, int accepted, double acceptanceRate) {

        FilterTally(int grade, int requested, int drawn, int passed, int accepted) {
            this(grade, requested, drawn, passed, accepted, (double) passed / drawn);
        }

        /** Images asked for but not delivered: the budget ran out first. */
        public int shortfall() {
            return requested - accepted;
        }
    }

    private GradeFilter() {
    }

    /** What a run delivers: the kept images in grade order, their grades, and one tally per grade asked for. */
    public record Result(float[] images, int[] grades, List<FilterTally> tallies) {

        public int count() {
            return grades.length;
        }
    }

    /**
     * Filters every grade with a positive count in {@code wanted}, grade by grade.
     *
     * @param floatsPerImage channels x height x width of one image
     * @param drawsPerImage  the budget: at most {@code drawsPerImage x wanted[g]} draws for grade g
     * @param seed           the first chunk of grade g samples with a seed derived from this and g
     */
    public static Result run(Sampler sampler, Grader grader, int floatsPerImage, int[] wanted, double threshold,
                             int drawsPerImage, long seed) {
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1), was " + threshold);
        }
        if (drawsPerImage < 1) {
            throw new IllegalArgumentException("drawsPerImage must be >= 1, was " + drawsPerImage);
        }
        int total = Arrays.stream(wanted).sum();
        float[] images = new float[Math.multiplyExact(total, floatsPerImage)];
        int[] grades = new int[total];
        List<FilterTally> tallies = new ArrayList<>();
        int kept = 0;
        for (int g = 0; g < wanted.length; g++) {
            if (wanted[g] <= 0) {
                continue;
            }
            long budget = (long) drawsPerImage * wanted[g];
            int accepted = 0;
            int passed = 0;
            long drawn = 0;
            for (int chunk = 0; accepted < wanted[g] && drawn < budget; chunk++) {
                int missing = wanted[g] - accepted;
                // aim at what is missing at the acceptance seen so far (all of it at first), never below 1/50
                double rate = drawn == 0 ? 1 : Math.max((double) passed / drawn, 1.0 / DEFAULT_DRAWS_PER_IMAGE);
                int n = (int) Math.min(Math.min(budget - drawn, MAX_CHUNK), Math.max(1, Math.ceil(missing / rate)));
                float[] x = sampler.sample(n, g, chunkSeed(seed, g, chunk));
                float[][] p = grader.proba(x, n);
                drawn += n;
                for (int i = 0; i < n; i++) {
                    if (p[i][g] >= threshold) {
                        passed++;
                        if (accepted < wanted[g]) {
                            System.arraycopy(x, i * floatsPerImage, images, kept * floatsPerImage, floatsPerImage);
                            grades[kept++] = g;
                            accepted++;
                        }
                    }
                }
            }
            tallies.add(new FilterTally(g, wanted[g], (int) drawn, passed, accepted));
        }
        return new Result(kept == total ? images : Arrays.copyOf(images, kept * floatsPerImage),
                kept == total ? grades : Arrays.copyOf(grades, kept), List.copyOf(tallies));
    }

    private static long chunkSeed(long seed, int grade, int chunk) {
        return seed * 1_000_003L + grade * 7_919L + chunk * 104_729L;
    }
}
