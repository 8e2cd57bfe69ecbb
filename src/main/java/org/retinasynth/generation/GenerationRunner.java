package org.retinasynth.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.retinasynth.training.GraderTraining;
import org.retinasynth.image.Img;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.jobs.JobContext;
import org.retinasynth.jobs.JobKind;
import org.retinasynth.jobs.JobType;
import org.retinasynth.jobs.Progress;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.Split;
import org.retinasynth.model.ClassifierModel;
import org.retinasynth.model.ModelRegistry;
import org.retinasynth.model.VaeModel;
import org.retinasynth.security.Owner;
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
    private final DatasetService datasets;

    GenerationRunner(GenerationRepository repository, ModelCache models, BlobStore blobs, DatasetService datasets) {
        this.repository = repository;
        this.models = models;
        this.blobs = blobs;
        this.datasets = datasets;
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
        // a filtered set's provenance grows with its grader and each chunk's tallies
        AtomicReference<GenerationProvenance> provenance = new AtomicReference<>(g.provenance());
        models.with(g.modelSha256(), model -> {
            int first = repository.finishedChunks(g.id());
            if (first > 0) {
                log.info("generation {} resumes after chunk {} of {}", g.id(), first, plan.chunks());
            }
            ClassifierModel grader = plan.filter() == null ? null : grader(g, model, provenance, context);
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
                    int chunk = c;
                    Chunk made = grader == null ? new Chunk(sample(model, plan, c), slots(plan, c), null)
                            : filtered(model, grader, plan, c);
                    await(written);
                    written = writer.submit(() -> {
                        GenerationProvenance p = made.tallies() == null ? null : provenance.updateAndGet(
                                x -> x.withFilter(x.filter().withChunk(chunk, made.tallies())));
                        store(g.id(), plan, chunk, made, size, first, context, p);
                    });
                }
                await(written);
            } finally {
                // A cancelled or failed run still lets the chunk being written commit whole.
                writer.shutdown();
                awaitQuietly(writer);
                if (grader != null) {
                    grader.close();
                }
            }
            repository.provenance(g.id(), provenance.get().ranOn(model.device(), context.worker(),
                    (System.nanoTime() - context.startedNanos()) / 1e9));
            return null;
        });
        return Outcome.DONE;
    }

    /** A chunk's images and the plan indices they fill; for a filtered set, its tallies. */
    record Chunk(float[] images, int[] indices, List<GradeFilter.FilterTally> tallies) {
    }

    /**
     * The grader of a filtered set: trained on the model's training dataset the first time (and its
     * archive recorded in the provenance), loaded from that archive when the set is taken up again.
     */
    private ClassifierModel grader(Generation g, VaeModel model, AtomicReference<GenerationProvenance> provenance,
                                   JobContext context) {
        GenerationProvenance.FilterProvenance f = provenance.get().filter();
        if (f.graderSha256() != null) {
            return ModelRegistry.load(blobs.get(f.graderSha256()).orElseThrow(() -> new IllegalStateException(
                    "the grader of generation " + g.id() + " is missing")), ClassifierModel.class, null);
        }
        context.progress(new Progress(0, g.plan().total(), "training the grader", null, null));
        Owner owner = new Owner(g.ownerId(), null, false);
        String datasetId = g.provenance().trainingDatasetId();
        DatasetService.PackedImages train = datasets.packed(owner, datasetId, Split.TRAIN);
        DatasetService.PackedImages val = datasets.packed(owner, datasetId, Split.VAL);
        if (train.size() != model.config().imageSize()) {
            throw new IllegalStateException("the training dataset's working size " + train.size()
                    + " is not the model's " + model.config().imageSize());
        }
        GraderTraining.Trained t = GraderTraining.train(train, val, g.plan().countsPerGrade().size(),
                g.plan().filter().graderEpochsOrDefault(), g.plan().seed(), context::checkCancelled);
        String sha = blobs.put(ModelRegistry.archive(t.model(), Map.of("generation", g.id(), "role", "grader")));
        GenerationProvenance p = provenance.updateAndGet(x -> x.withFilter(x.filter().withGrader(t.settings(), sha,
                t.validationBalancedAccuracy())));
        repository.provenance(g.id(), p);
        log.info("generation {}: grader trained, validation balanced accuracy {}", g.id(),
                t.validationBalancedAccuracy());
        return t.model();
    }

    /** Encodes, stores and commits chunk {@code c} with the progress (and a filtered set's tallies). */
    private void store(String id, GenerationPlan plan, int c, Chunk chunk, int size, int first, JobContext context,
                       GenerationProvenance provenance) {
        List<byte[]> pngs = encode(chunk.images(), size);
        List<String> shas = blobs.putAll(pngs);
        List<GeneratedImage> rows = new ArrayList<>(pngs.size());
        for (int i = 0; i < pngs.size(); i++) {
            int index = chunk.indices()[i];
            int grade = plan.gradeOf(index);
            rows.add(new GeneratedImage(index, c, grade < 0 ? null : grade, plan.filename(index), shas.get(i)));
        }
        int done = Math.min(plan.total(), (c + 1) * plan.chunkSize());
        int made = done - first * plan.chunkSize();
        double rate = made / Math.max((System.nanoTime() - context.startedNanos()) / 1e9, 1e-9);
        repository.chunkDone(id, c, rows, new Progress(done, plan.total(), null, rate,
                (plan.total() - done) / Math.max(rate, 1e-9)), provenance);
    }

    /** Images of chunk {@code c}, in image order; the same plan and chunk always give the same pixels. */
    static float[] sample(VaeModel model, GenerationPlan plan, int c) {
        int from = c * plan.chunkSize();
        int n = Math.min(plan.total(), from + plan.chunkSize()) - from;
        int[] labels = plan.conditional() ? IntStream.range(from, from + n).map(plan::gradeOf).toArray() : null;
        return model.sample(n, labels, plan.temperature(), plan.chunkSeed(c), plan.fittedPrior());
    }

    private static int[] slots(GenerationPlan plan, int c) {
        int from = c * plan.chunkSize();
        return IntStream.range(from, Math.min(plan.total(), from + plan.chunkSize())).toArray();
    }

    /**
     * Chunk {@code c} through the grader filter: each grade's slots of the chunk filled in order with
     * images that passed; slots a spent budget left empty stay without an image. Seeded by the chunk.
     */
    static Chunk filtered(VaeModel model, ClassifierModel grader, GenerationPlan plan, int c) {
        int[] slots = slots(plan, c);
        int[] wanted = new int[plan.countsPerGrade().size()];
        for (int i : slots) {
            wanted[plan.gradeOf(i)]++;
        }
        int size = model.config().imageSize();
        GradeFilter.Result r = GradeFilter.run((n, grade, seed) -> {
                    int[] labels = new int[n];
                    Arrays.fill(labels, grade);
                    return model.sample(n, labels, plan.temperature(), seed, plan.fittedPrior());
                }, grader::predictProba, 3 * size * size, wanted, plan.filter().thresholdOrDefault(),
                GradeFilter.DEFAULT_DRAWS_PER_IMAGE, plan.chunkSeed(c));
        // the plan orders images by grade, so each grade's slots in the chunk are consecutive
        int[] indices = new int[r.count()];
        int k = 0;
        int start = slots.length == 0 ? 0 : slots[0];
        for (int g = 0; g < wanted.length; g++) {
            int gg = g;
            int accepted = r.tallies().stream().filter(t -> t.grade() == gg).mapToInt(GradeFilter.FilterTally::accepted)
                    .sum();
            for (int j = 0; j < accepted; j++) {
                indices[k++] = start + j;
            }
            start += wanted[g];
        }
        return new Chunk(r.images(), indices, r.tallies());
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
