package org.retinasynth.study;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.metrics.PairedDifference;
import org.retinasynth.metrics.Summary;
import org.retinasynth.study.StudyReport.ArmSummary;
import org.retinasynth.study.StudyReport.ClassifierRun;
import org.retinasynth.study.StudyReport.ExternalScores;
import org.retinasynth.study.StudyReport.ExternalSummary;
import org.retinasynth.study.StudyReport.Figure;
import org.retinasynth.study.StudyReport.GenerativeRun;
import org.retinasynth.study.StudyReport.QualityRow;
import org.retinasynth.study.StudyReport.RepresentationPoint;
import org.retinasynth.study.StudyReport.RepresentationSummary;
import org.retinasynth.study.StudyReport.RobustnessPoint;
import org.retinasynth.study.StudyReport.RobustnessSummary;
import org.retinasynth.model.TorchRuntime;
import org.retinasynth.security.Owner;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.training.Charts;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/** Turns a study's stored units into its report (JSON in the blob store) and its figures (PNG blobs). */
@Component
class StudyReportBuilder {

    static final List<String> METRICS = List.of("accuracy", "balancedAccuracy", "macroF1", "quadraticWeightedKappa",
            "macroAuc");
    static final List<String> ROBUSTNESS_METRICS = List.of("accuracy", "balancedAccuracy", "macroF1");

    private final BlobStore blobs;
    private final ObjectMapper json;
    private final DatasetService datasets;

    StudyReportBuilder(BlobStore blobs, ObjectMapper json, DatasetService datasets) {
        this.blobs = blobs;
        this.json = json;
        this.datasets = datasets;
    }

    String build(Study study, Dataset dataset, Owner owner, StudyImages train, StudyImages val, StudyImages test,
                 Map<String, StudyRepository.Unit> units, Map<String, String> unitWorkers, double seconds) {
        StudySpec spec = study.spec();
        List<ClassifierRun> runs = new ArrayList<>();
        List<GenerativeRun> generative = new ArrayList<>();
        List<QualityRow> quality = new ArrayList<>();
        String gridSha = null;
        for (StudyRepository.Unit u : new TreeMap<>(units).values()) {
            if (u.key().startsWith("clf/")) {
                runs.add(json.readValue(u.resultJson(), ClassifierRun.class));
            } else if (u.key().startsWith("gen/")) {
                generative.add(json.readValue(u.resultJson(), GenerativeRun.class));
            } else if (u.key().equals("quality") || u.key().startsWith("quality/")) {
                quality.addAll(json.readValue(u.resultJson(), new TypeReference<List<QualityRow>>() { }));
                if (u.key().equals("quality")) {
                    gridSha = u.blobSha256();
                }
            }
        }
        runs.sort((a, b) -> a.arm().equals(b.arm()) ? Integer.compare(a.seed(), b.seed())
                : Integer.compare(StudySpec.Arm.valueOf(a.arm()).ordinal(), StudySpec.Arm.valueOf(b.arm()).ordinal()));
        int classes = dataset.classNames().size();
        List<ArmSummary> arms = armSummaries(spec, runs, classes, ClassifierRun::test);
        List<ExternalSummary> external = externalSummaries(spec, runs, classes);
        List<RobustnessSummary> robustness = robustness(spec, runs);
        List<RepresentationSummary> representation = representation(generative);
        String hash = datasets.contentHash(owner, dataset.id());
        List<Figure> figures = figures(spec, runs, generative, robustness, arms, gridSha, classes);
        if (!external.isEmpty()) {
            figures.add(externalFigure(spec, arms, external));
        }

        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("studyId", study.id());
        provenance.put("datasetId", dataset.id());
        provenance.put("datasetName", dataset.name());
        provenance.put("datasetContentSha256", hash);
        provenance.put("imageSize", dataset.workingSize());
        provenance.put("classNames", dataset.classNames());
        provenance.put("splitCountsPerGrade", Map.of("train", train.countsPerGrade(classes),
                "val", val.countsPerGrade(classes), "test", test.countsPerGrade(classes)));
        provenance.put("spec", spec);
        provenance.put("seeds", IntStream.range(0, spec.seeds()).boxed().toList());
        provenance.put("generativeModels", spec.generativeModelsPerSeed() ? "trained once per seed"
                : spec.vaeJobId() != null || spec.dvaeJobId() != null ? "taken from the given training jobs"
                : "trained once per study (seed 0)");
        provenance.put("engine", TorchRuntime.info());
        provenance.put("java", System.getProperty("java.version"));
        provenance.put("codeVersion", String.valueOf(StudyReportBuilder.class.getPackage().getImplementationVersion()));
        provenance.put("device", study.device());
        provenance.put("worker", study.worker());
        provenance.put("startedAt", String.valueOf(study.startedAt()));
        provenance.put("wallSeconds", seconds);
        List<Map<String, Object>> externalProvenance = new ArrayList<>();
        for (ExternalSummary e : external) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("datasetId", e.datasetId());
            m.put("contentSha256", e.contentSha256());
            m.put("images", e.images());
            m.put("countsPerGrade", e.countsPerGrade());
            m.put("usedFor", "scoring only");
            externalProvenance.add(m);
        }
        provenance.put("externalTests", externalProvenance);
        List<Map<String, Object>> encoders = new ArrayList<>();
        for (ClassifierRun r : runs) {
            if (r.encoder() != null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("arm", r.arm());
                m.put("seed", r.seed());
                m.put("model", r.encoder().model());
                m.put("unit", r.encoder().unit());
                m.put("modelSha256", r.encoder().modelSha256());
                m.put("frozen", r.encoder().frozen());
                encoders.add(m);
            }
        }
        if (!encoders.isEmpty()) {
            provenance.put("classifierEncoders", encoders);
        }
        List<StudySpec.Arm> graded = spec.arms().stream().filter(StudyPlan::graded).toList();
        if (!graded.isEmpty()) {
            Map<String, Object> filter = new LinkedHashMap<>();
            filter.put("arms", graded);
            filter.put("filter", "keep a prior sample of grade g only if the grader gives g probability >= threshold");
            filter.put("threshold", spec.filterThresholdOrDefault());
            filter.put("drawsPerImage", org.retinasynth.generation.GradeFilter.DEFAULT_DRAWS_PER_IMAGE);
            filter.put("grader", "clf/REAL/sN: the REAL arm's classifier of the same seed N, trained on the real"
                    + " training split only, epoch chosen on the validation split");
            filter.put("target", "every grade topped up to the largest grade's training count (REAL_OVERSAMPLED's"
                    + " target)");
            provenance.put("syntheticFilter", filter);
        }
        provenance.put("unitWorkers", new TreeMap<>(unitWorkers));
        provenance.put("unitSeconds", units.values().stream().collect(
                java.util.stream.Collectors.toMap(StudyRepository.Unit::key, StudyRepository.Unit::seconds,
                        (a, b) -> a, TreeMap::new)));

