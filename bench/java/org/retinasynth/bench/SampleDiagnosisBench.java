package org.retinasynth.bench;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.DatasetService.PackedImages;
import org.retinasynth.dataset.GradeScale;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.dataset.Split;
import org.retinasynth.image.Img;
import org.retinasynth.learning.ClassifierTrainer;
import org.retinasynth.metrics.FeatureStats;
import org.retinasynth.model.ClassifierConfig;
import org.retinasynth.model.ClassifierModel;
import org.retinasynth.model.ModelType;
import org.retinasynth.model.TorchRuntime;
import org.retinasynth.model.VaeModel;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.security.Owner;
import org.retinasynth.training.TrainingSpec;
import org.retinasynth.training.VaeTrainer;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Why are prior samples grainy? Trains the study's conditional DVAE on RetinaMNIST (official
 * split) once per configuration, then decodes the test split's grade mix several ways and scores
 * each against the real test images in the feature space of a grade classifier trained on the
 * real training split (Fréchet distance, precision/recall/density/coverage, k = 5), beside the
 * floor real-train vs real-test. Suspects that need no retraining (BatchNorm statistics at
 * sampling, temperature, the prior itself) use the same model; the others (epochs, decoder
 * likelihood) train their own. Writes a samples figure and a markdown table to the output folder.
 *
 * <p>Run with {@code bench/diagnose.sh}.
 */
public final class SampleDiagnosisBench {

    private static final int PER_GRADE = 2;
    private static final int PRDC_K = 5;

    public static void main(String[] args) throws Exception {
        Path npz = Path.of(args.length > 0 ? args[0] : "../shared/data/retinamnist/retinamnist.npz");
        Path out = Path.of(args.length > 1 ? args[1] : "docs/results/retinamnist/diagnosis");
        int epochs = Integer.getInteger("diagnose.epochs", 20);
        int longEpochs = Integer.getInteger("diagnose.longEpochs", 60);
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("retinasynth-diagnose-");
        long t0 = System.nanoTime();
        System.out.printf(Locale.ROOT, "cores=%d java=%s engine=%s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), TorchRuntime.info());
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(RetinaSynthApplication.class)
                .web(WebApplicationType.NONE)
                .run("--retinasynth.data-dir=" + work, "--retinasynth.security.print-first-key=false",
                        "--logging.level.root=WARN")) {
            DatasetService datasets = app.getBean(DatasetService.class);
            Owner owner = app.getBean(ApiKeyService.class).issue("bench", false, "bench").owner();
            Dataset d = datasets.create(owner, new DatasetService.NewDataset("retinamnist",
                    "MedMNIST v2 RetinaMNIST 28x28, official splits", 28, GradeScale.ICDR, 0L, null, null));
            datasets.uploadNpz(owner, d.id(), npz, npz.getFileName().toString(), Files.size(npz));
            PackedImages train = datasets.packed(owner, d.id(), Split.TRAIN);
            PackedImages val = datasets.packed(owner, d.id(), Split.VAL);
            PackedImages test = datasets.packed(owner, d.id(), Split.TEST);
            float[] trainX = train.chw();
            float[] valX = val.chw();
            float[] testX = test.chw();
            int classes = 5;

            ClassifierModel features = classifier(train, trainX, valX, val.grades(), classes);
            double[][] real = FeatureStats.rows(features.features(testX, test.count()));
            int n = test.count();
            int[] labels = test.grades();

            List<String> rowLabels = new ArrayList<>();
            List<List<BufferedImage>> rows = new ArrayList<>();
            StringBuilder table = new StringBuilder("| decoded from | epochs | likelihood | FD | precision | recall "
                    + "| density | coverage | mean pixel |\n|---|---|---|---|---|---|---|---|---|\n");
            addRow(table, rowLabels, rows, "real training images (the floor)", "", "", real,
                    FeatureStats.rows(features.features(trainX, train.count())), trainX, train.grades(), train.size());

            for (String likelihood : List.of("BERNOULLI", "GAUSSIAN_LEARNED")) {
                for (int e : likelihood.equals("BERNOULLI") ? new int[] {epochs, longEpochs} : new int[] {epochs}) {
                    long tt = System.nanoTime();
                    TrainingSpec spec = new TrainingSpec(d.id(), ModelType.DVAE, true, CorruptionSpec.parse("gaussian:0.4"),
                            e, 64, 1e-3, TrainingSpec.Schedule.COSINE, 32, 16, 1, 1, Math.min(3, e), 0, 0L, likelihood, null, null, null, null, null);
                    try (VaeModel model = VaeTrainer.train(spec, train, val, classes, new VaeTrainer.Listener() {
                    }).model()) {
                        System.out.printf(Locale.ROOT, "trained DVAE %s %d epochs in %.0f s%n", likelihood, e,
                                (System.nanoTime() - tt) / 1e9);
                        latentReport(out, model, trainX, train, likelihood, e);
                        Map<String, float[]> variants = new LinkedHashMap<>();
                        variants.put("N(0,I), as shipped", model.sample(n, labels, 1.0, 31));
                        if (likelihood.equals("BERNOULLI") && e == epochs) {
                            float[] z = gaussian(n * model.latentDim(), 1.0, 31);
                            variants.put("N(0,I), batch-statistics BatchNorm", model.decode(z, labels, n, true));
                            variants.put("N(0,I), temperature 0.7", model.sample(n, labels, 0.7, 31));
                            variants.put("test posterior means (reconstructions)", model.reconstruct(testX, labels, n));
                            model.fitPrior(trainX, train.grades(), train.count(), 4);
                            variants.put("fitted per-grade mixture, k <= 4", model.sample(n, labels, 1.0, 31, true));
                        }
                        model.fitPrior(trainX, train.grades(), train.count(), 1);
                        variants.put("fitted per-grade Gaussian", model.sample(n, labels, 1.0, 31, true));
                        for (Map.Entry<String, float[]> v : variants.entrySet()) {
                            addRow(table, rowLabels, rows, v.getKey(), Integer.toString(e), likelihood, real,
                                    FeatureStats.rows(features.features(v.getValue(), n)), v.getValue(), labels, test.size());
                        }
                    }
                }
            }
            Files.write(out.resolve("samples.png"), SampleGrid.png(SampleGrid.render(rowLabels, rows, 56)));
            Files.writeString(out.resolve("table.md"), table.toString(), StandardCharsets.UTF_8);
            System.out.print(table);
            System.out.printf(Locale.ROOT, "wall time %.0f s%n", (System.nanoTime() - t0) / 1e9);
            features.close();
        }
    }

