package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.TestImages;

class LatentPriorTest {

    private static final double[][] MEANS = {{2, -1, 0.5}, {-3, 0, 1}};
    /** Lower-triangular factors of each grade's covariance (L L^T). */
    private static final double[][][] FACTORS = {
            {{1.0, 0, 0}, {0.6, 0.5, 0}, {0, 0.3, 0.2}},
            {{0.3, 0, 0}, {0, 2.0, 0}, {0.1, 0.2, 0.4}}};

    @Test
    void aFittedGaussianPerGradeReproducesTheLatentsMeansAndCovariances() {
        int perGrade = 4000;
        int d = 3;
        float[] z = new float[2 * perGrade * d];
        int[] labels = new int[2 * perGrade];
        Random rng = new Random(7);
        for (int i = 0; i < 2 * perGrade; i++) {
            int g = i % 2;
            labels[i] = g;
            double[] eps = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            for (int r = 0; r < d; r++) {
                double v = MEANS[g][r];
                for (int c = 0; c < d; c++) {
                    v += FACTORS[g][r][c] * eps[c];
                }
                z[i * d + r] = (float) v;
            }
        }
        LatentPrior prior = LatentPrior.fit(z, labels, 2 * perGrade, d, 2, 1);
        for (int g = 0; g < 2; g++) {
            LatentPrior.Mixture m = prior.mixtures().get(g);
            assertThat(m.weights()).containsExactly(1.0);
            for (int r = 0; r < d; r++) {
                double variance = 0;
                for (int k = 0; k < d; k++) {
                    variance += FACTORS[g][r][k] * FACTORS[g][r][k];
                }
                // five standard errors of a mean of perGrade draws
                assertThat(m.means()[0][r]).as("grade %d mean %d", g, r)
                        .isCloseTo(MEANS[g][r], within(5 * Math.sqrt(variance / perGrade)));
                for (int c = 0; c < d; c++) {
                    double expected = 0;
                    for (int k = 0; k < d; k++) {
                        expected += FACTORS[g][r][k] * FACTORS[g][c][k];
                    }
                    // off-diagonal entries are shrunk by 5% towards 0 on purpose
                    double shrunk = r == c ? expected : 0.95 * expected;
                    assertThat(m.covariances()[0][r * d + c]).as("grade %d cov %d,%d", g, r, c)
                            .isCloseTo(shrunk, within(0.08 * Math.max(1, Math.abs(expected))));
                }
            }
        }
        // what it samples has the grade's statistics, and the same seed gives the same latents
        int n = 20000;
        int[] wanted = new int[n];
        java.util.Arrays.fill(wanted, 1);
        float[] a = prior.sample(wanted, n, 1.0, 11);
        assertThat(prior.sample(wanted, n, 1.0, 11)).isEqualTo(a);
        assertThat(prior.sample(wanted, n, 1.0, 12)).isNotEqualTo(a);
        double mean1 = 0;
        for (int i = 0; i < n; i++) {
            mean1 += a[i * d + 1] / n;
        }
        assertThat(mean1).isCloseTo(prior.mixtures().get(1).means()[0][1], within(5 * 2.0 / Math.sqrt(n)));
        // temperature 0 gives the component means
        float[] cold = prior.sample(new int[] {0}, 1, 0.0, 3);
        assertThat(cold[0]).isCloseTo((float) prior.mixtures().get(0).means()[0][0], within(1e-6f));
    }

    @Test
    void aGradeWithFewImagesStillGetsAProperGaussianAndUnknownGradesAreRefused() {
        float[] z = {1, 2, 1.5f, 2.5f, 9, 9, 9.5f, 9.2f, 8.8f, 9.1f};
        int[] labels = {0, 0, 1, 1, 1};
        LatentPrior prior = LatentPrior.fit(z, labels, 5, 2, 2, 4);
        assertThat(prior.mixtures()).hasSize(2);
        assertThat(prior.distribution(0).density(new double[] {1.25, 2.25})).isPositive().isFinite();
        assertThatThrownBy(() -> prior.sample(new int[] {2}, 1, 1.0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aModelKeepsItsFittedPriorAcrossSaveAndLoadAndSamplesFromIt() {
        VaeConfig config = VaeConfig.defaults(28).withWidth(4, 8).withNumClasses(5);
        int n = 20;
        int[] grades = TestImages.randomGrades(n, 3);
        float[] x = TestImages.fundusBatch(n, 28, grades, 3);
        try (VaeModel model = VaeModel.create(config, 5, "cpu")) {
            assertThatThrownBy(() -> model.sample(2, new int[] {0, 1}, 1.0, 1, true))
                    .isInstanceOf(IllegalStateException.class);
            LatentPrior prior = model.fitPrior(x, grades, n, 2);
            float[] fromPrior = model.sample(4, new int[] {0, 1, 2, 3}, 1.0, 9, true);
            byte[] archive = ModelRegistry.archive(model, Map.of());
            try (VaeModel loaded = ModelRegistry.load(archive, VaeModel.class, "cpu")) {
                assertThat(loaded.prior()).usingRecursiveComparison().isEqualTo(prior);
                assertThat(loaded.sample(4, new int[] {0, 1, 2, 3}, 1.0, 9, true)).isEqualTo(fromPrior);
                assertThat(loaded.sample(4, new int[] {0, 1, 2, 3}, 1.0, 9, false)).isNotEqualTo(fromPrior);
            }
            // decoding with batch statistics is a diagnostic only: the running averages stay as they were
            float[] z = new float[4 * config.latentDim()];
            float[] before = model.decode(z, new int[] {0, 1, 2, 3}, 4, false);
            model.decode(z, new int[] {0, 1, 2, 3}, 4, true);
            assertThat(model.decode(z, new int[] {0, 1, 2, 3}, 4, false)).isEqualTo(before);
        }
    }
}
