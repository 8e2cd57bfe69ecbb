package org.retinasynth.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.GradeScale;
import org.retinasynth.study.Study;
import org.retinasynth.study.StudyReport;
import org.retinasynth.study.StudyReportRenderer;
import org.retinasynth.study.StudyService;
import org.retinasynth.study.StudySpec;
import org.retinasynth.model.TorchRuntime;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.security.Owner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A full study through the service path: an embedded H2 database and blob store in a temp folder,
 * the training data uploaded with its own train/val/test splits (read in place, not copied), the
 * study run by the job queue, and the report written as JSON, CSV, HTML and PNGs.
 *
 * <p>Arguments: {@code SOURCE OUT [--size N] [--external NAME=SOURCE]...}. A source is a MedMNIST
 * NPZ (all its splits) or a dataset folder with {@code labels.csv} beside {@code images/} (its
 * split, patient and eye columns are used). External sets are uploaded at the study's working size
 * and only scored. Run with {@code bench/study.sh} or {@code bench/cross-site.sh}; sizes come from
 * {@code -Dstudy.*} properties (see there), {@code -Dstudy.arms=REAL,REAL_DVAE,...} picks arms.
 */
public final class StudyBench {

    public static void main(String[] args) throws Exception {
        Path source = Path.of(args.length > 0 ? args[0] : "../shared/data/retinamnist/retinamnist.npz");
        Path out = Path.of(args.length > 1 ? args[1] : "docs/results/retinamnist");
        int size = 28;
        Map<String, Path> externals = new LinkedHashMap<>();
        for (int a = 2; a < args.length; a++) {
            switch (args[a]) {
                case "--size" -> size = Integer.parseInt(args[++a]);
                case "--external" -> {
                    String[] kv = args[++a].split("=", 2);
                    externals.put(kv[0], Path.of(kv[1]));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[a]);
            }
        }
        Path work = Files.createTempDirectory("retinasynth-study-");
        long t0 = System.nanoTime();
        System.out.printf(Locale.ROOT, "cores=%d maxHeap=%d MiB java=%s engine=%s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"), TorchRuntime.info());
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(RetinaSynthApplication.class)
                .web(WebApplicationType.NONE)
                .run("--retinasynth.data-dir=" + work, "--retinasynth.security.print-first-key=false",
                        "--logging.level.root=WARN", "--logging.level.org.retinasynth.study=INFO")) {
            DatasetService datasets = app.getBean(DatasetService.class);
            StudyService studies = app.getBean(StudyService.class);
            Owner owner = app.getBean(ApiKeyService.class).issue("bench", false, "bench").owner();
            Dataset d = upload(datasets, owner, source, size, t0);
            List<StudySpec.ExternalTest> external = new ArrayList<>();
            for (Map.Entry<String, Path> e : externals.entrySet()) {
                external.add(new StudySpec.ExternalTest(upload(datasets, owner, e.getValue(), size, t0).id(), e.getKey()));
            }
            List<StudySpec.Arm> arms = System.getProperty("study.arms") == null ? List.of(StudySpec.Arm.values())
                    : Arrays.stream(System.getProperty("study.arms").split(",")).map(String::trim)
                            .map(StudySpec.Arm::valueOf).toList();

            StudySpec spec = new StudySpec(d.id(), arms, i("seeds", 3), false,
                    dbl("syntheticRatio", 1.0), null, Boolean.getBoolean("study.balance"), dbl("temperature", 1.0),
                    Boolean.parseBoolean(System.getProperty("study.generativePerSeed", "true")),
                    new StudySpec.Generative(i("genEpochs", 20), 64, dbl("genLearningRate", 1e-3), i("latentDim", 32),
                            i("baseChannels", 16),
                            CorruptionSpec.parse(System.getProperty("study.corruption", "gaussian:0.4")),
                            i("corruptedCopies", 1), Math.min(3, i("genEpochs", 20)),
                            System.getProperty("study.likelihood", "BERNOULLI"),
                            System.getProperty("study.prior", "FITTED"), System.getProperty("study.norm", "BATCH"),
                            Boolean.getBoolean("study.residual"), dbl("frequencyLossWeight", 0),
                            dbl("featureLossWeight", 0), dbl("klWeight", 1)),
                    new StudySpec.Classifier(i("clfEpochs", 30), 64, 2e-3, i("width", 16), 0.1, 1e-4, false,
                            i("patience", 6)),
                    null, null, null, null, i("iwae", 32), null, external.isEmpty() ? null : external,
                    System.getProperty("study.filterThreshold") == null ? null
                            : Double.valueOf(System.getProperty("study.filterThreshold")));
            Study study = studies.create(owner, spec);
            String last = "";
            while (!study.state().finished()) {
                Thread.sleep(5000);
                study = studies.get(owner, study.id());
                var p = study.job().progress();
                String line = String.format(Locale.ROOT, "%s %d/%d %s", study.state(), p.done(), p.total(),
                        p.phase());
                if (!line.equals(last)) {
                    System.out.printf(Locale.ROOT, "[%6.0f s] %s%n", (System.nanoTime() - t0) / 1e9, line);
                    last = line;
                }
            }
            if (!study.state().name().equals("SUCCEEDED")) {
                throw new IllegalStateException("study ended " + study.state() + ": " + study.error());
            }
            StudyReport report = studies.report(owner, study.id());
            Files.createDirectories(out.resolve("figures"));
            ObjectMapper pretty = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
            Files.writeString(out.resolve("report.json"), pretty.writeValueAsString(report), StandardCharsets.UTF_8);
            Files.writeString(out.resolve("report.csv"), StudyReportRenderer.csv(report), StandardCharsets.UTF_8);
            Files.writeString(out.resolve("report.html"), StudyReportRenderer.html(report), StandardCharsets.UTF_8);
            for (StudyReport.Figure f : report.figures()) {
                Files.write(out.resolve("figures").resolve(f.name() + ".png"), studies.figure(owner, study.id(), f.name()));
            }
            System.out.printf(Locale.ROOT, "report written to %s; wall time %.1f s%n", out.toAbsolutePath(),
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Uploads an NPZ or a folder with labels.csv and images/, at the working size, in batches. */
    private static Dataset upload(DatasetService datasets, Owner owner, Path source, int size, long t0)
            throws IOException {
        String name = source.getFileName().toString();
        Dataset d = datasets.create(owner, new DatasetService.NewDataset(name, "read from " + name, size,
                GradeScale.ICDR, 0L, null, null));
        if (Files.isDirectory(source)) {
            List<String> lines = Files.readAllLines(source.resolve("labels.csv"), StandardCharsets.UTF_8);
            List<String> rows = lines.subList(1, lines.size());
            for (int from = 0; from < rows.size(); from += 200) {
                List<String> batch = rows.subList(from, Math.min(rows.size(), from + 200));
                List<DatasetService.UploadedFile> files = new ArrayList<>();
                for (String row : batch) {
                    String file = row.substring(0, row.indexOf(','));
                    files.add(new DatasetService.UploadedFile(Path.of(file).getFileName().toString(),
                            Files.readAllBytes(source.resolve(file))));
                }
                String csv = lines.get(0) + "\n" + String.join("\n", batch) + "\n";
                datasets.uploadFiles(owner, d.id(), files, csv.getBytes(StandardCharsets.UTF_8), null, null, false);
            }
        } else {
            datasets.uploadNpz(owner, d.id(), source, name, Files.size(source));
        }
        System.out.printf(Locale.ROOT, "uploaded %s at %d px in %.1f s: %s%n", source, size,
                (System.nanoTime() - t0) / 1e9, datasets.stats(owner, d.id()).countsBySplit());
        return d;
    }

    private static int i(String name, int d) {
        return Integer.parseInt(System.getProperty("study." + name, Integer.toString(d)));
    }

    private static double dbl(String name, double d) {
        return Double.parseDouble(System.getProperty("study." + name, Double.toString(d)));
    }
}
