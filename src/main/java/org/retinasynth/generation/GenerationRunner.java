package org.retinasynth.generation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.retinasynth.image.Img;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.jobs.JobCancelled;
import org.retinasynth.jobs.JobHandler;
import org.retinasynth.model.VaeModel;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.training.JobState;
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
class GenerationRunner implements JobHandler {

    static final String KIND = "generation-job";

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
    public String kind() {
        return KIND;
    }

    @Override
    public List<String> unfinishedIds() {
        return repository.unfinishedIds();
    }

    @Override
    public void run(String id, String worker) {
        Generation g = repository.find(id).orElse(null);
        if (g == null || g.state().finished()) {
            return;
        }
        if (g.cancelRequested()) {
            repository.finish(id, JobState.CANCELLED, "cancelled before it started", null);
            return;
        }
        try {
            generate(g, worker);
        } catch (JobCancelled c) {
            repository.finish(id, JobState.CANCELLED, "cancelled by the owner", null);
        } catch (RuntimeException | Error e) {
            log.warn("generation {} failed", id, e);
            repository.finish(id, JobState.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        }
    }

    private void generate(Generation g, String worker) {
        if (!repository.markStarted(g.id(), worker)) {
            return;
        }
        long started = System.nanoTime();
        GenerationPlan plan = g.plan();
        models.with(g.modelSha256(), model -> {
            int first = repository.finishedChunks(g.id());
            if (first > 0) {
                log.info("generation {} resumes after chunk {} of {}", g.id(), first, plan.chunks());
            }
            int made = 0;
            for (int c = first; c < plan.chunks(); c++) {
                if (repository.cancelRequested(g.id())) {
                    throw new JobCancelled();
                }
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
                double rate = made / Math.max((System.nanoTime() - started) / 1e9, 1e-9);
                repository.chunkDone(g.id(), c, rows, done, rate, (plan.total() - done) / Math.max(rate, 1e-9));
            }
            Map<String, Object> provenance = new LinkedHashMap<>(g.provenance());
            provenance.put("device", model.device());
            provenance.put("worker", worker);
            provenance.put("lastRunSeconds", (System.nanoTime() - started) / 1e9);
            repository.finish(g.id(), JobState.SUCCEEDED, null, provenance);
            return null;
        });
    }

    /** PNGs of chunk {@code c}, in image order; the same plan and chunk always give the same bytes. */
    static List<byte[]> chunk(VaeModel model, GenerationPlan plan, int c) {
        int from = c * plan.chunkSize();
        int n = Math.min(plan.total(), from + plan.chunkSize()) - from;
        int[] labels = plan.conditional() ? IntStream.range(from, from + n).map(plan::gradeOf).toArray() : null;
        float[] images = model.sample(n, labels, plan.temperature(), plan.chunkSeed(c));
        int s = model.config().imageSize();
        int per = 3 * s * s;
        return IntStream.range(0, n).parallel()
                .mapToObj(i -> SampleGrid.png(Img.toBufferedImage(
                        java.util.Arrays.copyOfRange(images, i * per, (i + 1) * per), s, s)))
                .toList();
    }
}
