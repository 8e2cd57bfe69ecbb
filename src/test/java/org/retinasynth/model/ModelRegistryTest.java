package org.retinasynth.model;

import org.retinasynth.testsupport.TestImages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {

    @Test
    void unknownFormatIsRefused() {
        assertThatThrownBy(() -> ModelRegistry.forFormat("retinasynth-gan"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown model format");
    }

    @Test
    void invalidConfigIsRefusedByTheEntry() {
        assertThatThrownBy(() -> ModelRegistry.VAE.create(VaeConfig.defaults(8), 1, "cpu"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("imageSize");
    }

    @Test
    void vaeArchiveRoundTripsAndCheckpointKeepsSteps() {
        VaeConfig config = VaeConfig.defaults(28).withWidth(4, 8);
        float[] x = TestImages.fundusBatch(2, 28, new int[] {0, 4}, 3);
        try (VaeModel model = ModelRegistry.VAE.create(config, 5, "cpu")) {
            model.trainStep(x, null, null, 2, 1.0);
            byte[] finished = ModelRegistry.archive(model, Map.of("k", "v"));
            byte[] checkpoint = ModelRegistry.checkpoint(model, Map.of());
            try (VaeModel a = ModelRegistry.load(finished, VaeModel.class, "cpu");
                 TorchModel<?> b = ModelRegistry.load(checkpoint, "cpu")) {
                assertThat(a.config()).isEqualTo(config);
                assertThat(a.provenance()).containsEntry("k", "v");
                assertThat(a.steps()).isZero();
                assertThat(a.reconstruct(x, null, 2)).containsExactly(model.reconstruct(x, null, 2));
                assertThat(b).isInstanceOf(VaeModel.class);
                assertThat(b.steps()).isEqualTo(1);
            }
            assertThatThrownBy(() -> ModelRegistry.load(finished, ClassifierModel.class, "cpu"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retinasynth-vae");
        }
    }

    @Test
    void classifierArchiveRoundTripsWithAdamState() {
        ClassifierConfig config = new ClassifierConfig(28, 3, 2, 16, 0, 1e-4);
        float[] x = TestImages.fundusBatch(2, 28, new int[] {0, 4}, 3);
        try (ClassifierModel model = ModelRegistry.CLASSIFIER.create(config, 5, "cpu")) {
            model.trainStep(x, new int[] {0, 1}, null, 2);
            try (ClassifierModel a = ModelRegistry.load(ModelRegistry.archive(model, Map.of()), ClassifierModel.class,
                    "cpu");
                 ClassifierModel b = ModelRegistry.load(ModelRegistry.checkpoint(model, Map.of()),
                         ClassifierModel.class, "cpu")) {
                assertThat(a.predictProba(x, 2)).isDeepEqualTo(model.predictProba(x, 2));
                assertThat(a.steps()).isZero();
                assertThat(b.steps()).isEqualTo(1);
                // the same step from the same state: a checkpoint continues exactly
                double next = model.trainStep(x, new int[] {0, 1}, null, 2);
                assertThat(b.trainStep(x, new int[] {0, 1}, null, 2)).isEqualTo(next);
            }
        }
    }

    @Test
    void snapshotRestoresTheWeights() {
        ClassifierConfig config = new ClassifierConfig(28, 3, 2, 16, 0, 0);
        float[] x = TestImages.fundusBatch(2, 28, new int[] {0, 4}, 3);
        try (ClassifierModel model = ClassifierModel.create(config, 5, "cpu")) {
            float[][] before = model.predictProba(x, 2);
            try (TorchModel.Snapshot s = model.snapshot()) {
                model.setLearningRate(0.05);
                model.trainStep(x, new int[] {0, 1}, null, 2);
                assertThat(model.predictProba(x, 2)).isNotEqualTo(before);
                model.restore(s);
                assertThat(model.predictProba(x, 2)).isDeepEqualTo(before);
            }
        }
    }
}
