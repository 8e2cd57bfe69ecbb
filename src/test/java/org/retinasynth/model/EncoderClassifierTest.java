package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.TestImages;

/** A grade classifier started from a trained VAE's encoder, fine-tuned or frozen; no Spring. */
class EncoderClassifierTest {

    private static final int SIZE = 28;
    private static final int CLASSES = 5;
    private static final int N = 12;
    private static final int[] GRADES = TestImages.randomGrades(N, 3);
    private static final float[] IMAGES = TestImages.fundusBatch(N, SIZE, GRADES, 4);

    private static VaeModel vae;

    @BeforeAll
    static void trainedVae() {
        VaeConfig config = new VaeConfig(SIZE, 3, 8, 8, CLASSES, VaeConfig.Likelihood.BERNOULLI, 0, 1, 1);
        vae = VaeModel.create(config, 11, "cpu");
        // a few steps, so that weights and BatchNorm running averages are not what a fresh block has
        for (int i = 0; i < 3; i++) {
            vae.trainStep(IMAGES, null, GRADES, N, 1.0);
        }
    }

    @AfterAll
    static void close() {
        vae.close();
    }

    private static EncoderClassifier onVae(boolean frozen, long seed) {
        return EncoderClassifier.fromEncoder(vae, new EncoderClassifierConfig(vae.config(), CLASSES, 16, 0.1, 1e-4,
                frozen), seed, "cpu");
    }

    /** Every parameter of the model (BatchNorm running averages included) by name, as plain floats. */
    private static Map<String, float[]> values(TorchModel<?> model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private static Map<String, float[]> only(Map<String, float[]> values, boolean fromVae) {
        Map<String, float[]> out = new LinkedHashMap<>(values);
        out.keySet().removeIf(k -> EncoderClassifier.fromVae(k) != fromVae);
        return out;
    }

    private static boolean same(Map<String, float[]> a, Map<String, float[]> b) {
        return a.keySet().equals(b.keySet()) && a.keySet().stream().allMatch(k -> Arrays.equals(a.get(k), b.get(k)));
    }

    private static void train(EncoderClassifier model, int steps) {
        for (int i = 0; i < steps; i++) {
            model.trainStep(IMAGES, GRADES, null, N);
        }
    }

    @Test
    void startsWithExactlyTheEncodersWeights() {
        Map<String, float[]> vaeValues = values(vae);
        for (boolean frozen : new boolean[] {false, true}) {
            try (EncoderClassifier model = onVae(frozen, 5)) {
                Map<String, float[]> copied = only(values(model), true);
                // the conv stack with its BatchNorm averages, and (frozen) the posterior layer
                long expected = vaeValues.keySet().stream().filter(k -> k.startsWith("01encoder_")
                        || frozen && k.startsWith("02posterior_")).count();
                assertThat(copied).hasSize((int) expected);
                assertThat(copied.keySet()).anyMatch(k -> k.contains("runningMean"));
                copied.forEach((name, v) -> assertThat(v).as(name).containsExactly(vaeValues.get(name)));
                assertThat(only(values(model), false)).isNotEmpty();
            }
        }
        // a fresh one has the same names but its own random values: the copy is what made them equal
        try (EncoderClassifier fresh = EncoderClassifier.create(new EncoderClassifierConfig(vae.config(), CLASSES, 16,
                0.1, 1e-4, false), 5, "cpu")) {
            assertThat(same(only(values(fresh), true), only(vaeValues, true).entrySet().stream()
                    .filter(e -> e.getKey().startsWith("01encoder_"))
                    .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll))).isFalse();
        }
    }

    @Test
    void frozenTrainsOnlyItsHead() {
        try (EncoderClassifier model = onVae(true, 7)) {
            Map<String, float[]> before = values(model);
            train(model, 3);
            Map<String, float[]> after = values(model);
            assertThat(same(only(after, true), only(before, true))).as("encoder and posterior bit-identical").isTrue();
            assertThat(same(only(after, false), only(before, false))).as("head changed").isFalse();
            assertThat(model.parameterCount()).as("only the head is trainable")
                    .isEqualTo(only(after, false).values().stream().mapToLong(v -> v.length).sum());
        }
    }

    @Test
    void fineTunedChangesTheEncoderAndLeavesTheVaeAlone() {
        Map<String, float[]> vaeBefore = values(vae);
        try (EncoderClassifier model = onVae(false, 7)) {
            Map<String, float[]> before = values(model);
            train(model, 3);
            Map<String, float[]> after = values(model);
            only(before, true).keySet().stream().filter(k -> k.endsWith("Conv2d_weight")).forEach(k ->
                    assertThat(Arrays.equals(after.get(k), before.get(k))).as(k + " changed").isFalse());
            assertThat(same(only(after, false), only(before, false))).isFalse();
        }
        assertThat(same(values(vae), vaeBefore)).as("the VAE's own weights are untouched").isTrue();
    }

    @Test
    void savedAndLoadedItPredictsTheSame() {
        try (EncoderClassifier model = onVae(true, 9)) {
            train(model, 2);
            float[][] p = model.predictProba(IMAGES, N);
            try (EncoderClassifier loaded = ModelRegistry.load(ModelRegistry.archive(model, Map.of()),
                    EncoderClassifier.class, "cpu")) {
                assertThat(loaded.config()).isEqualTo(model.config());
                assertThat(loaded.parameterCount()).isEqualTo(model.parameterCount());
                for (int i = 0; i < N; i++) {
                    assertThat(loaded.predictProba(IMAGES, N)[i]).containsExactly(p[i]);
                }
            }
        }
    }

    @Test
    void refusesAConfigOfAnotherVae() {
        VaeConfig other = new VaeConfig(SIZE, 3, 16, 8, CLASSES, VaeConfig.Likelihood.BERNOULLI, 0, 1, 1);
        assertThatThrownBy(() -> EncoderClassifier.fromEncoder(vae, new EncoderClassifierConfig(other, CLASSES, 16,
                0, 0, false), 1, "cpu")).isInstanceOf(IllegalArgumentException.class);
    }
}
