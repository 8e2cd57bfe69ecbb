package org.retinasynth.study;

import java.util.ArrayList;
import java.util.List;
import org.retinasynth.model.ModelType;
import org.retinasynth.corruption.CorruptionRegistry;
import org.retinasynth.corruption.CorruptionSpec;

/**
 * Everything that decides what a study computes. With the dataset's content hash and the library
 * versions it is the provenance of every number and figure in the report.
 *
 * @param arms               which training sets (or initialisations) to compare; REAL is always included as
 *                           the reference
 * @param seeds              seeds 0..seeds-1; each varies classifier init, data order, augmentation and
 *                           synthetic sampling (and the generative models when {@code generativePerSeed})
 * @param allowTwoSeeds      lets tests run with 2 seeds; a real study needs at least 3 for its intervals
 * @param syntheticRatio     synthetic images per real training image (REAL_VAE, REAL_DVAE)
 * @param augmentGrades      grades that receive synthetic images; null = all
 * @param balance            instead of the ratio, top each augmented grade up to the largest grade's count
 * @param temperature        prior temperature when sampling synthetic images
 * @param generativePerSeed  train the VAE and DVAE once per seed (true) or once per study (false)
 * @param vaeJobId           a finished VAE training job to use instead of training one (implies once per study)
 * @param dvaeJobId          a finished DVAE training job to use instead of training one
 * @param representationCorruption the corruption for linear probe / stability / denoising; null = the DVAE's
 * @param robustnessCorruptions registered corruption names scored at 5 severities; null = all
 * @param iwaeSamples        importance samples per image for the log-likelihood estimate
 * @param models             the generative model types to train and compare; null = VAE and DVAE
 * @param externalTests      other datasets of the owner every classifier is also scored on, never trained
 *                           or selected on; null = none
 * @param filterThreshold    the *_BALANCED arms keep a sample only if the same seed's REAL classifier gives
 *                           its intended grade at least this probability; in (0, 1), null = 0.5
 */
