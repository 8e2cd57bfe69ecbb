package org.retinasynth.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The filter with a stub model: each "image" is one float, a uniform draw in [0, 1) from the
 * sampler's seed, and the stub grader gives the intended grade that value as its probability
 * (the rest spread over the other grades). So the images that must be kept are known exactly.
 */
class GradeFilterTest {

    private static final int GRADES = 3;

    /** One float per image: uniform in [0, 1), reproducible from the seed alone. */
    private static final GradeFilter.Sampler SAMPLER = (n, grade, seed) -> {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextDouble();
        }
        return x;
    };

    /** p(intended grade) = the image's value; the grade is read from a field the test sets before each run. */
    private static final class StubGrader implements GradeFilter.Grader {
        int grade;
        int calls;

        @Override
        public float[][] proba(float[] images, int n) {
            calls++;
            float[][] p = new float[n][GRADES];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < GRADES; k++) {
                    p[i][k] = k == grade ? images[i] : (1 - images[i]) / (GRADES - 1);
                }
            }
            return p;
        }
    }

    /** A sampler that tells the grader which grade it drew, as a conditional model's label would. */
    private static GradeFilter.Sampler tracking(StubGrader grader) {
        return (n, grade, seed) -> {
            grader.grade = grade;
            return SAMPLER.sample(n, grade, seed);
        };
    }

    @Test
    void keepsOnlySamplesAtOrAboveTheThresholdAndCountsThemPerGrade() {
        StubGrader grader = new StubGrader();
        GradeFilter.Result r = GradeFilter.run(tracking(grader), grader, 1, new int[] {0, 40, 7}, 0.7, 50, 11L);

        assertThat(r.count()).isEqualTo(47);
        for (int i = 0; i < r.count(); i++) {
            assertThat(r.images()[i]).isGreaterThanOrEqualTo(0.7f);
        }
        assertThat(r.grades()).containsOnly(1, 2);
        assertThat(java.util.Arrays.stream(r.grades()).filter(g -> g == 1).count()).isEqualTo(40);
        // a grade asked for nothing is not drawn from and has no tally
        assertThat(r.tallies()).extracting(GradeFilter.FilterTally::grade).containsExactly(1, 2);
        for (GradeFilter.FilterTally t : r.tallies()) {
            assertThat(t.accepted()).isEqualTo(t.requested());
            assertThat(t.shortfall()).isZero();
            assertThat(t.passed()).isGreaterThanOrEqualTo(t.accepted());
            assertThat(t.drawn()).isGreaterThan(t.requested());
            assertThat(t.acceptanceRate()).isEqualTo((double) t.passed() / t.drawn());
        }
        // about 30% of uniform draws pass 0.7; over all draws of both grades that is well inside 0.15-0.45
        int drawn = r.tallies().stream().mapToInt(GradeFilter.FilterTally::drawn).sum();
        int passed = r.tallies().stream().mapToInt(GradeFilter.FilterTally::passed).sum();
        assertThat((double) passed / drawn).isBetween(0.15, 0.45);
    }

    @Test
    void keepsExactlyTheFirstPassingDrawsInDrawOrderWithWholeImages() {
        // two floats per image, both the same value, so a mis-copied image shows up
        java.util.List<Float> seen = new java.util.ArrayList<>();
        GradeFilter.Sampler twoFloats = (n, grade, seed) -> {
            float[] one = SAMPLER.sample(n, grade, seed);
            float[] x = new float[2 * n];
            for (int i = 0; i < n; i++) {
                x[2 * i] = one[i];
                x[2 * i + 1] = one[i];
                seen.add(one[i]);
            }
            return x;
        };
        GradeFilter.Grader grader = (images, n) -> {
            float[][] p = new float[n][2];
            for (int i = 0; i < n; i++) {
                p[i][0] = images[2 * i];
                p[i][1] = 1 - images[2 * i];
            }
            return p;
        };
        GradeFilter.Result r = GradeFilter.run(twoFloats, grader, 2, new int[] {12}, 0.5, 50, 3L);
        float[] expected = new float[12];
        int k = 0;
        for (float v : seen) {
            if (v >= 0.5f && k < 12) {
                expected[k++] = v;
            }
        }
        assertThat(k).isEqualTo(12);
        for (int i = 0; i < 12; i++) {
            assertThat(r.images()[2 * i]).isEqualTo(expected[i]);
            assertThat(r.images()[2 * i + 1]).isEqualTo(expected[i]);
        }
        GradeFilter.FilterTally t = r.tallies().get(0);
        assertThat(t.drawn()).isEqualTo(seen.size());
        assertThat(t.passed()).isEqualTo((int) seen.stream().filter(v -> v >= 0.5f).count());
    }

    @Test
    void aBudgetThatRunsOutDeliversWhatWasAcceptedAndReportsTheShortfall() {
        StubGrader grader = new StubGrader();
        // p >= 0.99 passes about 1% of draws: 20 images at 3 draws each cannot be met
        GradeFilter.Result r = GradeFilter.run(tracking(grader), grader, 1, new int[] {20, 0}, 0.99, 3, 5L);
        GradeFilter.FilterTally t = r.tallies().get(0);
        assertThat(t.drawn()).isEqualTo(60);
        assertThat(t.accepted()).isLessThan(20).isEqualTo(r.count());
        assertThat(t.shortfall()).isEqualTo(20 - t.accepted());
        for (int i = 0; i < r.count(); i++) {
            assertThat(r.images()[i]).isGreaterThanOrEqualTo(0.99f);
        }
    }

    @Test
    void theSameSeedGivesTheSameImagesAndCountsAndAnotherSeedOtherOnes() {
        StubGrader g1 = new StubGrader();
        StubGrader g2 = new StubGrader();
        StubGrader g3 = new StubGrader();
        int[] wanted = {4, 9, 6};
        GradeFilter.Result a = GradeFilter.run(tracking(g1), g1, 1, wanted, 0.6, 50, 42L);
        GradeFilter.Result b = GradeFilter.run(tracking(g2), g2, 1, wanted, 0.6, 50, 42L);
        GradeFilter.Result c = GradeFilter.run(tracking(g3), g3, 1, wanted, 0.6, 50, 43L);
        assertThat(b.images()).containsExactly(a.images());
        assertThat(b.grades()).containsExactly(a.grades());
        assertThat(b.tallies()).isEqualTo(a.tallies());
        assertThat(c.images()).isNotEqualTo(a.images());
    }

    @Test
    void refusesAThresholdOutsideTheOpenUnitInterval() {
        StubGrader grader = new StubGrader();
        assertThatThrownBy(() -> GradeFilter.run(SAMPLER, grader, 1, new int[] {1}, 1.0, 50, 0L))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GradeFilter.run(SAMPLER, grader, 1, new int[] {1}, 0.0, 50, 0L))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
