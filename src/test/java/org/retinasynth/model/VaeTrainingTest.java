package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.retinasynth.testsupport.TestImages;

class VaeTrainingTest {

    private static final int SIZE = 28;
    private static final int BATCH = 16;

    /** Small but real: 28 px, 2 stages, latent 16, base 16. */
    private static VaeConfig small() {
        return VaeConfig.defaults(SIZE).withWidth(16, 16);
    }

    @ParameterizedTest
    @EnumSource(VaeConfig.Likelihood.class)
    void lossFallsOverAHundredSteps(VaeConfig.Likelihood likelihood) {
        VaeConfig config = small().withLikelihood(likelihood).withSamples(2, 1);
        float[][] data = dataset(8);
        try (VaeModel model = VaeModel.create(config, 11, "cpu")) {
            model.setLearningRate(2e-3);
            double first = 0;
            double last = 0;
            for (int step = 0; step < 100; step++) {
                float[] clean = data[step % data.length];
                float[] noisy = TestImages.noisy(clean, 2, 0.1, step);
                VaeModel.StepResult r = model.trainStep(clean, noisy, null, BATCH, 1.0);
                assertThat(r.loss()).isFinite();
                if (step < 10) {
                    first += r.loss() / 10;
                } else if (step >= 90) {
                    last += r.loss() / 10;
                }
            }
            System.out.printf("%s: mean loss steps 0-9 %.1f, steps 90-99 %.1f nats/image%n",
                    likelihood, first, last);
            // the fixed-sigma Gaussian bound is offset by a constant per pixel, compare the drop
            assertThat(first - last).isGreaterThan(0.3 * Math.abs(first - lowerBoundOffset(config)));
            assertThat(model.steps()).isEqualTo(100);
        }
    }

    /** Loss value at a perfect reconstruction with KL 0 (the likelihood's constant part). */
    private static double lowerBoundOffset(VaeConfig c) {
        double pixels = 3.0 * SIZE * SIZE;
        return switch (c.likelihood()) {
            case GAUSSIAN_FIXED -> pixels * (Math.log(c.fixedSigma()) + 0.5 * Math.log(2 * Math.PI));
            case GAUSSIAN_LEARNED -> pixels * (Math.log(0.01) + 0.5 * Math.log(2 * Math.PI));
            case BERNOULLI -> 0;
        };
    }

    @Test
    void sameSeedGivesIdenticalLosses() {
        VaeConfig config = small().withNumClasses(5).withSamples(2, 2);
        List<List<Double>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            List<Double> losses = new ArrayList<>();
            try (VaeModel model = VaeModel.create(config, 42, "cpu")) {
                for (int step = 0; step < 5; step++) {
                    int[] labels = TestImages.randomGrades(BATCH, step);
                    float[] clean = TestImages.fundusBatch(BATCH, SIZE, labels, step);
                    float[] noisy = TestImages.noisy(clean, 2, 0.2, step);
                    VaeModel.StepResult r = model.trainStep(clean, step % 2 == 0 ? noisy : null,
                            labels, BATCH, 0.5);
                    losses.add(r.loss());
                    losses.add(r.kl());
                }
                losses.add(model.sample(1, new int[] {3}, 1.0, 9)[100] * 1.0);
            }
            runs.add(losses);
        }
        assertThat(runs.get(1)).containsExactlyElementsOf(runs.get(0));

