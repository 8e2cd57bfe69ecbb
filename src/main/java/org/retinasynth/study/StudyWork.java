package org.retinasynth.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.retinasynth.corruption.CorruptionRegistry;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.corruption.Protocols;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.dataset.Split;
import org.retinasynth.generation.GradeFilter;
import org.retinasynth.jobs.JobContext;
import org.retinasynth.jobs.Progress;
import org.retinasynth.metrics.ClassificationMetrics;
import org.retinasynth.metrics.FeatureStats;
import org.retinasynth.metrics.ImageMetrics;
import org.retinasynth.metrics.LinearProbe;
import org.retinasynth.metrics.SampleChecks;
import org.retinasynth.model.ClassifierConfig;
import org.retinasynth.model.ClassifierModel;
import org.retinasynth.model.EncoderClassifier;
import org.retinasynth.model.EncoderClassifierConfig;
import org.retinasynth.model.GradeClassifier;
import org.retinasynth.model.VaeModel;
import org.retinasynth.security.Owner;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.study.StudyReport.ClassifierRun;
import org.retinasynth.study.StudyReport.GenerativeRun;
import org.retinasynth.study.StudyReport.QualityRow;
import org.retinasynth.study.StudyReport.RepresentationPoint;
import org.retinasynth.study.StudyReport.RobustnessPoint;
import org.retinasynth.study.StudyReport.Scores;
import org.retinasynth.study.StudySpec.Arm;
import org.retinasynth.training.EpochMetrics;
import org.retinasynth.model.ModelRegistry;
import org.retinasynth.learning.ClassifierTrainer;
import org.retinasynth.model.ModelType;
import org.retinasynth.training.TrainingJob;
import org.retinasynth.training.TrainingService;
import org.retinasynth.training.TrainingSpec;
import org.retinasynth.training.VaeTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;

/**
 * One unit of a study, run as a child job on whichever worker took it: the study's data loaded
 * once, the unit's model trained or its classifier trained and scored, the result stored in the
 * unit's row. The test split is read only to score finished models; generative models and
 * classifiers see the training split (the validation split only for choosing the classifier's
 * epoch). Generative models a unit needs (for samples, or for the encoder a classifier starts from)
 * are loaded from the units that trained them.
 */