        List<String> notes = new ArrayList<>();
        notes.add("Generative models: " + provenance.get("generativeModels") + ", conditional on the grade, on the"
                + " training split only (validation split for the validation loss). Synthetic latents come from "
                + (spec.generative().fittedPrior() ? "a Gaussian per grade fitted to the training images' posterior"
                + " means (FITTED prior)" : "N(0, I) (STANDARD prior)") + ".");
        notes.add("Two-sample AUC: a logistic regression on the feature space below learns real training images"
                + " against a second synthetic set with the training grade mix, and is scored on the real test"
                + " images against the quality set (0.5: it cannot tell them apart). Memorisation: each sample's"
                + " distance to its nearest real training image over the same distance for real test images"
                + " (well below 1: copies), and the share of samples nearer than 95% of real test images are.");
        if (spec.arms().contains(StudySpec.Arm.REAL_OVERSAMPLED)) {
            notes.add("REAL_OVERSAMPLED repeats each grade's real training images up to the largest grade's count;"
                    + " differenceToOversampled gives every arm's paired difference to it, per grade's recall too:"
                    + " synthetic data earns its place only where that interval lies above 0.");
        }
        if (!graded.isEmpty()) {
            notes.add(filterNote(spec, runs));
        }
        notes.add("Classifier: same hyper-parameters in every arm; " + (spec.classifier().earlyStoppingPatience() > 0
                ? "the epoch with the lowest validation cross-entropy is kept (patience "
                + spec.classifier().earlyStoppingPatience() + ")" : "fixed " + spec.classifier().epochs() + " epochs")
                + "; the test split is used only for the scores reported here.");
        notes.add("Synthetic quality feature space: the penultimate-layer features (ClassifierModel.features) of the"
                + " same seed's REAL classifier, trained on real training images only; no downloaded weights; each"
                + " seed's VAE and DVAE are scored in their own seed's space and summarised over seeds."
                + " Each synthetic set has as many images per grade as the test split. REAL_TRAIN (real training"
                + " images vs real test images) is the floor a perfect generator would reach. PRDC uses k=5;"
                + " grades with 6 or fewer images on either side are skipped.");
        notes.add("Representation: latent means are encoded with grade 0 as the condition for every image (the"
                + " encoder is conditional; the true grade would hand the probe its answer). Linear probe: trained"
                + " on training-split latents, scored on test-split latents of clean or corrupted images. Latent"
                + " stability: mean L2 distance between mu(x) and mu(corrupt(x)) divided by the mean L2 distance of"
                + " clean test latents to their centroid (0 = unmoved, 1 = moved by a typical between-image distance)."
                + " Denoising PSNR/SSIM: reconstruction of the corrupted test image (true grade as condition) against"
                + " the clean one. Corrupted conditions: the representation corruption and every robustness"
                + " corruption at severity " + Double.toString(0.6) + ". On an external test set (condition"
                + " external:NAME:...) the probe is still trained on training-split latents and only the clean and"
                + " representation-corruption conditions are scored.");
        notes.add("testNegativeElbo is the negative evidence lower bound of clean test images in nats per image"
                + " (lower is better) and testIwaeLogLikelihood the importance-weighted estimate of log p(x) with "
                + spec.iwaeSamples() + " samples (higher is better); both use the decoder's own likelihood ("
                + spec.generative().likelihood() + " on [0,1] pixels; a Gaussian density can make them either sign)."
                + " The DVAE is scored on clean inputs here, like the VAE, so the two are comparable.");
        notes.add("Robustness: every classifier on the test split under each corruption at severities 0.2-1.0 and"
                + " under the equipment-shift protocol (blur, vignetting, colour cast, contrast); corrupted test sets"
                + " are generated once with fixed seeds, so all arms see identical pixels.");
        notes.add("Paired differences: arm minus REAL for the same seed, mean with a 95% t interval over seeds;"
                + " on the internal test split, on every external set and at every point of the robustness curves"
                + " (RobustnessSummary.differenceToReal).");
        if (spec.arms().stream().anyMatch(a -> StudyPlan.encoderSource(a) != null)) {
            notes.add("Encoder-initialised arms (ENCODER_*, FROZEN_*) train on the real training split with the REAL"
                    + " arm's classifier settings, but their classifier starts from the seed's (or the study's) VAE or"
                    + " DVAE encoder instead of a ResNet from scratch; each run's encoder field names the unit and the"
                    + " sha256 of the model archive whose weights it copied. ENCODER_* fine-tunes the encoder's conv"
                    + " stack with a new head (hidden layer of classifier.width units) on its flattened features;"
                    + " FROZEN_* keeps encoder and posterior layer fixed (BatchNorm on its running averages) and"
                    + " trains only the head on the latent mean encoded with grade 0 as the condition, the"
                    + " representation measures' convention. Their difference to REAL asks whether the (denoising)"
                    + " generative pre-training transfers; REAL alone still scores synthetic-data quality.");
        }
        if (!external.isEmpty()) {
            notes.add("External test sets (" + String.join(", ", external.stream().map(ExternalSummary::name).toList())
                    + "): other datasets, resized to " + dataset.workingSize() + " px by area averaging, read in"
                    + " filename order. They are never used for training, for choosing the classifier's epoch or for"
                    + " any other model selection: every arm x seed classifier, once trained, is only scored on them"
                    + " (imagesRead in each classifier run records what it read in which phase). At creation the"
                    + " study refused any that shared an image (same pixels at the working size) with the training"
                    + " or validation split. Each set's content sha256 (over its sorted per-image pixel hashes and"
                    + " grades) is in provenance.externalTests; paired differences are arm minus REAL (and minus"
                    + " REAL_OVERSAMPLED) on the same seed, as for the internal test split. Transfer: each arm's"
                    + " drop (internal test minus external score, per seed) and its drop minus the drop of REAL,"
                    + " REAL_CLASSIC and, for a DVAE arm, the same arm on the VAE, paired by seed; an interval below"
                    + " 0 means the arm loses less on the way to the other site.");
        }

