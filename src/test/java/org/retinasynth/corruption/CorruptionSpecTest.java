package org.retinasynth.corruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.retinasynth.corruption.CorruptionSpec.Component;
import org.retinasynth.testsupport.TestImages;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

class CorruptionSpecTest {

    @Test
    void parsesCompactFormAndRoundTrips() {
        CorruptionSpec spec = CorruptionSpec.parse("gaussian:0.3,blur:0.5@0.5");
        assertThat(spec.components()).containsExactly(
                new Component("gaussian", 0.3, 1.0), new Component("blur", 0.5, 0.5));
        assertThat(spec.toText()).isEqualTo("gaussian:0.3,blur:0.5@0.5");
        assertThat(CorruptionSpec.parse(spec.toText())).isEqualTo(spec);
        assertThat(CorruptionSpec.parse(" gaussian : 0.3 ,\tblur:0.5 @ 0.5 ")).isEqualTo(spec);

        CorruptionSpec awkward = new CorruptionSpec(List.of(
                new Component("jpeg", 1.0 / 3, 0.1 + 0.2), new Component("jpeg", 0.0, 1e-3)));
        assertThat(CorruptionSpec.parse(awkward.toText())).isEqualTo(awkward);
    }

    @Test
    void emptyAndNoneAreTheIdentity() {
        assertThat(CorruptionSpec.parse("")).isEqualTo(CorruptionSpec.none());
        assertThat(CorruptionSpec.parse(" none ")).isEqualTo(CorruptionSpec.none());
        assertThat(CorruptionSpec.none().toText()).isEqualTo("none");
        assertThat(CorruptionSpec.none().isIdentity()).isTrue();
        assertThat(CorruptionSpec.parse("blur:0,gamma:0@0.5").isIdentity()).isTrue();
        assertThat(CorruptionSpec.parse("blur:0,gamma:0.1@0.5").isIdentity()).isFalse();
        assertThat(new CorruptionSpec(null).components()).isEmpty();
    }

