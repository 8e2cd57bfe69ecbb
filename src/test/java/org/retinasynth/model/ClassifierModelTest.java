package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinasynth.testsupport.TestImages;

class ClassifierModelTest {

    private static final int SIZE = 28;

    private static ClassifierConfig small(int classes, double dropout) {
        return new ClassifierConfig(SIZE, 3, classes, 16, dropout, 1e-4);
    }

    /** Grade 0 (no lesions) as class 0 against grade 4 (eight dark dots) as class 1. */
    private static int[] twoGrades(int n, long seed) {
        int[] g = TestImages.randomGrades(n, seed);
        for (int i = 0; i < n; i++) {
            g[i] = g[i] % 2;
        }
        return g;
    }

    private static float[] images(int[] classes, long seed) {
        int[] grades = new int[classes.length];
        for (int i = 0; i < classes.length; i++) {
            grades[i] = classes[i] * 4;
        }
        return TestImages.fundusBatch(classes.length, SIZE, grades, seed);
    }

    @Test
    void shapesAcrossImageSizes() {
        for (int size : new int[] {28, 30, 96, 200}) {
            ClassifierConfig c = new ClassifierConfig(size, 3, 5, 16, 0, 0);
            try (ClassifierModel m = ClassifierModel.create(c, 1, "cpu")) {
                float[] x = TestImages.fundusBatch(3, size, new int[] {0, 2, 4}, 5);
                float[][] p = m.predictProba(x, 3);
                assertThat(p).hasNumberOfRows(3);
                for (float[] row : p) {
                    assertThat(row).hasSize(5);
                    double sum = 0;
                    for (float v : row) {
                        sum += v;
                    }
                    assertThat(sum).isCloseTo(1.0, within(1e-5));
                }
                assertThat(m.featureDim()).isEqualTo(64);
                assertThat(m.features(x, 3)).hasDimensions(3, 64);
                assertThat(m.parameterCount()).isGreaterThan(10_000);
                assertThat(m.device()).isEqualTo("cpu");
                assertThat(m.trainStep(x, new int[] {0, 2, 4}, null, 3)).isFinite().isPositive();
            }
        }
    }

    @Test
    void learnsToSeparateTwoGradesOnHeldOutImages() {
        try (ClassifierModel m = ClassifierModel.create(small(2, 0.2), 7, "cpu")) {
            m.setLearningRate(3e-3);
            double first = 0;
            double last = 0;
            int steps = 40;
            for (int step = 0; step < steps; step++) {
                int[] y = twoGrades(16, 100 + step);
                double loss = m.trainStep(images(y, 1000 + step), y, null, 16);
                if (step < 5) {
                    first += loss / 5;
                } else if (step >= steps - 5) {
                    last += loss / 5;
                }
            }
            int[] y = twoGrades(48, 9);
            float[][] p = m.predictProba(images(y, 99_999), 48);
            int correct = 0;
            for (int i = 0; i < 48; i++) {
                correct += (p[i][1] > p[i][0] ? 1 : 0) == y[i] ? 1 : 0;
            }
            System.out.printf("classifier: loss %.3f -> %.3f, held-out accuracy %d/48%n", first, last, correct);
            assertThat(last).isLessThan(0.5 * first);
            assertThat(correct).isGreaterThanOrEqualTo(40); // chance is 24
        }
    }

