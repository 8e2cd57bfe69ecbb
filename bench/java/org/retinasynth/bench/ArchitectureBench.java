package org.retinasynth.bench;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.retinasynth.metrics.FeatureStats;
import org.retinasynth.metrics.SampleChecks;
import org.retinasynth.model.ClassifierModel;
import org.retinasynth.model.LatentPrior;
import org.retinasynth.model.ModelType;
import org.retinasynth.model.VaeModel;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.security.Owner;
import org.retinasynth.training.EpochMetrics;
import org.retinasynth.training.TrainingSpec;
import org.retinasynth.training.VaeTrainer;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Do the norm / residual / frequency-loss options give sharper fundus samples? Trains the study's
 * conditional DVAE on RetinaMNIST (official split, same seed and epochs) once per variant, samples
 * the test split's grade mix from the fitted per-grade prior (as studies do) and scores it against
 * the real test images in a real-data grade classifier's feature space: Fréchet distance,
 * precision/recall (k = 5) and the two-sample AUC of a real-vs-synthetic logistic regression fitted
 * on training-mix samples vs the real training split. Writes a table and a figure (test images,
 * then per variant samples and test reconstructions).
 *
 * Run with {@code bench/architecture.sh}; variants ({@code -Darch.variants}) are
 * {@code norm:residual:frequencyLossWeight[:featureLossWeight]}, the first is the reference.
 */
public final class ArchitectureBench {

    private static final int PER_GRADE = 2;

