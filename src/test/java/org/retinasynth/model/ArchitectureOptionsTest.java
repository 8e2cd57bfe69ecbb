package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinasynth.testsupport.TestImages;
import tools.jackson.databind.json.JsonMapper;

/** The norm / residual / frequency-loss options of {@link VaeConfig}. */
class ArchitectureOptionsTest {

    private static final int SIZE = 28;
    private static final int BATCH = 16;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static VaeConfig options(int size) {
        return VaeConfig.defaults(size).withWidth(16, 16).withLikelihood(VaeConfig.Likelihood.BERNOULLI)
                .withArchitecture(VaeConfig.Norm.GROUP, true, 1.0);
    }

    @Test
    void defaultsAreTheOldModelAndBadValuesAreNamed() {
        VaeConfig d = VaeConfig.defaults(SIZE);
        assertThat(d.norm()).isEqualTo(VaeConfig.Norm.BATCH);
        assertThat(d.residual()).isFalse();
        assertThat(d.frequencyLossWeight()).isZero();
        assertThat(new VaeConfig(SIZE, 3, 64, 32, 0, VaeConfig.Likelihood.BERNOULLI, 0.1, 1, 1, null, null, null, null))
                .isEqualTo(d.withLikelihood(VaeConfig.Likelihood.BERNOULLI));
        assertThatThrownBy(() -> d.withWidth(16, 8).withArchitecture(VaeConfig.Norm.GROUP, true, 0).validate())
                .hasMessage("residual stages need baseChannels >= 16, was 8");
        assertThatThrownBy(() -> d.withArchitecture(VaeConfig.Norm.BATCH, false, -1).validate())
                .hasMessageContaining("frequencyLossWeight");
        assertThatThrownBy(() -> d.withArchitecture(VaeConfig.Norm.BATCH, false, Double.NaN).validate())
                .hasMessageContaining("frequencyLossWeight");
    }

    @Test
    void theOptionsSurviveSaveAndLoad(@TempDir Path dir) {
        VaeConfig config = options(SIZE).withNumClasses(5);
        int[] labels = TestImages.randomGrades(4, 2);
        float[] x = TestImages.fundusBatch(4, SIZE, labels, 2);
        float[] before;
        try (VaeModel model = VaeModel.create(config, 3, "cpu")) {
            model.trainStep(x, null, labels, 4, 1.0);
            before = model.reconstruct(x, labels, 4);
            model.save(dir, Map.of());
        }
        try (VaeModel loaded = VaeModel.load(dir, "cpu")) {
            assertThat(loaded.config()).isEqualTo(config);
            assertThat(loaded.reconstruct(x, labels, 4)).containsExactly(before);
        }
    }

    /** A model.json written before the options existed has no such fields: it loads as BatchNorm, plain, off. */
    @Test
    @SuppressWarnings("unchecked")
    void anArchiveWithoutTheFieldsLoadsAsTheOldModel(@TempDir Path dir) {
        VaeConfig old = VaeConfig.defaults(SIZE).withWidth(8, 8);
        float[] x = TestImages.fundusBatch(4, SIZE, null, 5);
        float[] before;
        try (VaeModel model = VaeModel.create(old, 3, "cpu")) {
            model.trainStep(x, null, null, 4, 1.0);
            before = model.reconstruct(x, null, 4);
            model.save(dir, Map.of());
        }
        Path file = dir.resolve(SavedModels.CONFIG_FILE);
        Map<String, Object> json = JSON.readValue(file.toFile(), Map.class);
        Map<String, Object> config = (Map<String, Object>) json.get("config");
        assertThat(config).containsKeys("norm", "residual", "frequencyLossWeight");
        config.remove("norm");
        config.remove("residual");
        config.remove("frequencyLossWeight");
        JSON.writeValue(file.toFile(), json);
        try (VaeModel loaded = VaeModel.load(dir, "cpu")) {
            assertThat(loaded.config()).isEqualTo(old);
            assertThat(loaded.config().norm()).isEqualTo(VaeConfig.Norm.BATCH);
            assertThat(loaded.reconstruct(x, null, 4)).containsExactly(before);
        }
    }

