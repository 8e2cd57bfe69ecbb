package org.retinasynth.generation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            int made = 0;
            for (int c = first; c < plan.chunks(); c++) {
                context.checkCancelled();
                List<byte[]> pngs = chunk(model, plan, c);
                List<String> shas = blobs.putAll(pngs);
                List<GeneratedImage> rows = new ArrayList<>(pngs.size());
                for (int i = 0; i < pngs.size(); i++) {
                    int index = c * plan.chunkSize() + i;
                    int grade = plan.gradeOf(index);
                    rows.add(new GeneratedImage(index, c, grade < 0 ? null : grade, plan.filename(index), shas.get(i)));
                }
                made += rows.size();
                int done = Math.min(plan.total(), (c + 1) * plan.chunkSize());
                double rate = made / Math.max((System.nanoTime() - context.startedNanos()) / 1e9, 1e-9);
                repository.chunkDone(g.id(), c, rows, new Progress(done, plan.total(), null, rate,
                        (plan.total() - done) / Math.max(rate, 1e-9)));
            }
            repository.provenance(g.id(), g.provenance().ranOn(model.device(), context.worker(),
                    (System.nanoTime() - context.startedNanos()) / 1e9));
            return null;
        });
        return Outcome.DONE;
    }

    /** PNGs of chunk {@code c}, in image order; the same plan and chunk always give the same bytes. */
    static List<byte[]> chunk(VaeModel model, GenerationPlan plan, int c) {
        int from = c * plan.chunkSize();
        int n = Math.min(plan.total(), from + plan.chunkSize()) - from;
        int[] labels = plan.conditional() ? IntStream.range(from, from + n).map(plan::gradeOf).toArray() : null;
        float[] images = model.sample(n, labels, plan.temperature(), plan.chunkSeed(c), plan.fittedPrior());
        int s = model.config().imageSize();
        int per = 3 * s * s;
        return IntStream.range(0, n).parallel()
                .mapToObj(i -> SampleGrid.png(Img.toBufferedImage(
                        java.util.Arrays.copyOfRange(images, i * per, (i + 1) * per), s, s)))
                .toList();
    }
}