        StudyReport report = new StudyReport(study.id(), provenance, arms, representation, quality, robustness, runs,
                generative, figures, notes, qualityOverSeeds(quality), external);
        return blobs.put(json.writeValueAsBytes(report));
    }

    /** What the *_BALANCED arms kept, and plainly where a grade's draw budget ran out before its target. */
    static String filterNote(StudySpec spec, List<ClassifierRun> runs) {
        List<String> shortfalls = new ArrayList<>();
        for (ClassifierRun r : runs) {
            if (r.filter() == null) {
                continue;
            }
            for (org.retinasynth.generation.GradeFilter.FilterTally t : r.filter().grades()) {
                if (t.shortfall() > 0) {
                    shortfalls.add(r.arm() + " seed " + r.seed() + " grade " + t.grade() + ": " + t.accepted() + " of "
                            + t.requested() + " after " + t.drawn() + " draws");
                }
            }
        }
        return "REAL_VAE_BALANCED / REAL_DVAE_BALANCED: every grade below the largest grade's training count is"
                + " topped up to it (REAL_OVERSAMPLED's target) with prior samples of that grade that the same seed's"
                + " REAL classifier (real training split only, epoch chosen on validation) assigns to the intended"
                + " grade with probability >= " + spec.filterThresholdOrDefault() + "; at most "
                + org.retinasynth.generation.GradeFilter.DEFAULT_DRAWS_PER_IMAGE + " draws per image asked for."
                + " Requested, drawn, accepted and the acceptance rate per seed and grade are in each classifier"
                + " run's filter. " + (shortfalls.isEmpty() ? "Every grade reached its target."
                : "The draw budget ran out before the target, so these arms trained on fewer images than"
                + " REAL_OVERSAMPLED: " + String.join("; ", shortfalls) + ".")
                + " The grader is the REAL arm itself, so these arms add what REAL already believes; they count"
                + " only where they beat REAL_OVERSAMPLED.";
    }

    // ---- summaries -----------------------------------------------------------------------

    /**
     * Each external test set's arm summaries, from the scores every classifier run recorded on it.
     * The content hash is the one the runs agree on; runs that read different content fail the
     * report, as their numbers would not describe one set.
     */
    private static List<ExternalSummary> externalSummaries(StudySpec spec, List<ClassifierRun> runs, int classes) {
        List<ExternalSummary> out = new ArrayList<>();
        for (StudySpec.ExternalTest t : spec.externalTestsOrNone()) {
            List<ExternalScores> seen = runs.stream().map(r -> externalOf(r, t.name())).filter(java.util.Objects::nonNull)
                    .toList();
            if (seen.isEmpty()) {
                continue;
            }
            java.util.Set<String> hashes = new java.util.TreeSet<>(seen.stream().map(ExternalScores::contentSha256)
                    .toList());
            if (hashes.size() > 1) {
                throw new IllegalStateException("external test '" + t.name() + "' changed while the study ran: the"
                        + " units read contents " + hashes);
            }
            List<ClassifierRun> scored = runs.stream().filter(r -> externalOf(r, t.name()) != null).toList();
            int[][] confusion = seen.get(0).scores().confusion();
            int[] counts = new int[classes];
            for (int g = 0; g < classes; g++) {
                counts[g] = java.util.Arrays.stream(confusion[g]).sum();
            }
            out.add(new ExternalSummary(t.name(), t.datasetId(), hashes.iterator().next(), seen.get(0).images(), counts,
                    armSummaries(spec, scored, classes, r -> externalOf(r, t.name()).scores()),
                    transfer(spec, scored, t.name())));
        }
        return out;
    }

    /** See {@link StudyReport.Transfer}. */
    static List<StudyReport.Transfer> transfer(StudySpec spec, List<ClassifierRun> runs, String name) {
        Map<String, Map<Integer, ClassifierRun>> byArm = new LinkedHashMap<>();
        runs.forEach(r -> byArm.computeIfAbsent(r.arm(), a -> new TreeMap<>()).put(r.seed(), r));
        List<StudyReport.Transfer> out = new ArrayList<>();
        for (StudySpec.Arm arm : spec.arms()) {
            Map<Integer, ClassifierRun> mine = byArm.get(arm.name());
            if (mine == null) {
                continue;
            }
            Map<String, Summary> drop = new LinkedHashMap<>();
            for (String m : ROBUSTNESS_METRICS) {
                drop.put(m, Summary.of(mine.values().stream().mapToDouble(r -> drop(r, name, m)).toArray()));
            }
            Map<String, Map<String, PairedDifference>> minus = new LinkedHashMap<>();
            List<String> against = new ArrayList<>(List.of(StudySpec.Arm.REAL.name(), StudySpec.Arm.REAL_CLASSIC.name()));
            if (arm.name().contains("DVAE")) {
                against.add(arm.name().replace("DVAE", "VAE"));
            }
            for (String other : against) {
                Map<Integer, ClassifierRun> theirs = byArm.get(other);
                if (other.equals(arm.name()) || theirs == null) {
                    continue;
                }
                List<Integer> seeds = mine.keySet().stream().filter(theirs::containsKey).toList();
                if (seeds.size() < 2) {
                    continue;
                }
                Map<String, PairedDifference> d = new LinkedHashMap<>();
                for (String m : ROBUSTNESS_METRICS) {
                    d.put(m, PairedDifference.of(seeds.stream().mapToDouble(s -> drop(mine.get(s), name, m)).toArray(),
                            seeds.stream().mapToDouble(s -> drop(theirs.get(s), name, m)).toArray()));
                }
                minus.put(other, d);
            }
            out.add(new StudyReport.Transfer(arm.name(), drop, minus));
        }
        return out;
    }

    private static double drop(ClassifierRun r, String external, String metric) {
        return metric(r.test(), metric) - metric(externalOf(r, external).scores(), metric);
    }

    private static ExternalScores externalOf(ClassifierRun r, String name) {
        return r.external() == null ? null
                : r.external().stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
    }

    private static List<ArmSummary> armSummaries(StudySpec spec, List<ClassifierRun> runs, int classes,
                                                 java.util.function.Function<ClassifierRun, StudyReport.Scores> on) {
        Map<Integer, ClassifierRun> reference = new TreeMap<>();
        runs.stream().filter(r -> r.arm().equals("REAL")).forEach(r -> reference.put(r.seed(), r));
        Map<Integer, ClassifierRun> oversampled = new TreeMap<>();
        runs.stream().filter(r -> r.arm().equals(StudySpec.Arm.REAL_OVERSAMPLED.name()))
                .forEach(r -> oversampled.put(r.seed(), r));
        List<ArmSummary> out = new ArrayList<>();
        for (StudySpec.Arm arm : spec.arms()) {
            List<ClassifierRun> mine = runs.stream().filter(r -> r.arm().equals(arm.name())).toList();
            if (mine.isEmpty()) {
                continue;
            }
            Map<String, Summary> metrics = new LinkedHashMap<>();
            Map<String, PairedDifference> diffs = new LinkedHashMap<>();
            for (String m : METRICS) {
                double[] v = mine.stream().mapToDouble(r -> metric(on.apply(r), m)).toArray();
                metrics.put(m, Summary.of(v));
                List<ClassifierRun> paired = mine.stream().filter(r -> reference.containsKey(r.seed())).toList();
                if (arm != StudySpec.Arm.REAL && paired.size() >= 2) {
                    diffs.put(m, PairedDifference.of(paired.stream().mapToDouble(r -> metric(on.apply(r), m)).toArray(),
                            paired.stream().mapToDouble(r -> metric(on.apply(reference.get(r.seed())), m)).toArray()));
                }
            }
            List<Summary> recall = new ArrayList<>();
            int[][] confusion = new int[classes][classes];
            for (int g = 0; g < classes; g++) {
                int gg = g;
                recall.add(Summary.of(mine.stream().mapToDouble(r -> on.apply(r).recall()[gg]).toArray()));
            }
            for (ClassifierRun r : mine) {
                for (int i = 0; i < classes; i++) {
                    for (int j = 0; j < classes; j++) {
                        confusion[i][j] += on.apply(r).confusion()[i][j];
                    }
                }
            }
            Map<String, PairedDifference> toOversampled = new LinkedHashMap<>();
            List<ClassifierRun> pairedO = mine.stream().filter(r -> oversampled.containsKey(r.seed())).toList();
            if (arm != StudySpec.Arm.REAL_OVERSAMPLED && pairedO.size() >= 2) {
                for (String m : METRICS) {
                    toOversampled.put(m, PairedDifference.of(pairedO.stream().mapToDouble(r -> metric(on.apply(r), m))
                            .toArray(), pairedO.stream().mapToDouble(r -> metric(on.apply(oversampled.get(r.seed())), m))
                            .toArray()));
                }
                for (int g = 0; g < classes; g++) {
                    int gg = g;
                    toOversampled.put("recall[" + g + "]", PairedDifference.of(
                            pairedO.stream().mapToDouble(r -> on.apply(r).recall()[gg]).toArray(),
                            pairedO.stream().mapToDouble(r -> on.apply(oversampled.get(r.seed())).recall()[gg]).toArray()));
                }
            }
            out.add(new ArmSummary(arm.name(), metrics, diffs, recall, confusion, toOversampled));
        }
        return out;
    }

    /** Each source and grade's quality figures, mean ± sd over the seeds that scored them. */
    private static List<StudyReport.QualitySummary> qualityOverSeeds(List<QualityRow> rows) {
        Map<String, List<QualityRow>> groups = new java.util.LinkedHashMap<>();
        rows.forEach(r -> groups.computeIfAbsent(r.source() + "\u0000" + r.grade(), k -> new ArrayList<>()).add(r));
        List<StudyReport.QualitySummary> out = new ArrayList<>();
        for (List<QualityRow> g : groups.values()) {
            Map<String, Summary> m = new LinkedHashMap<>();
            m.put("frechetDistance", Summary.of(g.stream().mapToDouble(QualityRow::frechetDistance).toArray()));
            m.put("precision", Summary.of(g.stream().mapToDouble(QualityRow::precision).toArray()));
            m.put("recall", Summary.of(g.stream().mapToDouble(QualityRow::recall).toArray()));
            m.put("density", Summary.of(g.stream().mapToDouble(QualityRow::density).toArray()));
            m.put("coverage", Summary.of(g.stream().mapToDouble(QualityRow::coverage).toArray()));
            if (g.stream().allMatch(r -> r.twoSampleAuc() != null)) {
                m.put("twoSampleAuc", Summary.of(g.stream().mapToDouble(QualityRow::twoSampleAuc).toArray()));
            }
            if (g.stream().allMatch(r -> r.memorisation() != null)) {
                m.put("nearestTrainDistanceRatio",
                        Summary.of(g.stream().mapToDouble(r -> r.memorisation().ratio()).toArray()));
            }
            out.add(new StudyReport.QualitySummary(g.get(0).source(), g.get(0).grade(), m));
        }
        return out;
    }

    static double metric(StudyReport.Scores s, String name) {
        return switch (name) {
            case "accuracy" -> s.accuracy();
            case "balancedAccuracy" -> s.balancedAccuracy();
            case "macroF1" -> s.macroF1();
            case "quadraticWeightedKappa" -> s.quadraticWeightedKappa();
            case "macroAuc" -> s.macroAuc();
            default -> throw new IllegalArgumentException(name);
        };
    }

    static double metric(RobustnessPoint p, String name) {
        return switch (name) {
            case "accuracy" -> p.accuracy();
            case "balancedAccuracy" -> p.balancedAccuracy();
            case "macroF1" -> p.macroF1();
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static List<RobustnessSummary> robustness(StudySpec spec, List<ClassifierRun> runs) {
        List<RobustnessSummary> out = new ArrayList<>();
        Map<Integer, ClassifierRun> reference = new TreeMap<>();
        runs.stream().filter(r -> r.arm().equals(StudySpec.Arm.REAL.name())).forEach(r -> reference.put(r.seed(), r));
        for (StudySpec.Arm arm : spec.arms()) {
            List<ClassifierRun> mine = runs.stream().filter(r -> r.arm().equals(arm.name())).toList();
            if (mine.isEmpty()) {
                continue;
            }
            List<ClassifierRun> others = arm == StudySpec.Arm.REAL ? List.of() : mine;
            for (String m : ROBUSTNESS_METRICS) {
                out.add(new RobustnessSummary(arm.name(), "clean", 0, m,
                        Summary.of(mine.stream().mapToDouble(r -> metric(r.test(), m)).toArray()),
                        toReal(others, reference, r -> metric(r.test(), m))));
            }
            Map<String, Map<Double, List<RobustnessPoint>>> grouped = new LinkedHashMap<>();
            for (ClassifierRun r : mine) {
                for (RobustnessPoint p : r.robustness()) {
                    grouped.computeIfAbsent(p.condition(), k -> new TreeMap<>())
                            .computeIfAbsent(p.severity(), k -> new ArrayList<>()).add(p);
                }
            }
            for (var byCondition : grouped.entrySet()) {
                for (var bySeverity : byCondition.getValue().entrySet()) {
                    for (String m : ROBUSTNESS_METRICS) {
                        String condition = byCondition.getKey();
                        double severity = bySeverity.getKey();
                        out.add(new RobustnessSummary(arm.name(), condition, severity, m,
                                Summary.of(bySeverity.getValue().stream().mapToDouble(p -> metric(p, m)).toArray()),
                                toReal(others, reference, r -> r.robustness().stream()
                                        .filter(p -> p.condition().equals(condition) && p.severity() == severity)
                                        .findFirst().map(p -> metric(p, m)).orElse(null))));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Arm minus REAL over the seeds where both have the value ({@code value} gives null where a run
     * lacks it), or null with fewer than 2 such seeds.
     */
    private static PairedDifference toReal(List<ClassifierRun> mine, Map<Integer, ClassifierRun> reference,
                                           java.util.function.Function<ClassifierRun, Double> value) {
        List<double[]> pairs = new ArrayList<>();
        for (ClassifierRun r : mine) {
            ClassifierRun ref = reference.get(r.seed());
            Double a = value.apply(r);
            Double b = ref == null ? null : value.apply(ref);
            if (a != null && b != null) {
                pairs.add(new double[] {a, b});
            }
        }
        return pairs.size() < 2 ? null : PairedDifference.of(pairs.stream().mapToDouble(p -> p[0]).toArray(),
                pairs.stream().mapToDouble(p -> p[1]).toArray());
    }

    private static List<RepresentationSummary> representation(List<GenerativeRun> runs) {
        List<GenerativeRun> vae = runs.stream().filter(r -> r.model().equals("VAE")).sorted(
                java.util.Comparator.comparingInt(GenerativeRun::seed)).toList();
        List<GenerativeRun> dvae = runs.stream().filter(r -> r.model().equals("DVAE")).sorted(
                java.util.Comparator.comparingInt(GenerativeRun::seed)).toList();
        List<RepresentationSummary> out = new ArrayList<>();
        out.add(summary("testNegativeElbo", "clean", vae, dvae, GenerativeRun::testNegativeElbo));
        out.add(summary("testIwaeLogLikelihood", "clean", vae, dvae, GenerativeRun::testIwaeLogLikelihood));
        if (vae.isEmpty()) {
            return out;
        }
        for (RepresentationPoint p : vae.get(0).representation()) {
            String c = p.condition();
            out.add(summary("probeAccuracy", c, vae, dvae, r -> point(r, c).probeAccuracy()));
            out.add(summary("latentStability", c, vae, dvae, r -> point(r, c).latentStability()));
            out.add(summary("psnr", c, vae, dvae, r -> point(r, c).psnr()));
            out.add(summary("ssim", c, vae, dvae, r -> point(r, c).ssim()));
        }
        if (vae.get(0).external() == null) {
            return out;
        }
        for (StudyReport.ExternalRepresentation e : vae.get(0).external()) {
            for (RepresentationPoint p : e.points()) {
                String n = e.name();
                String c = p.condition();
                String label = "external:" + n + ":" + c;
                List<GenerativeRun> v = withExternal(vae, n);
                List<GenerativeRun> dv = withExternal(dvae, n);
                out.add(summary("probeAccuracy", label, v, dv, r -> point(r, n, c).probeAccuracy()));
                out.add(summary("latentStability", label, v, dv, r -> point(r, n, c).latentStability()));
                out.add(summary("psnr", label, v, dv, r -> point(r, n, c).psnr()));
                out.add(summary("ssim", label, v, dv, r -> point(r, n, c).ssim()));
            }
        }
        return out;
    }

    private static List<GenerativeRun> withExternal(List<GenerativeRun> runs, String name) {
        return runs.stream().filter(r -> r.external() != null
                && r.external().stream().anyMatch(e -> e.name().equals(name))).toList();
    }

    private static RepresentationPoint point(GenerativeRun r, String external, String condition) {
        return r.external().stream().filter(e -> e.name().equals(external)).flatMap(e -> e.points().stream())
                .filter(p -> p.condition().equals(condition)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no point " + condition + " on " + external));
    }

    private static RepresentationPoint point(GenerativeRun r, String condition) {
        return r.representation().stream().filter(p -> p.condition().equals(condition)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no representation point " + condition));
    }

    private static RepresentationSummary summary(String metric, String condition, List<GenerativeRun> vae,
                                                 List<GenerativeRun> dvae, ToDoubleFunction<GenerativeRun> f) {
        double[] a = vae.stream().mapToDouble(f).toArray();
        double[] b = dvae.stream().mapToDouble(f).toArray();
        return new RepresentationSummary(metric, condition, a.length == 0 ? null : Summary.of(a),
                b.length == 0 ? null : Summary.of(b),
                a.length >= 2 && a.length == b.length ? PairedDifference.of(b, a) : null);
    }

    // ---- figures -------------------------------------------------------------------------

    private List<Figure> figures(StudySpec spec, List<ClassifierRun> runs, List<GenerativeRun> generative,
                                 List<RobustnessSummary> robustness, List<ArmSummary> arms, String gridSha,
                                 int classes) {
        List<Figure> out = new ArrayList<>();
        List<String> armNames = arms.stream().map(ArmSummary::arm).toList();
        List<Integer> seeds = IntStream.range(0, spec.seeds()).boxed().toList();
        for (String m : ROBUSTNESS_METRICS) {
            XYChart chart = xy("Mean " + m + " over the " + spec.robustnessCorruptionsOrAll().size()
                    + " corruptions vs severity (mean over seeds)", "severity", m);
            for (String arm : armNames) {
                TreeMap<Double, List<Double>> bySeverity = new TreeMap<>();
                for (RobustnessSummary r : robustness) {
                    if (r.arm().equals(arm) && r.metric().equals(m) && !r.condition().equals("equipment_shift")) {
                        bySeverity.computeIfAbsent(r.severity(), k -> new ArrayList<>()).add(r.value().mean());
                    }
                }
                chart.addSeries(arm, bySeverity.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
                        bySeverity.values().stream().mapToDouble(l -> l.stream().mapToDouble(d -> d).average()
                                .orElse(Double.NaN)).toArray()).setMarker(SeriesMarkers.CIRCLE);
            }
            out.add(figure("robustness-mean-" + m, chart, "Mean " + m + " over all corruptions vs severity",
                    armNames, seeds));
        }
        List<String> conditions = new ArrayList<>(spec.robustnessCorruptionsOrAll());
        conditions.add("equipment_shift");
        for (String condition : conditions) {
            XYChart chart = xy("Accuracy under " + condition + " (mean ± sd over seeds; arms offset a little"
                    + " sideways)", "severity", "accuracy");
            chart.getStyler().setErrorBarsColorSeriesColor(true);
            double step = robustness.stream().mapToDouble(RobustnessSummary::severity).filter(v -> v > 0).min()
                    .orElse(1);
            for (int i = 0; i < armNames.size(); i++) {
                String arm = armNames.get(i);
                // side by side, so that overlapping error bars stay readable
                double shift = step * 0.08 * (i - (armNames.size() - 1) / 2.0);
                List<RobustnessSummary> pts = robustness.stream().filter(r -> r.arm().equals(arm)
                        && r.metric().equals("accuracy") && (r.condition().equals(condition)
                        || r.condition().equals("clean"))).sorted(java.util.Comparator.comparingDouble(
                        RobustnessSummary::severity)).toList();
                chart.addSeries(arm, pts.stream().mapToDouble(r -> r.severity() + shift).toArray(),
                                pts.stream().mapToDouble(r -> r.value().mean()).toArray(),
                                pts.stream().mapToDouble(r -> finite(r.value().sd())).toArray())
                        .setMarker(SeriesMarkers.CIRCLE);
            }
            out.add(figure("robustness-" + condition, chart, "Accuracy vs severity of " + condition, armNames, seeds));
        }
        CategoryChart recall = new CategoryChartBuilder().width(900).height(480).title(
                "Per-grade recall on the test split (mean over seeds)").xAxisTitle("grade").yAxisTitle("recall").build();
        style(recall);
        List<String> grades = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
        for (ArmSummary a : arms) {
            recall.addSeries(a.arm(), grades, a.recallPerGrade().stream().map(s -> (Number) s.mean()).toList(),
                    a.recallPerGrade().stream().map(s -> (Number) finite(s.sd())).toList());
        }
        out.add(figure("recall-per-grade", recall, "Per-grade recall of each arm", armNames, seeds));
        out.add(confusionFigure(arms, classes, seeds));
        out.add(classifierLossFigure(runs, armNames));
        for (GenerativeRun g : generative) {
            String name = "loss-" + g.model() + (g.seed() >= 0 ? "-s" + g.seed() : "");
            out.add(new Figure(name, g.model() + " loss curves (" + g.source().split(",")[0] + ")",
                    blobs.put(Charts.lossCurves(g.model() + (g.seed() >= 0 ? " seed " + g.seed() : ""), g.history())),
                    List.of(g.model()), g.seed() >= 0 ? List.of(g.seed()) : List.of(0)));
        }
        if (gridSha != null) {
            out.add(new Figure("samples", "Per grade: real training images, then VAE and DVAE samples (seed-0 models)",
                    gridSha, List.of("VAE", "DVAE"), List.of(0)));
        }
        return out;
    }

    /** Every arm's confusion matrix in one picture, side by side, 0 white and counts as integers. */
    private Figure confusionFigure(List<ArmSummary> arms, int classes, List<Integer> seeds) {
        List<BufferedImage> panels = new ArrayList<>();
        int max = arms.stream().flatMap(a -> Arrays.stream(a.confusionSummedOverSeeds())).flatMapToInt(Arrays::stream)
                .max().orElse(1);
        for (ArmSummary a : arms) {
            HeatMapChart heat = new HeatMapChartBuilder().width(360).height(340).title(a.arm())
                    .xAxisTitle("predicted grade").yAxisTitle("true grade").build();
            heat.getStyler().setChartBackgroundColor(Color.WHITE).setLegendVisible(false);
            heat.getStyler().setShowValue(true).setHeatMapValueDecimalPattern("#").setMin(0)
                    .setMax(Math.max(1, max)).setRangeColors(new Color[] {Color.WHITE, new Color(0x4A, 0x90, 0xC8)})
                    .setValueFontColor(Color.BLACK).setDrawBorder(true);
            // a label under every grade, not every other one
            heat.getStyler().setXAxisTickMarkSpacingHint(10).setYAxisTickMarkSpacingHint(10);
            List<Number[]> cells = new ArrayList<>();
            for (int t = 0; t < classes; t++) {
                for (int p = 0; p < classes; p++) {
                    cells.add(new Number[] {p, classes - 1 - t, a.confusionSummedOverSeeds()[t][p]});
                }
            }
            List<Integer> yLabels = IntStream.range(0, classes).map(i -> classes - 1 - i).boxed().toList();
            heat.addSeries("confusion", IntStream.range(0, classes).boxed().toList(), yLabels, cells);
            panels.add(BitmapEncoder.getBufferedImage(heat));
        }
        int perRow = Math.min(4, Math.max(1, panels.size()));
        int w = panels.get(0).getWidth();
        int h = panels.get(0).getHeight();
        int rows = (panels.size() + perRow - 1) / perRow;
        BufferedImage sheet = new BufferedImage(w * perRow, h * rows, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            for (int i = 0; i < panels.size(); i++) {
                g.drawImage(panels.get(i), (i % perRow) * w, (i / perRow) * h, null);
            }
        } finally {
            g.dispose();
        }
        return new Figure("confusion", "Confusion matrices, summed over seeds (rows: true grade; one shade scale "
                + "for every arm, white = 0)", blobs.put(SampleGrid.png(sheet)), arms.stream().map(ArmSummary::arm)
                .toList(), seeds);
    }

    /**
     * Seed 0's loss curves: one colour per arm, solid train and dashed validation. The scale follows
     * the arms trained on real images; SYNTHETIC_ONLY's validation loss on real images can be many
     * times larger and would flatten every other curve, so it may run off the top.
     */
    private Figure classifierLossFigure(List<ClassifierRun> runs, List<String> armNames) {
        XYChart loss = xy("Classifier loss per epoch, seed 0 (solid: train, dashed: validation)", "epoch",
                "cross-entropy");
        loss.getStyler().setMarkerSize(0);
        Color[] palette = loss.getStyler().getSeriesColors();
        double top = 0;
        for (ClassifierRun r : runs) {
            if (r.seed() != 0) {
                continue;
            }
            Color colour = palette[Math.max(0, armNames.indexOf(r.arm())) % palette.length];
            double[] x = IntStream.rangeClosed(1, r.trainLoss().size()).asDoubleStream().toArray();
            double[] train = r.trainLoss().stream().mapToDouble(d -> d).toArray();
            double[] val = r.valLoss().stream().mapToDouble(d -> d).toArray();
            XYSeries t = loss.addSeries(r.arm() + " train", x, train);
            t.setLineColor(colour);
            t.setLineStyle(SeriesLines.SOLID);
            t.setMarker(SeriesMarkers.NONE);
            XYSeries v = loss.addSeries(r.arm() + " validation", x, val);
            v.setLineColor(colour);
            v.setLineStyle(SeriesLines.DASH_DASH);
            v.setMarker(SeriesMarkers.NONE);
            top = Math.max(top, Arrays.stream(train).max().orElse(0));
            if (!r.arm().equals(StudySpec.Arm.SYNTHETIC_ONLY.name())) {
                top = Math.max(top, Arrays.stream(val).max().orElse(0));
            }
        }
        if (top > 0) {
            loss.getStyler().setYAxisMax(top * 1.05);
        }
        return figure("classifier-loss", loss, "Classifier training and validation loss, seed 0", armNames,
                List.of(0));
    }

    /**
     * Balanced accuracy per arm on the internal test split and on each external set, mean over
     * seeds with the 95% t interval of that mean as the error bar.
     */
    private Figure externalFigure(StudySpec spec, List<ArmSummary> internal, List<ExternalSummary> external) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(480).title(
                "Balanced accuracy per arm: internal test vs external sets (mean over seeds, 95% CI)")
                .xAxisTitle("arm").yAxisTitle("balanced accuracy").build();
        style(chart);
        // slanted, every arm keeps its label; level, the axis drops every other one past six arms
        chart.getStyler().setXAxisLabelRotation(30);
        List<String> arms = internal.stream().map(ArmSummary::arm).toList();
        Map<String, List<ArmSummary>> sets = new LinkedHashMap<>();
        sets.put("internal test", internal);
        external.forEach(e -> sets.put(e.name(), e.arms()));
        for (Map.Entry<String, List<ArmSummary>> e : sets.entrySet()) {
            List<Number> mean = new ArrayList<>();
            List<Number> half = new ArrayList<>();
            for (String arm : arms) {
                Summary s = e.getValue().stream().filter(a -> a.arm().equals(arm)).findFirst()
                        .map(a -> a.metrics().get("balancedAccuracy")).orElse(null);
                mean.add(s == null ? 0 : finite(s.mean()));
                half.add(s == null ? 0 : finite(s.halfWidth95()));
            }
            chart.addSeries(e.getKey(), arms, mean, half);
        }
        return figure("external-balanced-accuracy", chart, "Balanced accuracy of each arm on each external test set"
                + " (never used for training or selection), mean over seeds with 95% intervals", arms,
                IntStream.range(0, spec.seeds()).boxed().toList());
    }

    private Figure figure(String name, Chart<?, ?> chart, String caption, List<String> arms, List<Integer> seeds) {
        try {
            return new Figure(name, caption, blobs.put(BitmapEncoder.getBitmapBytes(chart,
                    BitmapEncoder.BitmapFormat.PNG)), arms, seeds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static XYChart xy(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(900).height(520).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    private static void style(CategoryChart chart) {
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }
}
