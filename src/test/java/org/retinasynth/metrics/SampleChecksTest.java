package org.retinasynth.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SampleChecksTest {

    /** Features of "real images": a correlated Gaussian cloud. */
    private static double[][] real(int n, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][8];
        for (int i = 0; i < n; i++) {
            double shared = r.nextGaussian();
            for (int j = 0; j < 8; j++) {
                x[i][j] = 2 + shared + 0.5 * r.nextGaussian();
            }
        }
        return x;
    }

    private static double[][] noise(int n, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][8];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 8; j++) {
                x[i][j] = r.nextGaussian();
            }
        }
        return x;
    }

    @Test
    void theTwoSampleTestTellsNoiseFromRealAndCannotTellRealFromRealHeldOut() {
        assertThat(SampleChecks.twoSampleAuc(real(300, 1), noise(300, 2), real(200, 3), noise(200, 4)))
                .isGreaterThan(0.95);
        assertThat(SampleChecks.twoSampleAuc(real(300, 1), real(300, 5), real(200, 3), real(200, 6)))
                .isCloseTo(0.5, within(0.08));
    }

    @Test
    void theMemorisationCheckFlagsAGeneratorThatReturnsTrainingImages() {
        double[][] train = real(400, 1);
        double[][] heldOut = real(200, 2);
        double[][] copies = java.util.Arrays.copyOf(train, 200);
        SampleChecks.Memorisation copying = SampleChecks.memorisation(train, heldOut, copies);
        assertThat(copying.fakeToTrainMedian()).isZero();
        assertThat(copying.ratio()).isZero();
        assertThat(copying.nearCopies()).isEqualTo(1.0);
        SampleChecks.Memorisation fresh = SampleChecks.memorisation(train, heldOut, real(200, 3));
        assertThat(fresh.ratio()).isCloseTo(1.0, within(0.2));
        assertThat(fresh.nearCopies()).isLessThan(0.15);
    }

    @Test
    void aucCountsTiesAsHalf() {
        assertThat(SampleChecks.auc(new double[] {1, 2}, new double[] {0, 2})).isEqualTo(0.625);
    }
}
