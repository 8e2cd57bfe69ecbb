package org.retinasynth.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

    private static float[][] oneHot(int[] predicted, int classes) {
        float[][] p = new float[predicted.length][classes];
        for (int i = 0; i < predicted.length; i++) {
            p[i][predicted[i]] = 1;
        }
        return p;
    }

    /**
     * Confusion [[1,1,0],[0,2,0],[1,0,1]] worked by hand: recall 1/2, 1, 1/2; F1 2/4, 4/5, 2/3;
     * quadratic weights give observed disagreement 1*1 + 1*4 = 5 and expected
     * (2/6) * (2*5 + 3*2 + 1*5) = 7, so kappa = 1 - 5/7.
     */
    @Test
    void handWorkedThreeClassExample() {
        int[] truth = {0, 0, 1, 1, 2, 2};
        int[] predicted = {0, 1, 1, 1, 2, 0};
        ClassificationMetrics m = ClassificationMetrics.of(truth, predicted, oneHot(predicted, 3), 3);
        assertThat(m.confusion()).isDeepEqualTo(new int[][] {{1, 1, 0}, {0, 2, 0}, {1, 0, 1}});
        assertThat(m.accuracy()).isCloseTo(4.0 / 6, within(1e-12));
        assertThat(m.recall()).containsExactly(new double[] {0.5, 1, 0.5}, within(1e-12));
        assertThat(m.balancedAccuracy()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.macroF1()).isCloseTo((0.5 + 0.8 + 2.0 / 3) / 3, within(1e-12));
        assertThat(m.quadraticWeightedKappa()).isCloseTo(2.0 / 7, within(1e-12));
    }

    /** sklearn's roc_auc_score documentation: y = [0,0,1,1], scores [0.1,0.4,0.35,0.8] give 0.75. */
    @Test
    void aucMatchesTheSklearnExampleForBothClasses() {
        int[] truth = {0, 0, 1, 1};
        float[] s = {0.1f, 0.4f, 0.35f, 0.8f};
        float[][] p = new float[4][];
        int[] predicted = new int[4];
        for (int i = 0; i < 4; i++) {
            p[i] = new float[] {1 - s[i], s[i]};
            predicted[i] = s[i] >= 0.5f ? 1 : 0;
        }
        assertThat(ClassificationMetrics.of(truth, predicted, p, 2).macroAuc()).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void tiedScoresCountHalf() {
        int[] truth = {0, 1, 0, 1};
        float[][] p = {{0.5f, 0.5f}, {0.5f, 0.5f}, {0.9f, 0.1f}, {0.1f, 0.9f}};
        // class 1: positive pairs (0.5 vs 0.5 tie, 0.5 vs 0.1 win, 0.9 vs 0.5 win, 0.9 vs 0.1 win) = 3.5/4
        ClassificationMetrics m = ClassificationMetrics.of(truth, new int[] {0, 0, 0, 1}, p, 2);
        assertThat(m.macroAuc()).isCloseTo(3.5 / 4, within(1e-12));
    }

    @Test
    void classesAbsentFromTruthAreLeftOutOfRecallAverageAndAuc() {
        int[] truth = {0, 0, 1, 1};
        int[] predicted = {0, 2, 1, 1};
        float[][] p = {{0.8f, 0.1f, 0.1f}, {0.3f, 0.2f, 0.5f}, {0.1f, 0.8f, 0.1f}, {0.2f, 0.7f, 0.1f}};
        ClassificationMetrics m = ClassificationMetrics.of(truth, predicted, p, 3);
        assertThat(m.recall()[2]).isNaN();
        assertThat(m.balancedAccuracy()).isCloseTo((0.5 + 1) / 2, within(1e-12));
        // class 2 is predicted, so it enters the F1 mean with F1 = 0 (as in sklearn)
        assertThat(m.macroF1()).isCloseTo((2.0 / 3 + 1 + 0) / 3, within(1e-12));
        // class 0: positives score 0.8, 0.3 against 0.1, 0.2 -> 1; class 1 likewise -> 1
        assertThat(m.macroAuc()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void perfectPredictionsAndNoVariation() {
        int[] truth = {0, 1, 2, 3, 4};
        ClassificationMetrics m = ClassificationMetrics.of(truth, truth, oneHot(truth, 5), 5);
        assertThat(m.quadraticWeightedKappa()).isEqualTo(1.0);
        assertThat(m.macroF1()).isEqualTo(1.0);
        int[] same = {2, 2, 2};
        ClassificationMetrics flat = ClassificationMetrics.of(same, same, oneHot(same, 5), 5);
        assertThat(flat.quadraticWeightedKappa()).isNaN();
        assertThat(flat.macroAuc()).isNaN();
    }

    @Test
    void rejectsLabelsOutOfRange() {
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {0, 3}, new int[] {0, 1},
                new float[][] {{1, 0, 0}, {0, 1, 0}}, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truth[1]");
    }
}
