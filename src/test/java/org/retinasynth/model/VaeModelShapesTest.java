package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.TestImages;

class VaeModelShapesTest {

    @ParameterizedTest(name = "{0}px classes={1} {2}")
    @CsvSource({
        "28, 0, GAUSSIAN_FIXED",
        "28, 5, BERNOULLI",
        "64, 0, GAUSSIAN_LEARNED",
        "64, 5, GAUSSIAN_FIXED",
        "30, 5, GAUSSIAN_LEARNED"
    })
    void outputsHaveTheAdvertisedShapes(int size, int classes, VaeConfig.Likelihood likelihood) {
        VaeConfig config = VaeConfig.defaults(size).withWidth(16, 8).withNumClasses(classes)
                .withLikelihood(likelihood).withSamples(2, 2);
        int b = 3;
        int[] labels = classes == 0 ? null : new int[] {0, 4, 2};
        float[] x = TestImages.fundusBatch(b, size, labels, 1);
        int per = 3 * size * size;
        try (VaeModel model = VaeModel.create(config, 7, "cpu")) {
            assertThat(model.device()).isEqualTo("cpu");
            assertThat(model.parameterCount()).isPositive();

            float[] rec = model.reconstruct(x, labels, b);
            assertThat(rec).hasSize(b * per);
            assertInUnitRange(rec);

            float[][] enc = model.encode(x, labels, b);
            assertThat(enc).hasDimensions(2, b * 16);

            float[] s = model.sample(2, classes == 0 ? null : new int[] {1, 3}, 1.0, 5);
            assertThat(s).hasSize(2 * per);
            assertInUnitRange(s);
            assertThat(model.sample(2, classes == 0 ? null : new int[] {1, 3}, 1.0, 5))
                    .containsExactly(s);

            float[] noisy = TestImages.noisy(x, 2, 0.2, 3);
            VaeModel.StepResult r = model.trainStep(x, noisy, labels, b, 0.5);
            assertThat(r.loss()).isFinite();
            assertThat(r.kl()).isGreaterThanOrEqualTo(0);
            assertThat(r.loss()).isCloseTo(r.reconstruction() + 0.5 * r.kl(), org.assertj.core.data.Offset.offset(1e-6 * Math.abs(r.loss()) + 1e-6));
            VaeModel.StepResult plain = model.trainStep(x, null, labels, b, 1.0);
            assertThat(plain.loss()).isFinite();
            VaeModel.Evaluation e = model.evaluate(x, noisy, labels, b);
            assertThat(e.loss()).isFinite();
            assertThat(model.evaluate(x, noisy, labels, b)).isEqualTo(e);
        }
    }

    private static void assertInUnitRange(float[] a) {
        for (float v : a) {
            assertThat(v).isBetween(0f, 1f);
        }
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        try (VaeModel model = VaeModel.create(VaeConfig.defaults(28).withWidth(8, 8), 1, null)) {
            float[] x = new float[2 * 3 * 28 * 28];
            assertThatThrownBy(() -> model.reconstruct(x, null, 3))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected 3 images of 3x28x28");
            assertThatThrownBy(() -> model.reconstruct(x, new int[] {0, 1}, 2))
                    .hasMessageContaining("unconditional");
            assertThatThrownBy(() -> model.trainStep(x, new float[5], null, 2, 1))
                    .hasMessageContaining("corrupted copies");
            assertThatThrownBy(() -> model.trainStep(x, null, null, 2, -1))
                    .hasMessageContaining("klWeight");
        }
        try (VaeModel model = VaeModel.create(VaeConfig.defaults(28).withWidth(8, 8).withNumClasses(5), 1, null)) {
            float[] x = new float[2 * 3 * 28 * 28];
            assertThatThrownBy(() -> model.reconstruct(x, null, 2)).hasMessageContaining("conditional on 5");
            assertThatThrownBy(() -> model.reconstruct(x, new int[] {0, 5}, 2))
                    .hasMessageContaining("label 5 at 1 is outside [0, 5)");
        }
    }
}