    @Test
    void sameSeedGivesIdenticalLossesDropoutIncluded() {
        List<List<Double>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            List<Double> losses = new ArrayList<>();
            try (ClassifierModel m = ClassifierModel.create(small(5, 0.5), 42, "cpu")) {
                for (int step = 0; step < 3; step++) {
                    int[] g = TestImages.randomGrades(8, step);
                    losses.add(m.trainStep(TestImages.fundusBatch(8, SIZE, g, step), g, null, 8));
                }
            }
            runs.add(losses);
        }
        assertThat(runs.get(0)).isEqualTo(runs.get(1));
        assertThat(runs.get(0).get(2)).isNotEqualTo(runs.get(0).get(0));
    }

    /** The weighted mean does not depend on the weights' scale; zero-weighted rows do not count. */
    @Test
    void classWeightsWeightTheMean() {
        int[] g = {0, 1, 1, 1};
        float[] x = TestImages.fundusBatch(4, SIZE, new int[] {0, 4, 4, 4}, 3);
        double plain;
        double scaled;
        double zeroed;
        double ones;
        try (ClassifierModel m = ClassifierModel.create(small(2, 0), 5, "cpu")) {
            plain = m.trainStep(x, g, null, 4);
        }
        try (ClassifierModel m = ClassifierModel.create(small(2, 0), 5, "cpu")) {
            scaled = m.trainStep(x, g, new float[] {3f, 3f}, 4);
        }
        try (ClassifierModel m = ClassifierModel.create(small(2, 0), 5, "cpu")) {
            zeroed = m.trainStep(x, g, new float[] {0f, 1f}, 4);
        }
        try (ClassifierModel m = ClassifierModel.create(small(2, 0), 5, "cpu")) {
            ones = m.trainStep(x, g, new float[] {1f, 1f}, 4);
        }
        assertThat(scaled).isCloseTo(plain, within(1e-5));
        assertThat(ones).isCloseTo(plain, within(1e-5));
        assertThat(zeroed).isNotCloseTo(plain, within(1e-4));
        assertThatThrownBy(() -> {
            try (ClassifierModel m = ClassifierModel.create(small(2, 0), 5, "cpu")) {
                m.trainStep(x, new int[] {0, 0, 0, 0}, new float[] {0f, 1f}, 4);
            }
        }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum to 0");
    }

    @Test
    void saveLoadRoundTripGivesIdenticalPredictions(@TempDir Path dir) {
        float[] x = TestImages.fundusBatch(6, SIZE, new int[] {0, 1, 2, 3, 4, 0}, 11);
        float[][] before;
        float[][] featuresBefore;
        try (ClassifierModel m = ClassifierModel.create(small(5, 0.2), 3, "cpu")) {
            for (int step = 0; step < 3; step++) {
                int[] g = TestImages.randomGrades(8, step);
                m.trainStep(TestImages.fundusBatch(8, SIZE, g, step), g, null, 8);
            }
            before = m.predictProba(x, 6);
            featuresBefore = m.features(x, 6);
            m.save(dir, Map.of("purpose", "test"));
        }
        assertThat(Files.exists(dir.resolve(SavedModels.CONFIG_FILE))).isTrue();
        try (ClassifierModel loaded = ClassifierModel.load(dir, "cpu")) {
            assertThat(loaded.predictProba(x, 6)).isDeepEqualTo(before);
            assertThat(loaded.features(x, 6)).isDeepEqualTo(featuresBefore);
            assertThat(loaded.provenance()).containsEntry("purpose", "test");
            assertThat(loaded.config()).isEqualTo(small(5, 0.2));
        }
    }

    @Test
    void predictionsDoNotDependOnTheBatchTheyAreIn() {
        float[] x = TestImages.fundusBatch(6, SIZE, new int[] {0, 1, 2, 3, 4, 0}, 11);
        try (ClassifierModel m = ClassifierModel.create(small(5, 0), 3, "cpu")) {
            int[] g = TestImages.randomGrades(8, 1);
            m.trainStep(TestImages.fundusBatch(8, SIZE, g, 1), g, null, 8);
            float[][] all = m.predictProba(x, 6);
            float[] first = new float[3 * SIZE * SIZE];
            System.arraycopy(x, 0, first, 0, first.length);
            assertThat(m.predictProba(first, 1)[0]).containsExactly(all[0], within(1e-6f));
        }
    }

    @Test
    void validatesConfig() {
        assertThatThrownBy(() -> small(1, 0).validate()).hasMessageContaining("classes");
        assertThatThrownBy(() -> new ClassifierConfig(SIZE, 3, 5, 8, 0, 0).validate()).hasMessageContaining("width");
        assertThat(ClassifierConfig.defaults(64, 5).validate().width()).isEqualTo(32);
    }
}
