package org.retinasynth.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.model.ModelType;
import org.retinasynth.model.VaeConfig;
import org.retinasynth.model.VaeModel;
import tools.jackson.databind.json.JsonMapper;

/** The norm / residual / frequency options of a training job: validated, passed to the model, optional in JSON. */
class TrainingSpecOptionsTest {

    private static TrainingSpec spec(ModelType type, int base, String norm, Boolean residual, Double frequency) {
        return new TrainingSpec("d", type, true, CorruptionSpec.parse("gaussian:0.3"), 2, 8, 1e-3,
                TrainingSpec.Schedule.CONSTANT, 4, base, 1, 1, 0, 0, 1, "BERNOULLI", norm, residual, frequency, null, null);
    }

    @Test
    void bothModelTypesGetTheOptionsAndOmittedOnesAreTheOldModel() {
        for (ModelType type : new ModelType[] {ModelType.VAE, ModelType.DVAE}) {
            TrainingSpec on = spec(type, 16, "GROUP", true, 0.5);
            assertThat(on.problems()).isEmpty();
            try (VaeModel model = VaeTrainer.newModel(on, 28, 5)) {
                assertThat(model.config().norm()).isEqualTo(VaeConfig.Norm.GROUP);
                assertThat(model.config().residual()).isTrue();
                assertThat(model.config().frequencyLossWeight()).isEqualTo(0.5);
            }
            TrainingSpec off = spec(type, 16, null, null, null);
            assertThat(off.problems()).isEmpty();
            try (VaeModel model = VaeTrainer.newModel(off, 28, 5)) {
                assertThat(model.config()).isEqualTo(new VaeConfig(28, 3, 4, 16, 5, VaeConfig.Likelihood.BERNOULLI,
                        VaeConfig.defaults(28).fixedSigma(), 1, 1));
            }
        }
    }

    @Test
    void theFeatureWeightReachesTheModelAndIsChecked() {
        TrainingSpec on = new TrainingSpec("d", ModelType.DVAE, true, CorruptionSpec.parse("gaussian:0.3"), 2, 8, 1e-3,
                TrainingSpec.Schedule.CONSTANT, 4, 16, 1, 1, 0, 0, 1, "BERNOULLI", null, null, null, 0.25, null);
        assertThat(on.problems()).isEmpty();
        try (VaeModel model = VaeTrainer.newModel(on, 28, 5)) {
            assertThat(model.config().featureLossWeight()).isEqualTo(0.25);
        }
        TrainingSpec bad = new TrainingSpec("d", ModelType.VAE, true, null, 2, 8, 1e-3,
                TrainingSpec.Schedule.CONSTANT, 4, 16, 1, 1, 0, 0, 1, "BERNOULLI", null, null, null, -1.0, null);
        assertThat(bad.problems()).containsExactly("featureLossWeight must be 0-100");
    }

    /** The trainer trains the feature network first, uses it for every step, and lets go of it afterwards. */
    @Test
    void theTrainerSuppliesAndReleasesTheFeatureNetwork() {
        int n = 20;
        int size = 28;
        byte[] rgb = new byte[n * 3 * size * size];
        new java.util.Random(5).nextBytes(rgb);
        int[] grades = java.util.stream.IntStream.range(0, n).map(i -> i % 5).toArray();
        var train = new org.retinasynth.dataset.DatasetService.PackedImages(n, size, rgb, grades);
        TrainingSpec spec = new TrainingSpec("d", ModelType.VAE, true, null, 1, 10, 1e-3,
                TrainingSpec.Schedule.CONSTANT, 4, 8, 1, 1, 0, 0, 1, "BERNOULLI", null, null, null, 1.0, null);
        VaeTrainer.Result r = VaeTrainer.train(spec, train, null, 5, new VaeTrainer.Listener() {
        });
        try (VaeModel model = r.model()) {
            assertThat(r.history()).hasSize(1);
            assertThat(r.history().get(0).trainLoss()).isFinite();
            float[] x = new float[2 * 3 * size * size];
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.trainStep(x, null, new int[] {0, 1}, 2, 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs a feature network");
        }
    }

    @Test
    void theKlWeightScalesTheWarmedUpKlTermAndIsChecked() {
        TrainingSpec plain = spec(ModelType.VAE, 16, null, null, null);
        TrainingSpec beta = new TrainingSpec("d", ModelType.VAE, true, null, 10, 8, 1e-3,
                TrainingSpec.Schedule.CONSTANT, 4, 16, 1, 1, 4, 0, 1, "BERNOULLI", null, null, null, null, 0.25);
        assertThat(beta.problems()).isEmpty();
        assertThat(plain.klWeightAt(5)).isEqualTo(1.0);
        assertThat(beta.klWeightAt(1)).isEqualTo(0.125); // half-way through the warm-up
        assertThat(beta.klWeightAt(9)).isEqualTo(0.25);
        for (double bad : new double[] {0, -1, 10.5}) {
            TrainingSpec b = new TrainingSpec("d", ModelType.VAE, true, null, 2, 8, 1e-3,
                    TrainingSpec.Schedule.CONSTANT, 4, 16, 1, 1, 0, 0, 1, "BERNOULLI", null, null, null, null, bad);
            assertThat(b.problems()).containsExactly("klWeight must be in (0, 10]");
        }
    }

    @Test
    void badOptionsAreProblems() {
        assertThat(spec(ModelType.DVAE, 8, "LAYER", true, 101.0).problems()).contains("norm must be BATCH or GROUP",
                "residual stages need baseChannels >= 16", "frequencyLossWeight must be 0-100");
        assertThat(spec(ModelType.DVAE, 8, "BATCH", false, 0.0).problems()).isEmpty();
    }

    /** Jobs stored before the options existed have no such fields in their JSON. */
    @Test
    void aSpecWithoutTheFieldsReadsAsNulls() {
        JsonMapper json = JsonMapper.builder().build();
        String written = json.writeValueAsString(spec(ModelType.DVAE, 16, "GROUP", true, 1.0));
        String old = written.replaceAll(",?\"(norm|residual|frequencyLossWeight)\":[^,}]*", "");
        assertThat(old).doesNotContain("norm").contains("likelihood");
        TrainingSpec read = json.readValue(old, TrainingSpec.class);
        assertThat(read).isEqualTo(spec(ModelType.DVAE, 16, null, null, null));
        assertThat(json.readValue(written, TrainingSpec.class)).isEqualTo(spec(ModelType.DVAE, 16, "GROUP", true, 1.0));
    }
}
