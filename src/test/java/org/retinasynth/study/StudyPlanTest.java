package org.retinasynth.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.model.ModelType;
import org.retinasynth.study.StudySpec.Arm;

/** How a study is cut into units and what each waits for, without Spring or a database. */
class StudyPlanTest {

    private static StudySpec spec(List<Arm> arms, boolean perSeed, List<ModelType> models) {
        return new StudySpec("d", arms, 3, false, 1.0, null, false, 1.0, perSeed,
                new StudySpec.Generative(1, 8, 1e-3, 4, 4, CorruptionSpec.parse("gaussian:0.3"), 1, 0, "BERNOULLI",
                        "FITTED", null, null, null),
                new StudySpec.Classifier(1, 8, 1e-3, 16, 0.1, 1e-4, false, 0), null, null, null, null, 2, models, null);
    }

    @Test
    void perSeedModelsFeedTheirSeedsArmsAndEachRealArmWaitsForEveryModelOfItsSeed() {
        StudyPlan plan = StudyPlan.of(spec(List.of(Arm.REAL, Arm.REAL_OVERSAMPLED, Arm.REAL_DVAE), true, null));
        Map<String, java.util.Set<String>> needs = plan.units().stream()
                .collect(Collectors.toMap(StudyPlan.Unit::key, StudyPlan.Unit::needs));
        assertThat(needs).hasSize(2 * 3 + 3 * 3);
        assertThat(needs.get("gen/VAE/s1")).isEmpty();
        assertThat(needs.get("clf/REAL_DVAE/s2")).containsExactly("gen/DVAE/s2");
        assertThat(needs.get("clf/REAL/s0")).containsExactlyInAnyOrder("gen/VAE/s0", "gen/DVAE/s0");
        assertThat(needs.get("clf/REAL/s1")).containsExactlyInAnyOrder("gen/VAE/s1", "gen/DVAE/s1");
        assertThat(needs.get("clf/REAL_OVERSAMPLED/s1")).isEmpty();
        // what a unit needs always comes before it, so a single worker never waits on a later unit
        List<String> order = plan.units().stream().map(StudyPlan.Unit::key).toList();
        plan.units().forEach(u -> u.needs().forEach(n -> assertThat(order.indexOf(n)).isLessThan(order.indexOf(u.key()))));
    }

    @Test
    void onceForTheStudyAndOnlyTheModelsAskedFor() {
        StudySpec spec = spec(List.of(Arm.REAL, Arm.REAL_DVAE), false, List.of(ModelType.DVAE));
        assertThat(spec.problems()).isEmpty();
        List<String> keys = StudyPlan.of(spec).units().stream().map(StudyPlan.Unit::key).toList();
        assertThat(keys).containsExactly("gen/DVAE/all", "clf/REAL/s0", "clf/REAL_DVAE/s0", "clf/REAL/s1",
                "clf/REAL_DVAE/s1", "clf/REAL/s2", "clf/REAL_DVAE/s2");
        // an arm whose model is not asked for is a spec problem, named
        assertThat(spec(List.of(Arm.REAL, Arm.REAL_VAE), true, List.of(ModelType.DVAE)).problems())
                .anyMatch(p -> p.contains("REAL_VAE") && p.contains("VAE"));
        assertThat(StudySpec.armsFor(List.of(ModelType.DVAE))).doesNotContain(Arm.REAL_VAE).contains(Arm.REAL_OVERSAMPLED);
    }

    @Test
    void theGenerativeModelOptionsAreValidatedWithTheirPath() {
        StudySpec ok = spec(List.of(Arm.REAL, Arm.REAL_DVAE), true, null);
        StudySpec.Generative g = ok.generative();
        StudySpec bad = new StudySpec("d", ok.arms(), 3, false, 1.0, null, false, 1.0, true,
                new StudySpec.Generative(g.epochs(), g.batchSize(), g.learningRate(), g.latentDim(), 8,
                        g.corruption(), 1, 0, "BERNOULLI", "FITTED", "LAYER", true, -1.0),
                ok.classifier(), null, null, null, null, 2, null, null);
        assertThat(bad.problems()).contains("generative.norm must be BATCH or GROUP",
                "generative.residual stages need baseChannels >= 16", "generative.frequencyLossWeight must be 0-100");
    }
}