    /**
     * GroupNorm has no batch statistics: a latent decodes to the same image in training mode (the
     * statistics of the batch it is in) and in sampling mode, and alone as in a batch. BatchNorm
     * does not, which is the difference the option exists for.
     */
    @Test
    void groupNormDecodesTheSameInTrainingAndSampling() {
        int n = 6;
        float[] z = new float[n * 16];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) rng.nextGaussian();
        }
        float[] x = TestImages.fundusBatch(BATCH, SIZE, null, 9);
        for (VaeConfig.Norm norm : VaeConfig.Norm.values()) {
            VaeConfig config = VaeConfig.defaults(SIZE).withWidth(16, 16).withArchitecture(norm, true, 0);
            try (VaeModel model = VaeModel.create(config, 4, "cpu")) {
                for (int step = 0; step < 3; step++) {
                    model.trainStep(x, null, null, BATCH, 1.0);
                }
                float[] sampling = model.decode(z, null, n, false);
                float[] training = model.decode(z, null, n, true);
                float[] first = model.decode(java.util.Arrays.copyOf(z, 16), null, 1, true);
                double gap = TestImages.maxAbsDiff(sampling, training);
                double alone = TestImages.maxAbsDiff(first, java.util.Arrays.copyOf(training, first.length));
                if (norm == VaeConfig.Norm.GROUP) {
                    assertThat(gap).as("GROUP train vs eval").isLessThan(1e-5);
                    assertThat(alone).as("GROUP alone vs in a batch").isLessThan(1e-5);
                } else {
                    assertThat(gap).as("BATCH train vs eval").isGreaterThan(1e-3);
                    assertThat(alone).as("BATCH alone vs in a batch").isGreaterThan(1e-3);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} px")
    @ValueSource(ints = {28, 64, 128})
    void residualStagesKeepTheShapesAtEverySize(int size) {
        VaeConfig config = options(size).withWidth(8, 16);
        VaeConfig plain = config.withArchitecture(VaeConfig.Norm.GROUP, false, 1.0);
        int b = 2;
        float[] x = TestImages.fundusBatch(b, size, null, 1);
        long plainParams;
        try (VaeModel model = VaeModel.create(plain, 1, "cpu")) {
            plainParams = model.parameterCount();
        }
        try (VaeModel model = VaeModel.create(config, 1, "cpu")) {
            Architecture arch = new Architecture(config);
            // 2 convs of C x C x 3 x 3 (+ bias on the second) and 2 x 2C GroupNorm parameters per stage
            long extra = 0;
            for (int c : arch.encoderChannels) {
                extra += 2L * c * c * 9 + c + 2L * c;
            }
            for (int c : arch.decoderChannels) {
                extra += 2L * c * c * 9 + c + 2L * c;
            }
            assertThat(model.parameterCount()).isEqualTo(plainParams + extra);
            assertThat(model.reconstruct(x, null, b)).hasSize(b * 3 * size * size);
            assertThat(model.encode(x, null, b)[0]).hasSize(b * 8);
            assertThat(model.sample(b, null, 1.0, 3)).hasSize(b * 3 * size * size);
            VaeModel.StepResult r = model.trainStep(x, TestImages.noisy(x, 1, 0.2, 1), null, b, 1.0);
            assertThat(r.loss()).isFinite();
            assertThat(r.frequency()).isPositive();
            assertThat(r.loss()).isCloseTo(r.reconstruction() + r.kl() + r.frequency(),
                    org.assertj.core.data.Offset.offset(1e-5 * Math.abs(r.loss())));
            assertThat(model.describe()).contains("residual", "GN");
            assertThat(FlopCounter.count(config).forwardPerImage())
                    .isGreaterThan(FlopCounter.count(plain).forwardPerImage());
        }
    }

    @Test
    void theFrequencyTermIsZeroOnlyForTheSameSpectrumAndHasFiniteGradients() {
        Engine engine = TorchRuntime.engine();
        try (NDManager m = engine.newBaseManager()) {
            float[] img = TestImages.fundusBatch(2, SIZE, null, 3);
            NDArray clean = m.create(img, new Shape(2, 3, SIZE, SIZE)).clip(0.01f, 0.99f);
            NDArray logits = clean.div(clean.sub(1f).neg()).log(); // sigmoid(logits) == clean
            assertThat(VaeObjective.frequency(logits, clean).getFloat()).isLessThan(0.05f);
            // a circular shift keeps every Fourier magnitude: phase is deliberately not compared
            NDArray rolled = clean.concat(clean, 3).get(":, :, :, 3:" + (SIZE + 3));
            NDArray rolledLogits = rolled.div(rolled.sub(1f).neg()).log();
            assertThat(VaeObjective.frequency(rolledLogits, clean).getFloat()).isLessThan(0.05f);
            // a blur removes high frequencies: costly
            NDArray blurred = clean.add(clean.concat(clean, 3).get(":, :, :, 1:" + (SIZE + 1))).div(2f);
            NDArray blurredLogits = blurred.div(blurred.sub(1f).neg()).log();
            float blurCost = VaeObjective.frequency(blurredLogits, clean).getFloat();
            assertThat(blurCost).isGreaterThan(10f);
            // K x M = 2 decoder rows per clean image broadcast against it
            assertThat(VaeObjective.frequency(logits.concat(blurredLogits, 0), clean).getFloat())
                    .isCloseTo(blurCost / 2, org.assertj.core.data.Offset.offset(0.05f + 1e-3f * blurCost));

            // gradients, including at a flat image whose non-DC magnitudes are exactly 0
            NDArray flat = m.full(new Shape(2, 3, SIZE, SIZE), 0.5f);
            for (NDArray target : new NDArray[] {clean, flat}) {
                NDArray raw = m.zeros(new Shape(2, 3, SIZE, SIZE));
                raw.setRequiresGradient(true);
                TorchRuntime.exclusiveRun(() -> {
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        gc.backward(VaeObjective.frequency(raw, target));
                    }
                });
                float[] g = raw.getGradient().toFloatArray();
                double norm = 0;
                for (float v : g) {
                    assertThat(v).isFinite();
                    norm += v * v;
                }
                if (target == clean) {
                    assertThat(norm).isPositive();
                }
            }
        }
    }

    /** A short DVAE run with every option on: the loss, and the frequency term within it, fall. */
    @Test
    void aModelWithEveryOptionLearns() {
        VaeConfig config = options(SIZE).withSamples(2, 1);
        SplittableRandom rng = new SplittableRandom(3);
        float[][] data = new float[8][];
        for (int i = 0; i < data.length; i++) {
            data[i] = TestImages.fundusBatch(BATCH, SIZE, null, rng.nextLong());
        }
        try (VaeModel model = VaeModel.create(config, 11, "cpu")) {
            model.setLearningRate(2e-3);
            double first = 0;
            double last = 0;
            double firstFrequency = 0;
            double lastFrequency = 0;
            for (int step = 0; step < 60; step++) {
                float[] clean = data[step % data.length];
                VaeModel.StepResult r = model.trainStep(clean, TestImages.noisy(clean, 2, 0.1, step), null,
                        BATCH, 1.0);
                assertThat(r.loss()).isFinite();
                if (step < 10) {
                    first += r.loss() / 10;
                    firstFrequency += r.frequency() / 10;
                } else if (step >= 50) {
                    last += r.loss() / 10;
                    lastFrequency += r.frequency() / 10;
                }
            }
            System.out.printf("residual+GROUP+frequency: loss %.1f -> %.1f, frequency term %.1f -> %.1f%n",
                    first, last, firstFrequency, lastFrequency);
            assertThat(first - last).isGreaterThan(0.3 * first);
            assertThat(lastFrequency).isLessThan(0.8 * firstFrequency);
        }
    }
}