public record StudySpec(String datasetId, List<Arm> arms, int seeds, boolean allowTwoSeeds, double syntheticRatio,
                        List<Integer> augmentGrades, boolean balance, double temperature, boolean generativePerSeed,
                        Generative generative, Classifier classifier, String vaeJobId, String dvaeJobId,
                        CorruptionSpec representationCorruption, List<String> robustnessCorruptions,
                        int iwaeSamples, List<ModelType> models, List<ExternalTest> externalTests,
                        Double filterThreshold) {

    /** The most external test sets a study scores on. */
    public static final int MAX_EXTERNAL_TESTS = 8;
    /** The filter threshold when the spec names none. */
    public static final double DEFAULT_FILTER_THRESHOLD = 0.5;

    /**
     * A dataset of the same owner scored as an external test set, at the study's working size.
     *
     * @param name how the report labels it (letters, digits, '.', '_' and '-')
     */
    public record ExternalTest(String datasetId, String name) {
    }

    /** The training sets a study compares. */
    public enum Arm {
        /** The real training split only: the reference every other arm is compared with. */
        REAL,
        /** Real images with random flips, 90-degree rotations and colour jitter. */
        REAL_CLASSIC,
        /**
         * Real images with every grade's images repeated up to the largest grade's count: plain
         * rebalancing, the baseline a synthetic arm must beat to be worth its cost.
         */
        REAL_OVERSAMPLED,
        /** Real images plus samples of the conditional VAE. */
        REAL_VAE,
        /** Real images plus samples of the conditional DVAE. */
        REAL_DVAE,
        /**
         * Real images with every grade below the largest grade's count topped up to it (REAL_OVERSAMPLED's
         * target) with VAE prior samples that the same seed's REAL classifier assigns to their intended
         * grade with probability at least {@code filterThreshold}; at most
         * {@value org.retinasynth.generation.GradeFilter#DEFAULT_DRAWS_PER_IMAGE} draws per image wanted,
         * and a grade whose budget runs out keeps what was accepted (the report states the shortfall).
         * It earns its place only if it beats REAL_OVERSAMPLED, which a spec with it must include.
         */
        REAL_VAE_BALANCED,
        /** As REAL_VAE_BALANCED, with samples of the conditional DVAE. */
        REAL_DVAE_BALANCED,
        /** DVAE samples only, as many as real training images, with the real grade mix: a sanity check. */
        SYNTHETIC_ONLY,
        /**
         * Real images only, on a classifier that starts from the DVAE's encoder (the same seed's DVAE
         * when the study trains one per seed) and is fine-tuned end to end with the REAL arm's settings:
         * does the denoising criterion give features that transfer better, to corruption and to other
         * cameras? The head reads the label-free conv features (the posterior layer needs a grade).
         */
        ENCODER_DVAE,
        /** As {@link #ENCODER_DVAE}, from the plain VAE's encoder: the control for the denoising criterion. */
        ENCODER_VAE,
        /**
         * Real images only, on the DVAE's encoder frozen: a small head (one hidden layer) trained on the
         * latent mean encoded with grade 0 as the condition, the representation measures' convention.
         */
        FROZEN_DVAE,
        /** As {@link #FROZEN_DVAE}, on the plain VAE's frozen encoder. */
        FROZEN_VAE
    }

    /**
     * Settings of the VAE and DVAE trained inside the study (same for both, except the corruption).
     *
     * @param likelihood GAUSSIAN_FIXED, GAUSSIAN_LEARNED or BERNOULLI; on RetinaMNIST only BERNOULLI
     *                   gave prior samples that look like fundus images after a few epochs
     * @param prior      where synthetic latents come from: FITTED (per-grade prior fitted to the
     *                   training posteriors) or STANDARD (N(0, I)); null (studies made before) means STANDARD
     * @param norm, residual, frequencyLossWeight, featureLossWeight as in
     *                   {@link org.retinasynth.training.TrainingSpec}; null (studies made before) means BATCH,
     *                   plain stages, no frequency or feature term
     * @param klWeight   as in {@link org.retinasynth.training.TrainingSpec}; null (studies made before) means 1
     */
    public record Generative(int epochs, int batchSize, double learningRate, int latentDim, int baseChannels,
                             CorruptionSpec corruption, int corruptedCopies, int klWarmupEpochs, String likelihood,
                             String prior, String norm, Boolean residual, Double frequencyLossWeight,
                             Double featureLossWeight, Double klWeight) {

        public boolean fittedPrior() {
            return "FITTED".equals(prior);
        }
    }

    /** Settings of the grade classifier, the same in every arm. */
    public record Classifier(int epochs, int batchSize, double learningRate, int width, double dropout,
                             double weightDecay, boolean classWeighted, int earlyStoppingPatience) {
    }

    /** All problems at once, so a caller can fix the request in one go. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (datasetId == null || datasetId.isBlank()) {
            p.add("datasetId is required");
        }
        if (arms == null || arms.isEmpty() || arms.stream().anyMatch(java.util.Objects::isNull)) {
            p.add("arms must list at least one of " + String.join(", ",
                    java.util.Arrays.stream(Arm.values()).map(Arm::name).toList()));
        } else if (!arms.contains(Arm.REAL)) {
            p.add("arms must include REAL: every arm is compared with it");
        } else if (arms.stream().distinct().count() != arms.size()) {
            p.add("arms must not repeat");
        } else if (arms.stream().anyMatch(StudyPlan::graded) && !arms.contains(Arm.REAL_OVERSAMPLED)) {
            p.add("arms with REAL_VAE_BALANCED or REAL_DVAE_BALANCED must include REAL_OVERSAMPLED: a balanced arm is"
                    + " judged against plain rebalancing to the same counts");
        }
        check(p, seeds >= (allowTwoSeeds ? 2 : 3) && seeds <= 20,
                "seeds must be 3-20 (a mean, a standard deviation and a confidence interval need at least 3)");
        check(p, syntheticRatio > 0 && syntheticRatio <= 10, "syntheticRatio must be in (0, 10]");
        check(p, temperature > 0 && temperature <= 2, "temperature must be in (0, 2]");
        if (augmentGrades != null && (augmentGrades.isEmpty() || augmentGrades.stream().anyMatch(g -> g == null || g < 0))) {
            p.add("augmentGrades must list grades >= 0 (omit it for all grades)");
        }
        if (generative == null) {
            p.add("generative settings are required");
        } else {
            check(p, generative.epochs() >= 1 && generative.epochs() <= 1000, "generative.epochs must be 1-1000");
            check(p, generative.batchSize() >= 2 && generative.batchSize() <= 1024, "generative.batchSize must be 2-1024");
            check(p, generative.learningRate() > 0 && generative.learningRate() <= 1,
                    "generative.learningRate must be in (0, 1]");
            check(p, generative.latentDim() >= 2 && generative.latentDim() <= 512, "generative.latentDim must be 2-512");
            check(p, generative.baseChannels() >= 4 && generative.baseChannels() <= 256,
                    "generative.baseChannels must be 4-256");
            check(p, generative.corruptedCopies() >= 1 && generative.corruptedCopies() <= 16,
                    "generative.corruptedCopies must be 1-16");
            check(p, generative.klWarmupEpochs() >= 0 && generative.klWarmupEpochs() <= generative.epochs(),
                    "generative.klWarmupEpochs must be 0-epochs");
            check(p, generative.likelihood() != null && java.util.Arrays.stream(
                            org.retinasynth.model.VaeConfig.Likelihood.values())
                    .anyMatch(l -> l.name().equals(generative.likelihood())),
                    "generative.likelihood must be GAUSSIAN_FIXED, GAUSSIAN_LEARNED or BERNOULLI");
            org.retinasynth.training.TrainingSpec.modelOptionProblems(p, "generative.", generative.norm(),
                    generative.residual(), generative.frequencyLossWeight(), generative.featureLossWeight(),
                    generative.klWeight(), generative.baseChannels());
            if (generative.prior() != null && !generative.prior().equals("FITTED") && !generative.prior().equals("STANDARD")) {
                p.add("generative.prior must be FITTED or STANDARD");
            }
            if (generative.corruption() == null || generative.corruption().isIdentity()) {
                p.add("generative.corruption is required: the DVAE needs one (e.g. gaussian:0.3)");
            } else {
                validate(p, "generative.corruption", generative.corruption());
            }
        }
        if (classifier == null) {
            p.add("classifier settings are required");
        } else {
            check(p, classifier.epochs() >= 1 && classifier.epochs() <= 500, "classifier.epochs must be 1-500");
            check(p, classifier.batchSize() >= 2 && classifier.batchSize() <= 1024, "classifier.batchSize must be 2-1024");
            check(p, classifier.learningRate() > 0 && classifier.learningRate() <= 1,
                    "classifier.learningRate must be in (0, 1]");
            check(p, classifier.width() >= 16 && classifier.width() <= 256, "classifier.width must be 16-256");
            check(p, classifier.dropout() >= 0 && classifier.dropout() <= 0.9, "classifier.dropout must be in [0, 0.9]");
            check(p, classifier.weightDecay() >= 0 && classifier.weightDecay() <= 1, "classifier.weightDecay must be 0-1");
            check(p, classifier.earlyStoppingPatience() >= 0 && classifier.earlyStoppingPatience() <= 500,
                    "classifier.earlyStoppingPatience must be 0-500");
        }
        if (representationCorruption != null) {
            validate(p, "representationCorruption", representationCorruption);
        }
        if (robustnessCorruptions != null) {
            for (String name : robustnessCorruptions) {
                if (!CorruptionRegistry.names().contains(name)) {
                    p.add("robustnessCorruptions: unknown corruption '" + name + "'; valid names: "
                            + String.join(", ", CorruptionRegistry.names()));
                }
            }
        }
        if (filterThreshold != null && !(filterThreshold > 0 && filterThreshold < 1)) {
            p.add("filterThreshold must be in (0, 1): the *_BALANCED arms keep a sample only if the REAL classifier"
                    + " gives its intended grade at least this probability");
        }
        check(p, iwaeSamples >= 1 && iwaeSamples <= 1024, "iwaeSamples must be 1-1024");
        if (models != null && (models.isEmpty() || models.stream().anyMatch(java.util.Objects::isNull)
                || models.stream().distinct().count() != models.size())) {
            p.add("models must list distinct model types (omit it for VAE and DVAE)");
        } else if (arms != null) {
            for (Arm arm : arms) {
                ModelType source = StudyPlan.generativeSource(arm);
                if (source != null && !generativeModels().contains(source)) {
                    p.add("arm " + arm + (StudyPlan.encoderSource(arm) != null ? " starts from the " + source
                            + "'s encoder" : " adds " + source + " samples") + ", so models must include " + source);
                }
            }
        }
        if (externalTests != null) {
            if (externalTests.size() > MAX_EXTERNAL_TESTS) {
                p.add("externalTests may list at most " + MAX_EXTERNAL_TESTS + " datasets");
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (ExternalTest e : externalTests) {
                if (e == null || e.datasetId() == null || e.datasetId().isBlank()) {
                    p.add("externalTests: every entry needs a datasetId");
                } else if (!ids.add(e.datasetId())) {
                    p.add("externalTests: dataset '" + e.datasetId() + "' is listed twice");
                }
                if (e != null && (e.name() == null || !e.name().matches("[A-Za-z0-9._-]{1,64}"))) {
                    p.add("externalTests: name must be 1-64 letters, digits, '.', '_' or '-'");
                } else if (e != null && !names.add(e.name())) {
                    p.add("externalTests: name '" + e.name() + "' is used twice");
                }
            }
        }
        return p;
    }

    /**
     * The default arms: every training-set arm that the given model types (null: VAE and DVAE) can
     * feed. The encoder-initialised arms ask another question, and the grader-filtered ones cost a
     * REAL classifier's wait and many draws: a study runs those only when it lists them.
     */
    public static List<Arm> armsFor(List<ModelType> models) {
        return java.util.Arrays.stream(Arm.values())
                .filter(a -> StudyPlan.encoderSource(a) == null && !StudyPlan.graded(a))
                .filter(a -> StudyPlan.syntheticSource(a) == null || models == null
                        || models.contains(StudyPlan.syntheticSource(a))).toList();
    }

    /** The external test sets, in the order the spec lists them. */
    public List<ExternalTest> externalTestsOrNone() {
        return externalTests != null ? externalTests : List.of();
    }

    /** The probability a *_BALANCED arm's sample needs for its intended grade. */
    public double filterThresholdOrDefault() {
        return filterThreshold != null ? filterThreshold : DEFAULT_FILTER_THRESHOLD;
    }

    /** The generative model types the study trains and compares. */
    public List<ModelType> generativeModels() {
        return models != null ? models : List.of(ModelType.VAE, ModelType.DVAE);
    }

    /** Whether the VAE and DVAE are trained (or loaded) once per seed rather than once per study. */
    public boolean generativeModelsPerSeed() {
        return generativePerSeed && vaeJobId == null && dvaeJobId == null;
    }

    /** The corruption under which representations are scored. */
    public CorruptionSpec representationCorruptionOrDefault() {
        return representationCorruption != null ? representationCorruption : generative.corruption();
    }

    /** The corruptions of the robustness protocol, in registry order. */
    public List<String> robustnessCorruptionsOrAll() {
        return robustnessCorruptions != null ? robustnessCorruptions : List.copyOf(CorruptionRegistry.names());
    }

    private static void validate(List<String> p, String field, CorruptionSpec c) {
        try {
            c.validate();
        } catch (IllegalArgumentException e) {
            p.add(field + ": " + e.getMessage());
        }
    }

    private static void check(List<String> problems, boolean ok, String message) {
        if (!ok) {
            problems.add(message);
        }
    }
}