    /** Aggregate posterior against N(0, I): what the prior hole and posterior collapse look like. */
    private static void latentReport(Path out, VaeModel model, float[] trainX, PackedImages train, String likelihood,
                                     int epochs) throws Exception {
        int n = train.count();
        int d = model.latentDim();
        float[][] post = model.encode(trainX, train.grades(), n);
        double[] mean = new double[d];
        double[] var = new double[d];
        double[] posteriorVar = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += post[0][i * d + j] / n;
                posteriorVar[j] += Math.exp(post[1][i * d + j]) / n;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = post[0][i * d + j] - mean[j];
                var[j] += c * c / n;
            }
        }
        int active = 0;
        double aggregateVar = 0;
        for (int j = 0; j < d; j++) {
            active += var[j] > 0.01 ? 1 : 0;
            aggregateVar += (var[j] + posteriorVar[j]) / d;
        }
        String line = String.format(Locale.ROOT, "%s %d epochs: active units %d of %d (Var over images of the "
                        + "posterior mean > 0.01); mean over dims of Var(mu) %.3f, of E[sigma^2] %.3f, aggregate "
                        + "posterior variance %.3f (N(0,I): 1); |mean of mu| %.3f%n", likelihood, epochs, active, d,
                Arrays.stream(var).average().orElse(0), Arrays.stream(posteriorVar).average().orElse(0), aggregateVar,
                Math.sqrt(Arrays.stream(mean).map(m -> m * m).sum()));
        System.out.print(line);
        Files.writeString(out.resolve("latents.txt"), line, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private static void addRow(StringBuilder table, List<String> rowLabels, List<List<BufferedImage>> rows, String what,
                               String epochs, String likelihood, double[][] real, double[][] fake, float[] images,
                               int[] labels, int size) {
        double fd = FeatureStats.frechetDistance(real, fake);
        FeatureStats.Prdc p = FeatureStats.prdc(real, fake, PRDC_K);
        double meanPixel = IntStream.range(0, images.length).mapToDouble(i -> images[i]).average().orElse(0);
        table.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.3f |%n", what,
                epochs, likelihood, fd, p.precision(), p.recall(), p.density(), p.coverage(), meanPixel));
        int per = 3 * size * size;
        List<BufferedImage> row = new ArrayList<>();
        for (int g = 0; g < 5; g++) {
            int grade = g;
            IntStream.range(0, labels.length).filter(i -> labels[i] == grade).limit(PER_GRADE).forEach(i -> row.add(
                    Img.toBufferedImage(Arrays.copyOfRange(images, i * per, (i + 1) * per), size, size)));
        }
        rowLabels.add((epochs.isEmpty() ? "" : likelihood.charAt(0) + " " + epochs + " ep: ") + what);
        rows.add(row);
    }

    static ClassifierModel classifier(PackedImages train, float[] trainX, float[] valX, int[] valY, int classes) {
        return classifier(train, trainX, valX, valY, classes, 16, 0);
    }

    /** The feature-space classifier with another width and initial seed. */
    static ClassifierModel classifier(PackedImages train, float[] trainX, float[] valX, int[] valY, int classes,
                                      int width, long seed) {
        ClassifierModel model = ClassifierModel.create(new ClassifierConfig(train.size(), 3, classes, width, 0.1, 1e-4),
                seed, null);
        int per = 3 * train.size() * train.size();
        ClassifierTrainer.train(model, new ClassifierTrainer.Settings(30, 64, 2e-3, 6, 0),
                new ClassifierTrainer.Data() {
                    @Override
                    public int count() {
                        return train.count();
                    }

                    @Override
                    public ClassifierTrainer.Batch batch(int[] idx) {
                        float[] x = new float[idx.length * per];
                        int[] y = new int[idx.length];
                        for (int i = 0; i < idx.length; i++) {
                            System.arraycopy(trainX, idx[i] * per, x, i * per, per);
                            y[i] = train.grades()[idx[i]];
                        }
                        return new ClassifierTrainer.Batch(x, y);
                    }
                }, null, valX, valY, null, () -> { });
        return model;
    }

    private static float[] gaussian(int n, double t, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            double u = 1 - rng.nextDouble();
            z[i] = (float) (t * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble()));
        }
        return z;
    }
}