    @Test
    void rejectsBadTextWithClearMessages() {
        assertThatThrownBy(() -> CorruptionSpec.parse("speckle:0.3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("speckle").hasMessageContaining("unknown corruption")
                .hasMessageContaining("valid names: gaussian");
        assertThatThrownBy(() -> CorruptionSpec.parse("gaussian:1.5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("severity must be in [0,1], got 1.5");
        assertThatThrownBy(() -> CorruptionSpec.parse("gaussian:-0.1"))
                .hasMessageContaining("severity must be in [0,1]");
        assertThatThrownBy(() -> CorruptionSpec.parse("gaussian:NaN"))
                .hasMessageContaining("severity must be in [0,1]");
        assertThatThrownBy(() -> CorruptionSpec.parse("gaussian:abc"))
                .hasMessageContaining("severity 'abc' is not a number")
                .hasMessageContaining("name:severity[@probability]");
        assertThatThrownBy(() -> CorruptionSpec.parse("gaussian"))
                .hasMessageContaining("at 'gaussian'").hasMessageContaining("expected name:severity");
        assertThatThrownBy(() -> CorruptionSpec.parse("gaussian:0.3,,blur:0.2"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CorruptionSpec.parse("gaussian:0.3@0"))
                .hasMessageContaining("probability must be in (0,1], got 0.0");
        assertThatThrownBy(() -> CorruptionSpec.parse("gaussian:0.3@1.2"))
                .hasMessageContaining("probability must be in (0,1]");
        assertThatThrownBy(() -> CorruptionSpec.parse("gaussian:0.3@x"))
                .hasMessageContaining("probability 'x' is not a number");
        assertThatThrownBy(() -> CorruptionSpec.parse(null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validateReportsEveryProblemAtOnce() {
        CorruptionSpec bad = new CorruptionSpec(Arrays.asList(
                new Component("blur", 2, 1), null, new Component("nope", 0.5, 0)));
        assertThatThrownBy(bad::validate)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("component 1 (blur): severity must be in [0,1], got 2.0")
                .hasMessageContaining("component 2 is null")
                .hasMessageContaining("component 3 (nope): unknown corruption")
                .hasMessageContaining("component 3 (nope): probability must be in (0,1], got 0.0");
        float[] x = new float[3 * 4 * 4];
        assertThatThrownBy(() -> bad.apply(x, 4, 4, new SplittableRandom(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void appliesComponentsInOrderWithOneDrawEach() {
        CorruptionSpec spec = CorruptionSpec.parse("gaussian:0.3@0.7,contrast:0.5,masking:0.4@0.5");
        for (long seed = 0; seed < 10; seed++) {
            float[] viaSpec = TestImages.structured(16, 16);
            spec.apply(viaSpec, 16, 16, new SplittableRandom(seed));

            float[] byHand = TestImages.structured(16, 16);
            SplittableRandom rng = new SplittableRandom(seed);
            for (Component c : spec.components()) {
                if (rng.nextDouble() < c.probability()) {
                    CorruptionRegistry.get(c.name()).apply(byHand, 16, 16, c.severity(), rng);
                }
            }
            assertThat(viaSpec).containsExactly(byHand);
        }
        // Order matters: contrast around the mean, then a cast, differs from the reverse.
        float[] a = TestImages.structured(16, 16);
        float[] b = a.clone();
        CorruptionSpec.parse("contrast:1,illumination:1").apply(a, 16, 16, new SplittableRandom(1));
        CorruptionSpec.parse("illumination:1,contrast:1").apply(b, 16, 16, new SplittableRandom(1));
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void probabilityHalfAppliesToAboutHalfOfTrials() {
        CorruptionSpec spec = CorruptionSpec.parse("gaussian:0.5@0.5");
        SplittableRandom rng = new SplittableRandom(2024);
        int trials = 2000;
        int applied = 0;
        for (int t = 0; t < trials; t++) {
            float[] x = TestImages.constant(2, 2, 0.5f);
            spec.apply(x, 2, 2, rng);
            if (TestImages.maxAbsDiff(x, TestImages.constant(2, 2, 0.5f)) > 0) {
                applied++;
            }
        }
        // Binomial(2000, 0.5): sd = 22.4; 4.5 sd either side fails by chance ~7e-6.
        assertThat(applied).isBetween(900, 1100);
    }

    @Test
    void jsonRoundTripWithPlainComponentNames() throws Exception {
        JsonMapper mapper = JsonMapper.builder().build();
        CorruptionSpec spec = CorruptionSpec.parse("gaussian:0.3,blur:0.5@0.5");
        String json = mapper.writeValueAsString(spec);
        assertThat(json).contains("\"components\"", "\"name\":\"gaussian\"", "\"severity\":0.3",
                "\"probability\":0.5");
        assertThat(mapper.readValue(json, CorruptionSpec.class)).isEqualTo(spec);
        // isIdentity() is also written out (as "identity"); it is derived, and a client cannot
        // set it: an incoming value is ignored.
        CorruptionSpec claimed = mapper.readValue(
                json.replaceFirst("\\}$", ",\"identity\":true}"), CorruptionSpec.class);
        assertThat(claimed).isEqualTo(spec);
        assertThat(claimed.isIdentity()).isFalse();

        String request = """
                {"components": [{"name": "jpeg", "severity": 0.8, "probability": 1.0}]}
                """;
        CorruptionSpec bound = mapper.readValue(request, CorruptionSpec.class);
        assertThat(bound.validate().components()).containsExactly(new Component("jpeg", 0.8, 1.0));
        // An omitted probability must never mean "skip silently": Jackson 3 refuses the missing
        // primitive, and a mapper that binds it to 0 instead is caught by validate().
        String omitted = "{\"components\":[{\"name\":\"jpeg\",\"severity\":0.8}]}";
        assertThatThrownBy(() -> mapper.readValue(omitted, CorruptionSpec.class).validate())
                .hasMessageContaining("probability");
        JsonMapper lenient = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();
        assertThatThrownBy(() -> lenient.readValue(omitted, CorruptionSpec.class).validate())
                .hasMessageContaining("probability must be in (0,1], got 0.0");
    }

    @Test
    void levelsMapOneToFiveOntoFifths() {
        assertThat(Protocols.level(1)).isEqualTo(0.2);
        assertThat(Protocols.level(3)).isEqualTo(0.6);
        assertThat(Protocols.level(5)).isEqualTo(1.0);
        assertThatThrownBy(() -> Protocols.level(0)).hasMessageContaining("1..5");
        assertThatThrownBy(() -> Protocols.level(6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equipmentShiftIsAFixedDeterministicCombination() {
        assertThat(Protocols.equipmentShift(0.8).components()).containsExactly(
                new Component("blur", 0.4), new Component("vignetting", 0.4),
                new Component("colour_cast", 0.8), new Component("contrast", 0.4));
        assertThat(Protocols.equipmentShift(0).isIdentity()).isTrue();
        assertThatThrownBy(() -> Protocols.equipmentShift(1.1))
                .isInstanceOf(IllegalArgumentException.class);

        float[] clean = TestImages.structured(32, 32);
        double previous = 0;
        for (int k = 1; k <= Protocols.LEVELS; k++) {
            CorruptionSpec spec = Protocols.equipmentShift(Protocols.level(k)).validate();
            float[] a = clean.clone();
            float[] b = clean.clone();
            spec.apply(a, 32, 32, new SplittableRandom(1));
            spec.apply(b, 32, 32, new SplittableRandom(2));
            assertThat(a).as("level %s is the same for any seed", k).containsExactly(b);
            double d = TestImages.mse(a, clean);
            assertThat(d).as("level %s", k).isGreaterThan(previous);
            previous = d;
        }
    }
}