    public static void main(String[] args) throws Exception {
        Path npz = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int epochs = Integer.getInteger("arch.epochs", 10);
        int latent = Integer.getInteger("arch.latent", 32);
        int base = Integer.getInteger("arch.base", 16);
        String[] variants = System.getProperty("arch.variants", "BATCH:false:0,GROUP:true:0,GROUP:true:1").split(",");
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("retinasynth-arch-");
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
            int n = test.count();
            int[] labels = test.grades();

            // the judge must not share weights with the feature-matching network (width 16, trained first
            // from the model's seed): another width and seed, so that FD and AUC are not the loss itself
            ClassifierModel features = SampleDiagnosisBench.classifier(train, trainX, valX, val.grades(), 5,
                    Integer.getInteger("arch.judgeWidth", 32), Long.getLong("arch.judgeSeed", 1001));
            double[][] real = FeatureStats.rows(features.features(testX, n));
            double[][] realTrain = FeatureStats.rows(features.features(trainX, train.count()));

            List<String> rowLabels = new ArrayList<>();
            List<List<BufferedImage>> rows = new ArrayList<>();
            addRow(rowLabels, rows, "real test images", testX, labels, 28);
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "DVAE, gaussian:0.4, %d epochs, "
                    + "seed 0, latent %d, base %d, Bernoulli, fitted per-grade Gaussian prior%n%n| norm | residual "
                    + "| frequency weight | feature weight | KL weight | val -bound | FD | precision | recall | two-sample AUC "
                    + "| recon. FD | train s |%n|---|---|---|---|---|---|---|---|---|---|---|---|%n", epochs, latent, base));
            StringBuilder samplers = new StringBuilder("| variant | prior:temperature | FD | precision | recall "
                    + "| two-sample AUC |\n|---|---|---|---|---|---|\n");
            for (String v : variants) {
                String[] p = v.split(":");
                long t = System.nanoTime();
                TrainingSpec spec = new TrainingSpec(d.id(), ModelType.DVAE, true, CorruptionSpec.parse("gaussian:0.4"),
                        epochs, 64, 1e-3, TrainingSpec.Schedule.COSINE, latent, base, 1, 1, Math.min(3, epochs), 0, 0L,
                        "BERNOULLI", p[0], Boolean.parseBoolean(p[1]), Double.parseDouble(p[2]),
                        p.length > 3 ? Double.parseDouble(p[3]) : 0.0,
                        p.length > 4 ? Double.parseDouble(p[4]) : 1.0);
                VaeTrainer.Result result = VaeTrainer.train(spec, train, val, 5, new VaeTrainer.Listener() {
                });
                double seconds = (System.nanoTime() - t) / 1e9;
                System.out.println(v + " validation -bound by epoch: " + result.history().stream()
                        .map(e -> e.epoch() + ":" + (e.valLoss() == null ? "-" : String.format(Locale.ROOT, "%.0f",
                                e.valLoss()))).collect(java.util.stream.Collectors.joining(" ")));
                try (VaeModel model = result.model()) {
                    model.fitPrior(trainX, train.grades(), train.count(), 1);
                    float[] s = model.sample(n, labels, 1.0, 31, true);
                    float[] fit = model.sample(train.count(), train.grades(), 1.0, 59, true);
                    float[] rec = model.reconstruct(testX, labels, n);
                    double[][] f = FeatureStats.rows(features.features(s, n));
                    FeatureStats.Prdc prdc = FeatureStats.prdc(real, f, 5);
                    double auc = SampleChecks.twoSampleAuc(realTrain,
                            FeatureStats.rows(features.features(fit, train.count())), real, f);
                    double recFd = FeatureStats.frechetDistance(real, FeatureStats.rows(features.features(rec, n)));
                    EpochMetrics last = result.history().get(result.history().size() - 1);
                    table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.1f | %.2f | %.2f | %.2f | %.3f "
                                    + "| %.2f | %.0f |%n", p[0], p[1], p[2], p.length > 3 ? p[3] : "0", p.length > 4 ? p[4] : "1", last.valLoss(), FeatureStats.frechetDistance(real, f),
                            prdc.precision(), prdc.recall(), auc, recFd, seconds));
                    addRow(rowLabels, rows, v + " samples", s, labels, 28);
                    addRow(rowLabels, rows, v + " reconstructions", rec, labels, 28);
                    Map<String, LatentPrior> priors = new HashMap<>();
                    for (String sampler : System.getProperty("arch.samplers", "").split(",")) {
                        if (sampler.isBlank()) {
                            continue;
                        }
                        String[] q = sampler.split(":");
                        double temperature = Double.parseDouble(q[1]);
                        LatentPrior prior = priors.computeIfAbsent(q[0],
                                kind -> prior(model, kind, trainX, train.grades(), train.count()));
                        float[] zs = prior.sample(labels, n, temperature, 31);
                        float[] zFit = prior.sample(train.grades(), train.count(), temperature, 59);
                        float[] ss = model.decode(zs, labels, n, false);
                        double[][] fs = FeatureStats.rows(features.features(ss, n));
                        FeatureStats.Prdc pr = FeatureStats.prdc(real, fs, 5);
                        double a = SampleChecks.twoSampleAuc(realTrain, FeatureStats.rows(features.features(
                                model.decode(zFit, train.grades(), train.count(), false), train.count())), real, fs);
                        samplers.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.3f |%n", v,
                                sampler, FeatureStats.frechetDistance(real, fs), pr.precision(), pr.recall(), a));
                        addRow(rowLabels, rows, v + " " + sampler, ss, labels, 28);
                    }
                }
                System.out.print(table);
                System.out.print(samplers);
                Files.writeString(out.resolve("arch-table.md"), table + "\n" + samplers, StandardCharsets.UTF_8);
                Files.write(out.resolve("arch-samples.png"), SampleGrid.png(SampleGrid.render(rowLabels, rows, 56)));
            }
            features.close();
        }
    }

    /**
     * {@code means}: one Gaussian per grade fitted to the posterior means (the model's own, fitted above);
     * {@code draws}: fitted to four draws from each image's posterior, so its spread includes the
     * posterior variances (the aggregate posterior's moments).
     */
    private static LatentPrior prior(VaeModel model, String kind, float[] x, int[] grades, int count) {
        if (kind.equals("means")) {
            return model.prior();
        }
        float[][] enc = model.encode(x, grades, count);
        int d = model.latentDim();
        int draws = 4;
        float[] z = new float[draws * count * d];
        int[] g = new int[draws * count];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        for (int k = 0; k < draws; k++) {
            for (int i = 0; i < count; i++) {
                g[k * count + i] = grades[i];
                for (int j = 0; j < d; j++) {
                    int at = i * d + j;
                    double eps = rng.nextDouble() * 2 - 1;
                    eps = Math.sqrt(-2 * Math.log(rng.nextDouble() + 1e-300)) * Math.cos(Math.PI * eps);
                    z[(k * count + i) * d + j] = (float) (enc[0][at] + Math.exp(0.5 * enc[1][at]) * eps);
                }
            }
        }
        return LatentPrior.fit(z, g, draws * count, d, model.numClasses(), 1);
    }

    private static void addRow(List<String> rowLabels, List<List<BufferedImage>> rows, String what, float[] images,
                               int[] labels, int size) {
        int per = 3 * size * size;
        List<BufferedImage> row = new ArrayList<>();
        for (int g = 0; g < 5; g++) {
            int grade = g;
            IntStream.range(0, labels.length).filter(i -> labels[i] == grade).limit(PER_GRADE).forEach(i -> row.add(
                    Img.toBufferedImage(Arrays.copyOfRange(images, i * per, (i + 1) * per), size, size)));
        }
        rowLabels.add(what);
        rows.add(row);
    }
}
