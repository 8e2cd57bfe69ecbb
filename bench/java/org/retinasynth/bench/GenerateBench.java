package org.retinasynth.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.generation.Generation;
import org.retinasynth.generation.GenerationProperties;
import org.retinasynth.generation.GenerationRequest;
import org.retinasynth.generation.GenerationService;
import org.retinasynth.model.VaeModel;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.security.Owner;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.jobs.JobState;
import org.retinasynth.model.ModelRegistry;
import org.retinasynth.model.ModelType;
import org.retinasynth.training.TrainingJob;
import org.retinasynth.training.TrainingService;
import org.retinasynth.training.TrainingSpec;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Generation throughput at 64x64 on the service path: a request goes in, and the clock stops when
 * every PNG is in the blob store and its row committed (sampling, PNG encoding, blob writes, DB
 * rows, progress). Measured for one synchronous request (the largest answered at once) and for a
 * large request through the job queue. The reference, in the same run, is raw
 * {@link VaeModel#sample} of the same model in the same chunks, so the ratio is the service's
 * overhead over the model itself.
 *
 * <p>The model is the default 64x64 conditional VAE (latent 64, base 32 channels) trained for one
 * epoch on phantoms: sampling cost depends on the architecture, not on how well it is trained.
 * Run with {@code bench/generate.sh}; {@code -Dbench.images=N} sets the job's size (default 4096).
 */
public final class GenerateBench {

    private static final int SIZE = 64;
    private static final int GRADES = 5;

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("bench.images", 4096);
        Path work = Files.createTempDirectory("retinasynth-bench-gen-");
        System.out.printf(Locale.ROOT, "cores=%d maxHeap=%d MiB java=%s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(RetinaSynthApplication.class)
                .web(WebApplicationType.NONE)
                .run("--retinasynth.data-dir=" + work, "--retinasynth.security.print-first-key=false",
                        "--logging.level.root=WARN")) {
            DatasetService datasets = app.getBean(DatasetService.class);
            TrainingService training = app.getBean(TrainingService.class);
            GenerationService generations = app.getBean(GenerationService.class);
            GenerationProperties properties = app.getBean(GenerationProperties.class);
            BlobStore blobs = app.getBean(BlobStore.class);
            Owner owner = app.getBean(ApiKeyService.class).issue("bench", false, "bench").owner();

            Dataset d = datasets.createDemo(owner, new DatasetService.NewDataset("bench", null, SIZE, null, 1L, null,
                    null), List.of(16, 16, 16, 16, 16), 96, 1);
            TrainingJob job = training.create(owner, new TrainingSpec(d.id(), ModelType.VAE, true, null, 1, 16, 1e-3,
                    TrainingSpec.Schedule.CONSTANT, 64, 32, 1, 1, 0, 0, 1, "GAUSSIAN_FIXED", null, null, null, null, null));
            while (!training.get(owner, job.id()).state().finished()) {
                Thread.sleep(100);
            }
            job = training.get(owner, job.id());
            if (job.state() != JobState.SUCCEEDED) {
                throw new IllegalStateException("bench model failed: " + job.job().error());
            }

            generations.create(owner, request(job.id(), properties.syncMaxImages(), 0)); // warm-up
            int sync = properties.syncMaxImages();
            long bytes0 = blobs.totalBytes();
            long t0 = System.nanoTime();
            Generation s = generations.create(owner, request(job.id(), sync, 1));
            double syncSeconds = (System.nanoTime() - t0) / 1e9;
            report("synchronous request", s, syncSeconds, blobs.totalBytes() - bytes0);

            bytes0 = blobs.totalBytes();
            t0 = System.nanoTime();
            Generation g = generations.create(owner, request(job.id(), n, 2));
            while (!generations.get(owner, g.id()).state().finished()) {
                Thread.sleep(20);
            }
            double jobSeconds = (System.nanoTime() - t0) / 1e9;
            g = generations.get(owner, g.id());
            if (g.state() != JobState.SUCCEEDED) {
                throw new IllegalStateException("bench generation failed: " + g.error());
            }
            report("job (queue, chunks of " + g.plan().chunkSize() + ")", g, jobSeconds, blobs.totalBytes() - bytes0);

            double raw;
            try (VaeModel model = ModelRegistry.load(blobs.get(job.modelSha256()).orElseThrow(), VaeModel.class, null)) {
                int chunk = g.plan().chunkSize();
                // The service samples the fitted prior by default: the reference samples the same.
                model.sample(chunk, labels(chunk, 0), 1.0, 0, true); // warm-up
                long r0 = System.nanoTime();
                for (int from = 0; from < n; from += chunk) {
                    int m = Math.min(chunk, n - from);
                    model.sample(m, labels(m, from), 1.0, from, true);
                }
                raw = n / ((System.nanoTime() - r0) / 1e9);
            }
            System.out.printf(Locale.ROOT, "reference: raw VaeModel.sample (fitted prior) %dx%d, %d images in chunks: "
                    + "%.1f images/s%n", SIZE, SIZE, n, raw);
            System.out.printf(Locale.ROOT, "service/raw: synchronous %.2f, job %.2f (target 0.9)%n", sync / syncSeconds / raw,
                    n / jobSeconds / raw);
        }
    }

    private static void report(String label, Generation g, double seconds, long storeBytes) {
        System.out.printf(Locale.ROOT, "%s: %d images %dx%d in %.2f s = %.1f images/s end to end (job's own figure "
                        + "%.1f images/s), %.1f KiB per PNG in the store%n", label, g.plan().total(), SIZE, SIZE,
                seconds, g.plan().total() / seconds,
                g.job().progress().rate() == null ? Double.NaN : g.job().progress().rate(),
                storeBytes / 1024.0 / g.plan().total());
    }

    /** n images spread evenly over the grades; distinct seeds so no PNG is already in the store. */
    private static GenerationRequest request(String model, int n, long seed) {
        List<Integer> counts = new ArrayList<>();
        for (int g = 0; g < GRADES; g++) {
            counts.add(n / GRADES + (g < n % GRADES ? 1 : 0));
        }
        return new GenerationRequest(model, counts, null, null, null, 1.0, seed, null, null);
    }

    private static int[] labels(int m, int from) {
        int[] l = new int[m];
        for (int i = 0; i < m; i++) {
            l[i] = (from + i) % GRADES;
        }
        return l;
    }
}
