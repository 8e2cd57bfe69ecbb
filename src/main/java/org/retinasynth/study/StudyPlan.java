package org.retinasynth.study;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.retinasynth.study.StudySpec.Arm;
import org.retinasynth.model.ModelType;

/**
 * The units a study is cut into and what each waits for: a generative model per type (per seed,
 * or one per study), a classifier per arm and seed. An arm that adds synthetic images, or whose
 * classifier starts from a VAE's encoder, waits for that model (its seed's, or the study's one); the
 * REAL arm of each seed also scores that seed's models' synthetic-data quality, so it waits for every
 * model of its seed. A *_BALANCED arm also waits for the REAL classifier of its seed, which grades its
 * samples (see {@link #graded}). Units with nothing to wait for run at once, side by side on as many
 * workers as there are.
 */
record StudyPlan(List<Unit> units) {

    /** One unit: its key (stable; the report and a resumed study find results by it) and what it needs first. */
    record Unit(String key, Set<String> needs) {
    }

    static StudyPlan of(StudySpec spec) {
        List<Unit> units = new ArrayList<>();
        Set<String> generative = new LinkedHashSet<>();
        for (int seed = 0; seed < spec.seeds(); seed++) {
            for (ModelType type : spec.generativeModels()) {
                String key = generativeKey(spec, type, seed);
                if (generative.add(key)) {
                    units.add(new Unit(key, Set.of()));
                }
            }
        }
        // an arm graded by REAL comes after it, so that a single worker never waits on a later unit
        List<Arm> arms = spec.arms().stream().sorted(java.util.Comparator.comparing(StudyPlan::graded)).toList();
        for (int seed = 0; seed < spec.seeds(); seed++) {
            for (Arm arm : arms) {
                Set<String> needs = new LinkedHashSet<>();
                ModelType source = generativeSource(arm);
                if (source != null) {
                    needs.add(generativeKey(spec, source, seed));
                }
                if (graded(arm)) {
                    needs.add(classifierKey(Arm.REAL, seed));
                }
                if (arm == Arm.REAL) {
                    int s = seed;
                    spec.generativeModels().forEach(t -> needs.add(generativeKey(spec, t, s)));
                }
                units.add(new Unit(classifierKey(arm, seed), needs));
            }
        }
        return new StudyPlan(List.copyOf(units));
    }

    static String generativeKey(StudySpec spec, ModelType type, int seed) {
        return "gen/" + type + "/" + (spec.generativeModelsPerSeed() ? "s" + seed : "all");
    }

    static String classifierKey(Arm arm, int seed) {
        return "clf/" + arm + "/s" + seed;
    }

    /** The generative model whose samples an arm adds, or null for an arm of real images only. */
    static ModelType syntheticSource(Arm arm) {
        return switch (arm) {
            case REAL_VAE, REAL_VAE_BALANCED -> ModelType.VAE;
            case REAL_DVAE, REAL_DVAE_BALANCED, SYNTHETIC_ONLY -> ModelType.DVAE;
            case REAL, REAL_CLASSIC, REAL_OVERSAMPLED, ENCODER_VAE, ENCODER_DVAE, FROZEN_VAE, FROZEN_DVAE -> null;
        };
    }

    /** The generative model whose encoder an arm's classifier starts from, or null for a classifier from scratch. */
    static ModelType encoderSource(Arm arm) {
        return switch (arm) {
            case ENCODER_VAE, FROZEN_VAE -> ModelType.VAE;
            case ENCODER_DVAE, FROZEN_DVAE -> ModelType.DVAE;
            default -> null;
        };
    }

    /** Whether an arm's classifier keeps the encoder it starts from as it is. */
    static boolean frozenEncoder(Arm arm) {
        return arm == Arm.FROZEN_VAE || arm == Arm.FROZEN_DVAE;
    }

    /** The generative model a classifier unit of this arm needs, for its samples or its encoder; null if none. */
    static ModelType generativeSource(Arm arm) {
        ModelType samples = syntheticSource(arm);
        return samples != null ? samples : encoderSource(arm);
    }

    /**
     * Whether an arm keeps only the samples the same seed's REAL classifier (real training split,
     * epoch chosen on validation) places in their intended grade.
     */
    static boolean graded(Arm arm) {
        return arm == Arm.REAL_VAE_BALANCED || arm == Arm.REAL_DVAE_BALANCED;
    }
}
