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
                        "FITTED", null, null, null, null, null),
                new StudySpec.Classifier(1, 8, 1e-3, 16, 0.1, 1e-4, false, 0), null, null, null, null, 2, models, null,
                null);
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
    void encoderArmsWaitForTheModelWhoseEncoderTheyStartFrom() {
        List<Arm> arms = List.of(Arm.REAL, Arm.ENCODER_DVAE, Arm.ENCODER_VAE, Arm.FROZEN_DVAE, Arm.FROZEN_VAE);
        Map<String, java.util.Set<String>> perSeed = StudyPlan.of(spec(arms, true, null)).units().stream()
                .collect(Collectors.toMap(StudyPlan.Unit::key, StudyPlan.Unit::needs));
        for (int s = 0; s < 3; s++) {
            assertThat(perSeed.get("clf/ENCODER_DVAE/s" + s)).containsExactly("gen/DVAE/s" + s);
            assertThat(perSeed.get("clf/FROZEN_DVAE/s" + s)).containsExactly("gen/DVAE/s" + s);
            assertThat(perSeed.get("clf/ENCODER_VAE/s" + s)).containsExactly("gen/VAE/s" + s);
            assertThat(perSeed.get("clf/FROZEN_VAE/s" + s)).containsExactly("gen/VAE/s" + s);
        }
        StudyPlan once = StudyPlan.of(spec(arms, false, null));
        Map<String, java.util.Set<String>> needs = once.units().stream()
                .collect(Collectors.toMap(StudyPlan.Unit::key, StudyPlan.Unit::needs));
        assertThat(needs.keySet().stream().filter(k -> k.startsWith("gen/"))).containsExactlyInAnyOrder("gen/VAE/all",
                "gen/DVAE/all");
        for (int s = 0; s < 3; s++) {
            assertThat(needs.get("clf/ENCODER_DVAE/s" + s)).containsExactly("gen/DVAE/all");
            assertThat(needs.get("clf/FROZEN_VAE/s" + s)).containsExactly("gen/VAE/all");
        }
        List<String> order = once.units().stream().map(StudyPlan.Unit::key).toList();
        once.units().forEach(u -> u.needs().forEach(n -> assertThat(order.indexOf(n)).isLessThan(order.indexOf(u.key()))));
        // an encoder arm needs its model type, named as such; the default arms leave these out
        assertThat(spec(List.of(Arm.REAL, Arm.FROZEN_VAE), true, List.of(ModelType.DVAE)).problems())
                .anyMatch(p -> p.contains("FROZEN_VAE") && p.contains("encoder") && p.contains("VAE"));
        assertThat(spec(List.of(Arm.REAL, Arm.ENCODER_DVAE), false, List.of(ModelType.DVAE)).problems()).isEmpty();
        assertThat(StudySpec.armsFor(null)).doesNotContain(Arm.ENCODER_DVAE, Arm.ENCODER_VAE, Arm.FROZEN_DVAE,
                Arm.FROZEN_VAE);
    }

    @Test
    void balancedArmsWaitForTheirSeedsRealClassifierAndTheirModelAndComeAfterRealWhereverListed() {
        StudySpec spec = spec(List.of(Arm.REAL_DVAE_BALANCED, Arm.REAL_VAE_BALANCED, Arm.REAL, Arm.REAL_OVERSAMPLED),
                true, null);
        assertThat(spec.problems()).isEmpty();
        StudyPlan plan = StudyPlan.of(spec);
        Map<String, java.util.Set<String>> needs = plan.units().stream()
                .collect(Collectors.toMap(StudyPlan.Unit::key, StudyPlan.Unit::needs));
        for (int s = 0; s < 3; s++) {
            assertThat(needs.get("clf/REAL_DVAE_BALANCED/s" + s)).containsExactlyInAnyOrder("gen/DVAE/s" + s,
                    "clf/REAL/s" + s);
            assertThat(needs.get("clf/REAL_VAE_BALANCED/s" + s)).containsExactlyInAnyOrder("gen/VAE/s" + s,
                    "clf/REAL/s" + s);
        }
        List<String> order = plan.units().stream().map(StudyPlan.Unit::key).toList();
        plan.units().forEach(u -> u.needs().forEach(n -> assertThat(order.indexOf(n)).as(u.key() + " needs " + n)
                .isLessThan(order.indexOf(u.key()))));
        // one model per study: every seed's balanced arm samples that model, graded by its own seed's REAL
        StudyPlan once = StudyPlan.of(spec(List.of(Arm.REAL, Arm.REAL_OVERSAMPLED, Arm.REAL_DVAE_BALANCED), false,
                List.of(ModelType.DVAE)));
        assertThat(once.units().stream().filter(u -> u.key().equals("clf/REAL_DVAE_BALANCED/s2")).findFirst()
                .orElseThrow().needs()).containsExactlyInAnyOrder("gen/DVAE/all", "clf/REAL/s2");
        // not in the default arms: they are asked for by name
        assertThat(StudySpec.armsFor(null)).doesNotContain(Arm.REAL_VAE_BALANCED, Arm.REAL_DVAE_BALANCED);
        assertThat(spec(List.of(Arm.REAL, Arm.REAL_OVERSAMPLED, Arm.REAL_VAE_BALANCED), true, List.of(ModelType.DVAE))
                .problems()).anyMatch(p -> p.contains("REAL_VAE_BALANCED") && p.contains("models must include VAE"));
        // the fair baseline is not optional
        assertThat(spec(List.of(Arm.REAL, Arm.REAL_DVAE_BALANCED), true, null).problems())
                .anyMatch(p -> p.contains("must include REAL_OVERSAMPLED"));
    }

    @Test
    void theFilterThresholdMustLieStrictlyBetweenZeroAndOne() {
        StudySpec ok = spec(List.of(Arm.REAL), true, null);
        assertThat(ok.filterThresholdOrDefault()).isEqualTo(0.5);
        for (double bad : new double[] {0.0, 1.0, -0.1, Double.NaN}) {
            StudySpec s = new StudySpec(ok.datasetId(), ok.arms(), ok.seeds(), ok.allowTwoSeeds(), ok.syntheticRatio(),
                    ok.augmentGrades(), ok.balance(), ok.temperature(), ok.generativePerSeed(), ok.generative(),
                    ok.classifier(), null, null, null, null, ok.iwaeSamples(), null, null, bad);
            assertThat(s.problems()).as("threshold " + bad).anyMatch(p -> p.startsWith("filterThreshold"));
        }
    }

    @Test
    void theGenerativeModelOptionsAreValidatedWithTheirPath() {
        StudySpec ok = spec(List.of(Arm.REAL, Arm.REAL_DVAE), true, null);
        StudySpec.Generative g = ok.generative();
        StudySpec bad = new StudySpec("d", ok.arms(), 3, false, 1.0, null, false, 1.0, true,
                new StudySpec.Generative(g.epochs(), g.batchSize(), g.learningRate(), g.latentDim(), 8,
                        g.corruption(), 1, 0, "BERNOULLI", "FITTED", "LAYER", true, -1.0, 101.0, 0.0),
                ok.classifier(), null, null, null, null, 2, null, null, null);
        assertThat(bad.problems()).contains("generative.norm must be BATCH or GROUP",
                "generative.residual stages need baseChannels >= 16", "generative.frequencyLossWeight must be 0-100",
                "generative.featureLossWeight must be 0-100", "generative.klWeight must be in (0, 10]");
    }
}
