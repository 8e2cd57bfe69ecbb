package org.retinasynth.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class FeatureStatsTest {

    /** Means 1 and 3, variances (n-1) 2 and 8: (1-3)^2 + 2 + 8 - 2 sqrt(16) = 6. */
    @Test
    void oneDimensionalFrechetDistanceByHand() {
        double fd = FeatureStats.frechetDistance(new double[][] {{0}, {2}}, new double[][] {{1}, {5}});
        assertThat(fd).isCloseTo(6.0, within(1e-12));
    }

    /**
     * Non-commuting covariances. Real: (+-sqrt3, 0), (0, +-sqrt3/2), so S1 = diag(2, 0.5); fake: the
     * same points turned by 45 degrees and shifted by (1, 2), so S2 = [[1.25, .75], [.75, 1.25]].
     * For 2x2 matrices with positive eigenvalues Tr sqrt(M) = sqrt(Tr M + 2 sqrt(det M)); here
     * S1 S2 = [[2.5, 1.5], [.375, .625]] with trace 3.125 and determinant 1.
     */
    @Test
    void twoDimensionalFrechetDistanceByHand() {
        double a = Math.sqrt(3);
        double b = Math.sqrt(3) / 2;
        double[][] real = {{a, 0}, {-a, 0}, {0, b}, {0, -b}};
        double[][] fake = new double[4][];
        double r = Math.sqrt(0.5);
        for (int i = 0; i < 4; i++) {
            double x = real[i][0];
            double y = real[i][1];
            fake[i] = new double[] {r * (x - y) + 1, r * (x + y) + 2};
        }
        double expected = 1 + 4 + 2.5 + 2.5 - 2 * Math.sqrt(3.125 + 2);
        assertThat(FeatureStats.frechetDistance(real, fake)).isCloseTo(expected, within(1e-9));
        assertThat(FeatureStats.frechetDistance(real, real)).isCloseTo(0, within(1e-9));
    }

    /**
     * Reference value from the pytorch-fid formula (numpy.cov, scipy.linalg.sqrtm(S1 @ S2)) on these
     * fixed points, computed once with NumPy 2.4 / SciPy 1.17.
     */
    @Test
    void matchesTheScipyReference() {
        double[][] real = {{0.001, 0.299, -0.274}, {-0.891, -0.455, -0.992}, {0.06, 1.34, -0.492},
                {-0.62, 0.49, 0.357}, {0.105, -0.93, -0.029}, {0.695, -1.344, -0.458}, {-1.901, -1.29, -1.842},
                {-0.235, -1.267, 0.271}};
        double[][] fake = {{0.053, 0.291, -1.418}, {-0.116, 0.082, 0.465}, {-1.326, -0.843, -0.428},
                {-0.57, 1.056, 0.153}, {0.251, 1.268, 0.257}, {0.301, 0.455, 0.478}};
        assertThat(FeatureStats.frechetDistance(real, fake)).isCloseTo(1.0086699599713307, within(1e-9));
    }

    /** More dimensions than samples: rank-deficient covariances must not give NaN. */
    @Test
    void rankDeficientCovariancesStayFinite() {
        SplittableRandom rng = new SplittableRandom(1);
        double[][] x = new double[5][16];
        double[][] y = new double[5][16];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 16; j++) {
                x[i][j] = rng.nextGaussian();
                y[i][j] = rng.nextGaussian() + 1;
            }
        }
        double fd = FeatureStats.frechetDistance(x, y);
        assertThat(fd).isFinite().isGreaterThan(0);
        assertThat(FeatureStats.frechetDistance(x, x)).isCloseTo(0, within(1e-6));
    }

    /**
     * Real {0,1,2,3,6} (k=1 radii 1,1,1,1,3), fake {0.3, 0.5, 2.9} (radii 0.2, 0.2, 2.4).
     * Every fake point lies in two real balls: precision 1, density 6/3. Real 0 and 6 lie in no fake
     * ball: recall 3/5. Real 6's nearest fake point is 3.1 away, outside its radius 3: coverage 4/5.
     */
    @Test
    void prdcByHand() {
        double[][] real = {{0}, {1}, {2}, {3}, {6}};
        double[][] fake = {{0.3}, {0.5}, {2.9}};
        FeatureStats.Prdc m = FeatureStats.prdc(real, fake, 1);
        assertThat(m.precision()).isCloseTo(1.0, within(1e-12));
        assertThat(m.recall()).isCloseTo(3.0 / 5, within(1e-12));
        assertThat(m.density()).isCloseTo(2.0, within(1e-12));
        assertThat(m.coverage()).isCloseTo(4.0 / 5, within(1e-12));
    }

    @Test
    void prdcSeesModeDropping() {
        SplittableRandom rng = new SplittableRandom(3);
        double[][] real = new double[200][];
        double[][] fake = new double[200][];
        for (int i = 0; i < 200; i++) {
            real[i] = new double[] {rng.nextGaussian() + (i % 2 == 0 ? -5 : 5), rng.nextGaussian()};
            fake[i] = new double[] {rng.nextGaussian() - 5, rng.nextGaussian()}; // one mode only
        }
        FeatureStats.Prdc m = FeatureStats.prdc(real, fake, 5);
        assertThat(m.precision()).isGreaterThan(0.9);
        assertThat(m.coverage()).isBetween(0.35, 0.55);
        assertThat(m.recall()).isBetween(0.35, 0.6);
    }
}