        try (VaeModel other = VaeModel.create(config, 43, "cpu")) {
            int[] labels = TestImages.randomGrades(BATCH, 0);
            float[] clean = TestImages.fundusBatch(BATCH, SIZE, labels, 0);
            double loss = other.trainStep(clean, TestImages.noisy(clean, 2, 0.2, 0), labels,
                    BATCH, 0.5).loss();
            assertThat(loss).isNotEqualTo(runs.get(0).get(0));
        }
    }

    @Test
    void saveThenLoadGivesIdenticalReconstructions(@TempDir Path dir) throws Exception {
        VaeConfig config = small().withNumClasses(5).withLikelihood(VaeConfig.Likelihood.GAUSSIAN_LEARNED);
        int[] labels = TestImages.randomGrades(BATCH, 1);
        float[] clean = TestImages.fundusBatch(BATCH, SIZE, labels, 1);
        float[] before;
        float[][] encodedBefore;
        float[] samplesBefore;
        long params;
        try (VaeModel model = VaeModel.create(config, 5, "cpu")) {
            for (int step = 0; step < 5; step++) {
                model.trainStep(clean, null, labels, BATCH, 1.0);
            }
            before = model.reconstruct(clean, labels, BATCH);
            encodedBefore = model.encode(clean, labels, BATCH);
            samplesBefore = model.sample(4, new int[] {0, 1, 2, 4}, 0.8, 3);
            params = model.parameterCount();
            model.save(dir, Map.of("dataset", "synthetic", "epochs", 1));
        }
        assertThat(dir.resolve(SavedModels.CONFIG_FILE)).exists();
        assertThat(dir.resolve(SavedModels.PARAMETERS_FILE)).exists();
        assertThat(Files.readString(dir.resolve(SavedModels.CONFIG_FILE)))
                .contains("\"GAUSSIAN_LEARNED\"", "\"dataset\"", "\"libtorchVersion\"");

        try (VaeModel loaded = VaeModel.load(dir, "cpu")) {
            assertThat(loaded.config()).isEqualTo(config);
            assertThat(loaded.parameterCount()).isEqualTo(params);
            assertThat(loaded.provenance()).containsEntry("dataset", "synthetic").containsEntry("epochs", 1);
            assertThat(loaded.reconstruct(clean, labels, BATCH)).containsExactly(before);
            assertThat(loaded.encode(clean, labels, BATCH)[0]).containsExactly(encodedBefore[0]);
            assertThat(loaded.sample(4, new int[] {0, 1, 2, 4}, 0.8, 3)).containsExactly(samplesBefore);
            // a loaded model keeps training
            assertThat(loaded.trainStep(clean, null, labels, BATCH, 1.0).loss()).isFinite();
            assertThat(loaded.reconstruct(clean, labels, BATCH)).isNotEqualTo(before);
        }
    }

    @Test
    void aCheckpointCarriesAdamAndTheNoiseSoTrainingContinuesAsIfNeverStopped(@TempDir Path dir)
            throws Exception {
        VaeConfig config = small().withSamples(2, 1);
        float[][] data = dataset(6);
        double[] straight = new double[6];
        long params;
        try (VaeModel model = VaeModel.create(config, 9, "cpu")) {
            params = model.parameterCount();
            for (int step = 0; step < 6; step++) {
                straight[step] = dvaeStep(model, data, step);
            }
        }
        Path checkpoint = dir.resolve("checkpoint");
        Path finished = dir.resolve("finished");
        try (VaeModel model = VaeModel.create(config, 9, "cpu")) {
            for (int step = 0; step < 3; step++) {
                assertThat(dvaeStep(model, data, step)).isEqualTo(straight[step]);
            }
            model.saveCheckpoint(checkpoint, Map.of());
            model.save(finished);
        }
        assertThat(checkpoint.resolve(VaeModel.OPTIMIZER_FILE)).exists();
        assertThat(finished.resolve(VaeModel.OPTIMIZER_FILE)).doesNotExist();
        // twice the parameters: Adam's first and second moments
        assertThat(Files.size(checkpoint.resolve(VaeModel.OPTIMIZER_FILE)))
                .isGreaterThan(2 * 4 * params);

        try (VaeModel resumed = VaeModel.load(checkpoint, "cpu")) {
            assertThat(resumed.steps()).isEqualTo(3);
            for (int step = 3; step < 6; step++) {
                assertThat(dvaeStep(resumed, data, step)).isCloseTo(straight[step], within(1e-3));
            }
        }
        // without the optimiser state the same parameters go elsewhere: the check above can fail
        try (VaeModel fresh = VaeModel.load(finished, "cpu")) {
            dvaeStep(fresh, data, 3);
            assertThat(dvaeStep(fresh, data, 4)).isNotCloseTo(straight[4], within(1.0));
        }
    }

    private static double dvaeStep(VaeModel model, float[][] data, int step) {
        float[] clean = data[step % data.length];
        return model.trainStep(clean, TestImages.noisy(clean, 2, 0.1, step), null, BATCH, 1.0).loss();
    }

    @Test
    void microBatchesGiveTheSameEvaluationAndAFiniteStep() {
        VaeConfig config = small().withNumClasses(5).withSamples(2, 2);
        int[] labels = TestImages.randomGrades(BATCH, 4);
        float[] clean = TestImages.fundusBatch(BATCH, SIZE, labels, 4);
        float[] noisy = TestImages.noisy(clean, 2, 0.2, 4);
        try (VaeModel model = VaeModel.create(config, 8, "cpu")) {
            model.trainStep(clean, noisy, labels, BATCH, 1.0);
            VaeModel.Evaluation whole = model.evaluate(clean, noisy, labels, BATCH);
            float[] rec = model.reconstruct(clean, labels, BATCH);
            float[][] enc = model.encode(clean, labels, BATCH);
            float[] samples = model.sample(5, new int[] {0, 1, 2, 3, 4}, 1.0, 1);

            model.setCpuChunkBytes(1); // one image (K*M = 4 decoder rows) per piece
            assertThat(model.chunkImages(4)).isEqualTo(1);
            VaeModel.Evaluation pieces = model.evaluate(clean, noisy, labels, BATCH);
            assertThat(pieces.reconstruction()).isCloseTo(whole.reconstruction(), within(1e-3 * Math.abs(whole.reconstruction())));
            assertThat(pieces.kl()).isCloseTo(whole.kl(), within(1e-3 * whole.kl()));
            assertThat(model.reconstruct(clean, labels, BATCH)).containsExactly(rec, within(1e-5f));
            assertThat(model.encode(clean, labels, BATCH)[1]).containsExactly(enc[1], within(1e-4f));
            assertThat(model.sample(5, new int[] {0, 1, 2, 3, 4}, 1.0, 1)).containsExactly(samples, within(1e-5f));
            VaeModel.StepResult r = model.trainStep(clean, noisy, labels, BATCH, 1.0);
            assertThat(r.loss()).isFinite();
        }
    }

    @Test
    void nonFiniteInputIsRejectedBeforeTraining() {
        try (VaeModel model = VaeModel.create(small(), 8, "cpu")) {
            float[] clean = TestImages.fundusBatch(2, SIZE, null, 1);
            clean[17] = Float.NaN;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.trainStep(clean, null, null, 2, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not finite");
            assertThat(model.steps()).isZero();
        }
    }

    @Test
    void aDivergingStepThrowsAndLeavesTheModelAsItWas() {
        try (VaeModel model = VaeModel.create(small(), 8, "cpu")) {
            float[] clean = TestImages.fundusBatch(BATCH, SIZE, null, 1);
            model.setLearningRate(1e30); // every weight moves by ~1e30: the next loss overflows
            model.trainStep(clean, null, null, BATCH, 1.0);
            model.setLearningRate(1e-3);
            float[][] before = model.encode(clean, null, BATCH);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> model.trainStep(clean, null, null, BATCH, 1.0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("non-finite loss at step 2");
            assertThat(model.steps()).isEqualTo(1);
            float[][] after = model.encode(clean, null, BATCH);
            assertThat(java.util.Arrays.equals(before[0], after[0])).isTrue();
            assertThat(java.util.Arrays.equals(before[1], after[1])).isTrue();
        }
    }

    private static float[][] dataset(int batches) {
        float[][] d = new float[batches][];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < batches; i++) {
            d[i] = TestImages.fundusBatch(BATCH, SIZE, null, rng.nextLong());
        }
        return d;
    }
}
