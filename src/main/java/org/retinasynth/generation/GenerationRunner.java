package org.retinasynth.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.retinasynth.image.Img;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.jobs.JobContext;
import org.retinasynth.jobs.JobKind;
import org.retinasynth.jobs.JobType;
import org.retinasynth.jobs.Progress;
import org.retinasynth.model.VaeModel;
import org.retinasynth.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes a generated set chunk by chunk: each chunk is sampled from its own seed, its PNGs stored,
 * then its rows committed with the progress, so a set taken over after a crash continues after the
 * last stored chunk and ends with the same images as an uninterrupted run. Small sets run through
 * the same code in the request thread.
 */
@Component
class GenerationRunner implements JobKind {

    static final JobType TYPE = new JobType("generation-job", "generation", "generations");

    private static final Logger log = LoggerFactory.getLogger(GenerationRunner.class);

    private final GenerationRepository repository;
    private final ModelCache models;
    private final BlobStore blobs;

    GenerationRunner(GenerationRepository repository, ModelCache models, BlobStore blobs) {
        this.repository = repository;
        this.models = models;
        this.blobs = blobs;
    }

    @Override
    public JobType type() {
        return TYPE;
    }

    @Override
    public Outcome run(JobContext context) {
        Generation g = repository.find(context.id()).orElseThrow();
        if (!context.start(null, (long) g.plan().total())) {
            return Outcome.DONE;
        }
        GenerationPlan plan = g.plan();
        models.with(g.modelSha256(), model -> {
            int first = repository.finishedChunks(g.id());
            if (first > 0) {
                log.info("generation {} resumes after chunk {} of {}", g.id(), first, plan.chunks());
            }
            // The model samples chunk c + 1 while chunk c is encoded, stored and committed: at most
            // one chunk in flight, so chunks still commit in order and a resume stays exact.
            ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "generation-writer-" + g.id());
                t.setDaemon(true);
                return t;
            });
            int size = model.config().imageSize();
            Future<?> written = CompletableFuture.completedFuture(null);
            try {
                for (int c = first; c < plan.chunks(); c++) {
                    context.checkCancelled();
                    float[] images = sample(model, plan, c);
                    await(written);
                    int chunk = c;
                    written = writer.submit(() -> store(g.id(), plan, chunk, images, size, first, context));
                }
                await(written);
            } finally {
                // A cancelled or failed run still lets the chunk being written commit whole.
                writer.shutdown();
                awaitQuietly(writer);
            }
            repository.provenance(g.id(), g.provenance().ranOn(model.device(), context.worker(),
                    (System.nanoTime() - context.startedNanos()) / 1e9));
            return null;
        });
        return Outcome.DONE;
    }

    /** Encodes, stores and commits chunk {@code c} with the progress. */
    private void store(String id, GenerationPlan plan, int c, float[] images, int size, int first,
                       JobContext context) {
        List<byte[]> pngs = encode(images, size);
        List<String> shas = blobs.putAll(pngs);
        List<GeneratedImage> rows = new ArrayList<>(pngs.size());
        for (int i = 0; i < pngs.size(); i++) {
            int index = c * plan.chunkSize() + i;
            int grade = plan.gradeOf(index);
            rows.add(new GeneratedImage(index, c, grade < 0 ? null : grade, plan.filename(index), shas.get(i)));
        }
        int done = Math.min(plan.total(), (c + 1) * plan.chunkSize());
        int made = done - first * plan.chunkSize();
        double rate = made / Math.max((System.nanoTime() - context.startedNanos()) / 1e9, 1e-9);
        repository.chunkDone(id, c, rows, new Progress(done, plan.total(), null, rate,
                (plan.total() - done) / Math.max(rate, 1e-9)));
    }

    /** Images of chunk {@code c}, in image order; the same plan and chunk always give the same pixels. */
    static float[] sample(VaeModel model, GenerationPlan plan, int c) {
        int from = c * plan.chunkSize();
        int n = Math.min(plan.total(), from + plan.chunkSize()) - from;
        int[] labels = plan.conditional() ? IntStream.range(from, from + n).map(plan::gradeOf).toArray() : null;
        return model.sample(n, labels, plan.temperature(), plan.chunkSeed(c), plan.fittedPrior());
    }

    static List<byte[]> encode(float[] images, int size) {
        int per = 3 * size * size;
        return IntStream.range(0, images.length / per).parallel()
                .mapToObj(i -> SampleGrid.png(Img.toBufferedImage(
                        Arrays.copyOfRange(images, i * per, (i + 1) * per), size, size)))
                .toList();
    }

    private static void await(Future<?> written) {
        try {
            written.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a chunk was being stored", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void awaitQuietly(ExecutorService writer) {
        try {
            if (!writer.awaitTermination(5, TimeUnit.MINUTES)) {
                log.warn("a generation chunk was still being stored after 5 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