final class StudyWork implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StudyWork.class);
    /** Robustness and representation conditions reuse corrupted copies of the test split; their rng seed. */
    private static final long CONDITION_SEED = 0xC0AA_0B5EL;
    private static final double REPRESENTATION_SEVERITY = Protocols.level(3);
    private static final int PRDC_K = 5;
    private static final int GRID_PER_GRADE = 8;


    private final Study study;
    private final StudySpec spec;
    private final JobContext context;
    private final String ownKey;
    private final StudyRepository studies;
    private final TrainingService training;
    private final BlobStore blobs;
    private final ObjectMapper json;
    private final Owner owner;
    private final Dataset dataset;
    private final int classes;
    private final DatasetService.PackedImages trainPacked;
    private final DatasetService.PackedImages valPacked;
    private final StudyImages train;
    private final StudyImages val;
    private final StudyImages test;
    private final Map<String, StudyRepository.Unit> done;
    private final Map<String, VaeModel> open = new LinkedHashMap<>();
    private final Map<String, float[]> conditions = new ConcurrentHashMap<>();
    private final DatasetService datasets;
    /** The external test sets, read only by a unit that scores on them. */
    private List<External> externals;

    /** An external test set at the study's working size, with the hash of its content as read. */
    private record External(StudySpec.ExternalTest test, StudyImages images, String contentSha256) {
    }

    /** Loads the study's data for the unit {@code ownKey}, run as the child job {@code context}. */
    StudyWork(Study study, String ownKey, JobContext context, StudyRepository studies, DatasetService datasets,
              TrainingService training, BlobStore blobs, ObjectMapper json) {
        this.study = study;
        this.spec = study.spec();
        this.context = context;
        this.ownKey = ownKey;
        this.studies = studies;
        this.training = training;
        this.blobs = blobs;
        this.json = json;
        this.datasets = datasets;
        this.owner = new Owner(study.ownerId(), null, false);
        this.dataset = datasets.get(owner, spec.datasetId());
        this.classes = dataset.classNames().size();
        this.trainPacked = datasets.packed(owner, dataset.id(), Split.TRAIN);
        this.valPacked = datasets.packed(owner, dataset.id(), Split.VAL);
        this.train = StudyImages.of(trainPacked);
        this.val = StudyImages.of(valPacked);
        this.test = StudyImages.of(datasets.packed(owner, dataset.id(), Split.TEST));
        if (train.count() < 2 || test.count() < 2) {
            throw new IllegalStateException("the dataset needs at least 2 training and 2 test images; it has "
                    + train.count() + " and " + test.count());
        }
        this.done = new LinkedHashMap<>(studies.units(study.id()));
    }

    /** Runs this work's own unit: a generative model ({@code gen/TYPE/sN|all}) or a classifier ({@code clf/ARM/sN}). */
    void run() {
        String[] part = ownKey.split("/");
        int seed = part[2].equals("all") ? 0 : Integer.parseInt(part[2].substring(1));
        switch (part[0]) {
            case "gen" -> generative(ModelType.valueOf(part[1]), seed);
            case "clf" -> classifier(Arm.valueOf(part[1]), seed);
            default -> throw new IllegalArgumentException("unknown study unit '" + ownKey + "'");
        }
    }

    // ---- generative models -------------------------------------------------------------

    /** The VAE or DVAE of this seed, trained (or loaded) and scored once, then kept open. */
    private VaeModel generative(ModelType type, int seed) {
        String key = StudyPlan.generativeKey(spec, type, seed);
        VaeModel model = open.get(key);
        if (model != null) {
            return model;
        }
        StudyRepository.Unit unit = done.get(key);
        if (unit != null) {
            model = ModelRegistry.load(blobs.get(unit.blobSha256()).orElseThrow(
                    () -> new IllegalStateException("model of unit " + key + " is missing")), VaeModel.class, null);
            open.put(key, model);
            return model;
        }
        if (!key.equals(ownKey)) {
            throw new IllegalStateException("unit " + ownKey + " needs " + key + ", which has not finished");
        }
        checkCancelled();
        progress("training the " + type + " (" + key + ")");
        long t0 = System.nanoTime();
        String jobId = type == ModelType.VAE ? spec.vaeJobId() : spec.dvaeJobId();
        List<EpochMetrics> history;
        String source;
        if (jobId != null) {
            TrainingService jobs = training;
            TrainingJob job = jobs.get(owner, jobId);
            if (!job.datasetId().equals(dataset.id()) || job.modelType() != type || !job.spec().conditional()) {
                throw new IllegalStateException("training job " + jobId + " is not a conditional " + type
                        + " of dataset " + dataset.id());
            }
            model = jobs.openModel(owner, jobId);
            history = jobs.metrics(owner, jobId);
            source = "training job " + jobId;
        } else {
            TrainingSpec ts = trainingSpec(type, seed);
            VaeTrainer.Result r = VaeTrainer.train(ts, trainPacked, valPacked, classes,
                    new VaeTrainer.Listener() {
                        @Override
                        public boolean cancelled() {
                            return context.cancelRequested();
                        }
                    });
            model = r.model();
            history = r.history();
            source = "trained in the study on the training split, spec " + json.writeValueAsString(ts);
        }
        if (model.prior() == null) {
            // fitted on the training split only, like the model itself; kept in the unit's archive
            VaeTrainer.fitPrior(model, trainPacked, true, 1);
        }
        open.put(key, model);
        double[][] trainMu = trainLatents(model);
        List<StudyReport.ExternalRepresentation> external = new ArrayList<>();
        Map<String, Integer> scored = new java.util.TreeMap<>();
        scored.put("dataset/test", test.count());
        for (External e : externals()) {
            CorruptionSpec c = spec.representationCorruptionOrDefault();
            Map<String, float[]> inputs = new LinkedHashMap<>();
            inputs.put("clean", e.images().chw());
            inputs.put(c.toText(), corrupted("ext:" + e.test().name() + ":rep:" + c.toText(), c, e.images()));
            external.add(new StudyReport.ExternalRepresentation(e.test().name(), e.contentSha256(),
                    representation(model, trainMu, e.images(), inputs)));
            scored.merge("external/" + e.test().name(), e.images().count(), Integer::sum);
        }
        Map<String, Map<String, Integer>> read = new LinkedHashMap<>();
        // a model taken from a training job was fitted there, on that job's own reads of this dataset
        read.put("training", jobId != null ? Map.of() : Map.of("dataset/train", train.count()));
        read.put("selection", jobId != null || val.count() == 0 ? Map.of() : Map.of("dataset/val", val.count()));
        read.put("scoring", scored);
        GenerativeRun result = new GenerativeRun(type.name(), spec.generativeModelsPerSeed() ? seed : -1, source,
                history, model.evaluate(test.chw(), null, test.grades(), test.count()).loss(),
                mean(model.importanceWeightedLogLikelihood(test.chw(), test.grades(), test.count(),
                        spec.iwaeSamples(), 7919L + seed)),
                representation(model, trainMu), (System.nanoTime() - t0) / 1e9, external, read);
        save(new StudyRepository.Unit(key, json.writeValueAsString(result),
                blobs.put(ModelRegistry.archive(model, Map.of("study", study.id(), "unit", key))),
                result.seconds()));
        return model;
    }

    private TrainingSpec trainingSpec(ModelType type, int seed) {
        StudySpec.Generative g = spec.generative();
        return new TrainingSpec(dataset.id(), type, true, g.corruption(), g.epochs(), g.batchSize(),
                g.learningRate(), TrainingSpec.Schedule.COSINE, g.latentDim(), g.baseChannels(),
                type.corruptedCopies(g.corruptedCopies()), 1, g.klWarmupEpochs(), 0,
                spec.generativeModelsPerSeed() ? seed : 0, g.likelihood(), g.norm(), g.residual(),
                g.frequencyLossWeight(), g.featureLossWeight(), g.klWeight());
    }

    /**
     * Linear probe on latent means, latent stability and denoising under the clean test split
     * and each corrupted one. Latents for the probe and the stability are encoded with grade 0
     * as the condition for every image: the encoder is conditional, and handing it the true
     * grade would let the probe read the answer from the condition.
     */
    private List<RepresentationPoint> representation(VaeModel model, double[][] trainMu) {
        Map<String, float[]> inputs = new LinkedHashMap<>();
        inputs.put("clean", test.chw());
        CorruptionSpec dvaeCorruption = spec.representationCorruptionOrDefault();
        inputs.put(dvaeCorruption.toText(), corrupted("rep:" + dvaeCorruption.toText(), dvaeCorruption));
        for (String name : spec.robustnessCorruptionsOrAll()) {
            CorruptionSpec c = new CorruptionSpec(List.of(new CorruptionSpec.Component(name, REPRESENTATION_SEVERITY)));
            inputs.put(c.toText(), corrupted("rob:" + name + ":3", c));
        }
        return representation(model, trainMu, test, inputs);
    }

    /** Latent means of the training split, what every probe is fitted on; encoded once per model. */
    private double[][] trainLatents(VaeModel model) {
        return rows(model.encode(train.chw(), zeros(train.count()), train.count())[0], model.config().latentDim());
    }

    /**
     * The representation points of {@code set} under each input condition ({@code "clean"} must be
     * {@code set.chw()} itself); the probe is always fitted on the training split's latents.
     */
    private List<RepresentationPoint> representation(VaeModel model, double[][] trainMu, StudyImages set,
                                                     Map<String, float[]> inputs) {
        int d = model.config().latentDim();
        double[][] cleanMu = rows(model.encode(set.chw(), zeros(set.count()), set.count())[0], d);
        double spread = spread(cleanMu);
        List<RepresentationPoint> out = new ArrayList<>();
        for (Map.Entry<String, float[]> e : inputs.entrySet()) {
            checkCancelled();
            double[][] mu = e.getValue() == set.chw() ? cleanMu
                    : rows(model.encode(e.getValue(), zeros(set.count()), set.count())[0], d);
            double dist = 0;
            for (int i = 0; i < mu.length; i++) {
                dist += l2(mu[i], cleanMu[i]);
            }
            float[] recon = model.reconstruct(e.getValue(), set.grades(), set.count());
            out.add(new RepresentationPoint(e.getKey(),
                    LinearProbe.accuracy(trainMu, train.grades(), mu, set.grades(), classes),
                    dist / mu.length / spread,
                    ImageMetrics.psnr(set.chw(), recon, set.count()),
                    ImageMetrics.ssim(set.chw(), recon, set.count(), 3, set.size())));
        }
        return out;
    }

    // ---- classifiers -------------------------------------------------------------------

    private void classifier(Arm arm, int seed) {
        String key = "clf/" + arm + "/s" + seed;
        if (done.containsKey(key)) {
            return;
        }
        checkCancelled();
        progress("classifier " + arm + " seed " + seed);
        long t0 = System.nanoTime();
        StudyReport.FilterRun filter = null;
        StudyImages synthetic;
        if (StudyPlan.graded(arm)) {
            GradeFilter.Result kept = filtered(arm, seed);
            ModelType type = StudyPlan.syntheticSource(arm);
            filter = new StudyReport.FilterRun(type.name(), StudyPlan.classifierKey(Arm.REAL, seed),
                    spec.filterThresholdOrDefault(), GradeFilter.DEFAULT_DRAWS_PER_IMAGE, kept.tallies());
            log.info("study {}: {} seed {} kept per grade {}", study.id(), arm, seed, kept.tallies());
            synthetic = kept.count() == 0 ? null
                    : new StudyImages(kept.count(), train.size(), kept.images(), kept.grades());
        } else {
            synthetic = synthetic(arm, seed);
        }
        // origin[i]: the training-split image behind set image i, or -1 for a synthetic one
        int[] origin;
        StudyImages set;
        if (arm == Arm.SYNTHETIC_ONLY) {
            set = synthetic;
            origin = new int[set.count()];
            Arrays.fill(origin, -1);
        } else if (arm == Arm.REAL_OVERSAMPLED) {
            origin = oversampled(seed);
            set = train.select(origin);
        } else {
            set = train.concat(synthetic);
            origin = IntStream.range(0, set.count()).map(i -> i < train.count() ? i : -1).toArray();
        }
        java.util.BitSet fed = new java.util.BitSet(set.count());
        StudySpec.Classifier c = spec.classifier();
        ClassifierConfig config = new ClassifierConfig(train.size(), 3, classes, c.width(), c.dropout(),
                c.weightDecay());
        ModelType encoderType = StudyPlan.encoderSource(arm);
        StudyReport.EncoderSource encoder = null;
        GradeClassifier<?> model;
        if (encoderType != null) {
            // same data, settings and seed as REAL; only the starting point differs
            VaeModel vae = generative(encoderType, seed);
            String unit = StudyPlan.generativeKey(spec, encoderType, seed);
            boolean frozen = StudyPlan.frozenEncoder(arm);
            encoder = new StudyReport.EncoderSource(encoderType.name(), unit, done.get(unit).blobSha256(), frozen);
            model = EncoderClassifier.fromEncoder(vae, new EncoderClassifierConfig(vae.config(), classes, c.width(),
                    c.dropout(), c.weightDecay(), frozen), seed, null);
        } else {
            model = ClassifierModel.create(config, seed, null);
        }
        try {
            ClassifierTrainer.Result r = ClassifierTrainer.train(model,
                    new ClassifierTrainer.Settings(c.epochs(), c.batchSize(), c.learningRate(),
                            c.earlyStoppingPatience(), seed),
                    new ClassifierTrainer.Data() {
                        @Override
                        public int count() {
                            return set.count();
                        }

                        @Override
                        public ClassifierTrainer.Batch batch(int[] indices) {
                            for (int i : indices) {
                                fed.set(i);
                            }
                            StudyImages b = set.select(indices);
                            return new ClassifierTrainer.Batch(b.chw(), b.grades());
                        }
                    },
                    classWeights(set), val.count() > 0 ? val.chw() : null, val.count() > 0 ? val.grades() : null,
                    arm == Arm.REAL_CLASSIC ? (images, n, rng) -> StudyImages.augment(images, n, set.size(), rng)
                            : null,
                    this::checkCancelled);
            List<Double> trainLoss = r.trainLoss();
            List<Double> valLoss = r.valLoss();
            int epochsRun = r.epochsRun();
            int selected = r.selectedEpoch();
            Scores scores = Scores.of(score(model, test.chw()));
            List<RobustnessPoint> robustness = robustness(model);
            List<StudyReport.ExternalScores> external = new ArrayList<>();
            Map<String, Integer> scored = new java.util.TreeMap<>();
            scored.put("dataset/test", test.count());
            for (External e : externals()) {
                checkCancelled();
                StudyImages x = e.images();
                float[][] p = model.predictProba(x.chw(), x.count());
                external.add(new StudyReport.ExternalScores(e.test().name(), e.test().datasetId(), e.contentSha256(),
                        x.count(), Scores.of(ClassificationMetrics.of(x.grades(), argmax(p), p, classes))));
                scored.merge("external/" + e.test().name(), x.count(), Integer::sum);
            }
            Map<String, Map<String, Integer>> read = new LinkedHashMap<>();
            read.put("training", trainingReads(fed, origin));
            read.put("selection", val.count() > 0 ? Map.of("dataset/val", val.count()) : Map.of());
            read.put("scoring", scored);
            ClassifierRun run = new ClassifierRun(arm.name(), seed, arm == Arm.SYNTHETIC_ONLY ? 0 : train.count(),
                    synthetic == null ? 0 : synthetic.count(), set.countsPerGrade(classes), epochsRun, selected,
                    trainLoss, valLoss, scores, robustness, (System.nanoTime() - t0) / 1e9, external, read, encoder,
                    filter);
            if (arm == Arm.REAL) {
                quality((ClassifierModel) model, seed);
            }
            // the REAL classifier grades the *_BALANCED arms' samples of its seed, on whichever worker runs them
            boolean grader = arm == Arm.REAL && spec.arms().stream().anyMatch(StudyPlan::graded);
            save(new StudyRepository.Unit(key, json.writeValueAsString(run), grader
                    ? blobs.put(ModelRegistry.archive(model, Map.of("study", study.id(), "unit", key))) : null,
                    run.seconds()));
        } finally {
            model.close();
        }
    }

    /** Distinct images the trainer was fed, by source: each training-split image once, however often repeated. */
    private Map<String, Integer> trainingReads(java.util.BitSet fed, int[] origin) {
        java.util.BitSet real = new java.util.BitSet(train.count());
        int synthetic = 0;
        for (int i = fed.nextSetBit(0); i >= 0; i = fed.nextSetBit(i + 1)) {
            if (origin[i] >= 0) {
                real.set(origin[i]);
            } else {
                synthetic++;
            }
        }
        Map<String, Integer> out = new java.util.TreeMap<>();
        if (!real.isEmpty()) {
            out.put("dataset/train", real.cardinality());
        }
        if (synthetic > 0) {
            out.put("synthetic", synthetic);
        }
        return out;
    }

    /** The external test sets at the study's working size, loaded on first use, in the spec's order. */
    private List<External> externals() {
        if (externals == null) {
            List<External> out = new ArrayList<>();
            for (StudySpec.ExternalTest t : spec.externalTestsOrNone()) {
                DatasetService.SizedImages s = datasets.sized(owner, t.datasetId(), null, train.size());
                out.add(new External(t, StudyImages.of(s.packed()), s.contentSha256()));
            }
            externals = List.copyOf(out);
        }
        return externals;
    }

    /** The synthetic images an arm adds: sampled per grade from this seed's conditional model. */
    private StudyImages synthetic(Arm arm, int seed) {
        ModelType type = StudyPlan.syntheticSource(arm);
        if (type == null) {
            return null;
        }
        int[] real = train.countsPerGrade(classes);
        int[] wanted = new int[classes];
        int max = Arrays.stream(real).max().orElse(0);
        for (int g = 0; g < classes; g++) {
            boolean augmented = spec.augmentGrades() == null || spec.augmentGrades().contains(g);
            if (arm == Arm.SYNTHETIC_ONLY) {
                wanted[g] = real[g];
            } else if (augmented) {
                wanted[g] = spec.balance() ? max - real[g] : (int) Math.round(spec.syntheticRatio() * real[g]);
            }
        }
        int n = Arrays.stream(wanted).sum();
        if (n == 0) {
            return null;
        }
        int[] labels = new int[n];
        int i = 0;
        for (int g = 0; g < classes; g++) {
            for (int k = 0; k < wanted[g]; k++) {
                labels[i++] = g;
            }
        }
        VaeModel model = generative(type, seed);
        float[] images = model.sample(n, labels, spec.temperature(), 104_729L * (seed + 1) + type.ordinal(),
                spec.generative().fittedPrior());
        return new StudyImages(n, train.size(), images, labels);
    }

    /**
     * A *_BALANCED arm's synthetic images: every grade below the largest grade's count topped up to it
     * (REAL_OVERSAMPLED's target) with prior samples of the arm's model that this seed's REAL classifier
     * assigns to their intended grade with at least the spec's threshold.
     */
    private GradeFilter.Result filtered(Arm arm, int seed) {
        ModelType type = StudyPlan.syntheticSource(arm);
        int[] real = train.countsPerGrade(classes);
        int max = Arrays.stream(real).max().orElse(0);
        int[] wanted = Arrays.stream(real).map(c -> max - c).toArray();
        VaeModel model = generative(type, seed);
        String graderKey = StudyPlan.classifierKey(Arm.REAL, seed);
        StudyRepository.Unit unit = done.get(graderKey);
        if (unit == null || unit.blobSha256() == null) {
            throw new IllegalStateException("unit " + ownKey + " needs the classifier of " + graderKey
                    + ", which has not finished or kept no model");
        }
        progress("filtering " + type + " samples for " + arm + " seed " + seed);
        try (ClassifierModel grader = ModelRegistry.load(blobs.get(unit.blobSha256()).orElseThrow(
                () -> new IllegalStateException("classifier of unit " + graderKey + " is missing")),
                ClassifierModel.class, null)) {
            return GradeFilter.run((n, g, s) -> {
                        checkCancelled();
                        int[] labels = new int[n];
                        Arrays.fill(labels, g);
                        return model.sample(n, labels, spec.temperature(), s, spec.generative().fittedPrior());
                    }, grader::predictProba, train.floatsPerImage(), wanted, spec.filterThresholdOrDefault(),
                    GradeFilter.DEFAULT_DRAWS_PER_IMAGE, 104_729L * (seed + 1) + type.ordinal() + 0xF1L);
        }
    }

    /**
     * Indices into the training split with each grade's images repeated, in a seeded order, until every grade
     * has as many as the largest: rebalancing without new images.
     */
    private int[] oversampled(int seed) {
        int[] counts = train.countsPerGrade(classes);
        int max = Arrays.stream(counts).max().orElse(0);
        List<Integer> picked = new ArrayList<>();
        for (int g = 0; g < classes; g++) {
            int grade = g;
            List<Integer> mine = new ArrayList<>(IntStream.range(0, train.count())
                    .filter(i -> train.grades()[i] == grade).boxed().toList());
            if (mine.isEmpty()) {
                continue;
            }
            picked.addAll(mine);
            java.util.Collections.shuffle(mine, new java.util.Random(31L * seed + g));
            for (int k = 0; k < max - counts[g]; k++) {
                picked.add(mine.get(k % mine.size()));
            }
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    private float[] classWeights(StudyImages set) {
        float[] w = new float[classes];
        Arrays.fill(w, 1f);
        if (spec.classifier().classWeighted()) {
            int[] counts = set.countsPerGrade(classes);
            for (int g = 0; g < classes; g++) {
                w[g] = counts[g] == 0 ? 0f : (float) set.count() / (classes * counts[g]);
            }
        }
        return w;
    }

    private ClassificationMetrics score(GradeClassifier<?> model, float[] images) {
        float[][] p = model.predictProba(images, test.count());
        return ClassificationMetrics.of(test.grades(), argmax(p), p, classes);
    }

    /** Every registered corruption at the 5 protocol severities, and the equipment shift. */
    private List<RobustnessPoint> robustness(GradeClassifier<?> model) {
        List<RobustnessPoint> out = new ArrayList<>();
        List<String> names = new ArrayList<>(spec.robustnessCorruptionsOrAll());
        names.add("equipment_shift");
        for (String name : names) {
            for (int level = 1; level <= Protocols.LEVELS; level++) {
                checkCancelled();
                double severity = Protocols.level(level);
                CorruptionSpec c = name.equals("equipment_shift") ? Protocols.equipmentShift(severity)
                        : new CorruptionSpec(List.of(new CorruptionSpec.Component(name, severity)));
                ClassificationMetrics m = score(model, corrupted("rob:" + name + ":" + level, c));
                out.add(new RobustnessPoint(name, severity, m.accuracy(), m.balancedAccuracy(), m.macroF1()));
            }
        }
        return out;
    }

    /** The test split under a corruption, made once per run with a fixed seed so every model sees the same pixels. */
    private float[] corrupted(String key, CorruptionSpec c) {
        return corrupted(key, c, test);
    }

    /** {@code set} under a corruption, likewise; {@code key} must name the set too. */
    private float[] corrupted(String key, CorruptionSpec c, StudyImages set) {
        return conditions.computeIfAbsent(key, k -> {
            float[] out = set.chw().clone();
            int per = set.floatsPerImage();
            float[] one = new float[per];
            SplittableRandom rng = new SplittableRandom(CONDITION_SEED ^ k.hashCode());
            for (int i = 0; i < set.count(); i++) {
                System.arraycopy(out, i * per, one, 0, per);
                c.apply(one, set.size(), set.size(), rng);
                System.arraycopy(one, 0, out, i * per, per);
            }
            return out;
        });
    }

    // ---- synthetic data quality ---------------------------------------------------------

    /**
     * Fréchet distance and PRDC between real test images and synthetic ones (as many per grade
     * as the test split has) in the feature space of the REAL arm's seed-0 classifier, which
     * saw real training images only; real training images give the floor a perfect generator
     * would reach. Also renders the real / VAE / DVAE sample grid.
     */
    private void quality(ClassifierModel features, int seed) {
        // seed 0 keeps the key it had when only seed 0 was scored, so older studies resume as they were
        String key = seed == 0 ? "quality" : "quality/s" + seed;
        if (done.containsKey(key)) {
            return;
        }
        progress("synthetic data quality");
        long t0 = System.nanoTime();
        int[] labels = test.grades();
        double[][] real = FeatureStats.rows(features.features(test.chw(), test.count()));
        Map<String, double[][]> fakes = new LinkedHashMap<>();
        Map<String, int[]> fakeLabels = new LinkedHashMap<>();
        fakes.put("REAL_TRAIN", FeatureStats.rows(features.features(train.chw(), train.count())));
        fakeLabels.put("REAL_TRAIN", train.grades());
        Map<ModelType, float[]> samples = new LinkedHashMap<>();
        Map<String, Double> twoSample = new LinkedHashMap<>();
        Map<String, SampleChecks.Memorisation> copying = new LinkedHashMap<>();
        double[][] trainFeatures = fakes.get("REAL_TRAIN");
        for (ModelType type : spec.generativeModels()) {
            float[] s = generative(type, seed).sample(test.count(), labels, spec.temperature(),
                    31L + type.ordinal() + 7919L * seed, spec.generative().fittedPrior());
            samples.put(type, s);
            double[][] f = FeatureStats.rows(features.features(s, test.count()));
            fakes.put(type.name(), f);
            fakeLabels.put(type.name(), labels);
            // a second synthetic set, with the training split's grade mix, to fit the two-sample classifier on
            float[] fit = generative(type, seed).sample(train.count(), train.grades(), spec.temperature(),
                    59L + type.ordinal() + 7919L * seed, spec.generative().fittedPrior());
            twoSample.put(type.name(), SampleChecks.twoSampleAuc(trainFeatures,
                    FeatureStats.rows(features.features(fit, train.count())), real, f));
            copying.put(type.name(), SampleChecks.memorisation(trainFeatures, real, f));
        }
        List<QualityRow> rows = new ArrayList<>();
        for (Map.Entry<String, double[][]> e : fakes.entrySet()) {
            QualityRow all = row(e.getKey(), "all", real, e.getValue());
            rows.add(new QualityRow(all.source(), all.grade(), all.realCount(), all.fakeCount(), all.frechetDistance(),
                    all.precision(), all.recall(), all.density(), all.coverage(), twoSample.get(e.getKey()),
                    copying.get(e.getKey()), null));
            for (int g = 0; g < classes; g++) {
                double[][] r = pick(real, labels, g);
                double[][] f = pick(e.getValue(), fakeLabels.get(e.getKey()), g);
                if (r.length > PRDC_K + 1 && f.length > PRDC_K + 1) {
                    rows.add(row(e.getKey(), Integer.toString(g), r, f));
                }
            }
        }
        String grid = seed == 0 ? blobs.put(sampleGrid(samples)) : null;
        rows = rows.stream().map(r -> r.withSeed(seed)).toList();
        save(new StudyRepository.Unit(key, json.writeValueAsString(rows), grid, (System.nanoTime() - t0) / 1e9));
    }

    private QualityRow row(String source, String grade, double[][] real, double[][] fake) {
        FeatureStats.Prdc p = FeatureStats.prdc(real, fake, PRDC_K);
        return new QualityRow(source, grade, real.length, fake.length, FeatureStats.frechetDistance(real, fake),
                p.precision(), p.recall(), p.density(), p.coverage(), null, null, null);
    }

    private byte[] sampleGrid(Map<ModelType, float[]> samples) {
        List<String> labels = new ArrayList<>();
        List<List<java.awt.image.BufferedImage>> rows = new ArrayList<>();
        int per = test.floatsPerImage();
        for (int g = 0; g < classes; g++) {
            int gg = g;
            int[] realIdx = IntStream.range(0, train.count()).filter(i -> train.grades()[i] == gg)
                    .limit(GRID_PER_GRADE).toArray();
            labels.add("grade " + g + " real");
            rows.add(Arrays.stream(realIdx).mapToObj(i -> toImage(train.chw(), i, per)).toList());
            int[] fakeIdx = IntStream.range(0, test.count()).filter(i -> test.grades()[i] == gg)
                    .limit(GRID_PER_GRADE).toArray();
            for (Map.Entry<ModelType, float[]> e : samples.entrySet()) {
                labels.add("grade " + g + " " + e.getKey());
                rows.add(Arrays.stream(fakeIdx).mapToObj(i -> toImage(e.getValue(), i, per)).toList());
            }
        }
        return SampleGrid.png(SampleGrid.render(labels, rows, Math.max(64, train.size())));
    }

    private java.awt.image.BufferedImage toImage(float[] chw, int i, int per) {
        return org.retinasynth.image.Img.toBufferedImage(Arrays.copyOfRange(chw, i * per, (i + 1) * per),
                train.size(), train.size());
    }

    // ---- bookkeeping -------------------------------------------------------------------

    private void save(StudyRepository.Unit unit) {
        studies.saveUnit(study.id(), unit);
        done.put(unit.key(), unit);
    }

    private void progress(String phase) {
        context.progress(new Progress(0, 1, phase, null, null));
        log.info("study {}: {}", study.id(), phase);
    }

    private void checkCancelled() {
        context.checkCancelled();
    }

    @Override
    public void close() {
        open.values().forEach(VaeModel::close);
    }
    // ---- small numerics --------------------------------------------------------------------

    static int[] argmax(float[][] p) {
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            int best = 0;
            for (int k = 1; k < p[i].length; k++) {
                if (p[i][k] > p[i][best]) {
                    best = k;
                }
            }
            out[i] = best;
        }
        return out;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static int[] zeros(int n) {
        return new int[n];
    }

    private static double[][] rows(float[] flat, int d) {
        double[][] out = new double[flat.length / d][d];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = flat[i * d + j];
            }
        }
        return out;
    }

    private static double[][] pick(double[][] x, int[] labels, int grade) {
        return IntStream.range(0, x.length).filter(i -> labels[i] == grade).mapToObj(i -> x[i])
                .toArray(double[][]::new);
    }

    private static double l2(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    /** Mean distance of the clean test latents to their centroid: the unit latent stability is measured in. */
    private static double spread(double[][] mu) {
        double[] c = new double[mu[0].length];
        for (double[] m : mu) {
            for (int j = 0; j < c.length; j++) {
                c[j] += m[j] / mu.length;
            }
        }
        double s = 0;
        for (double[] m : mu) {
            s += l2(m, c);
        }
        return Math.max(s / mu.length, 1e-12);
    }

}

