package org.retinasynth.training;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.DatasetService.PackedImages;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.dataset.Split;
import org.retinasynth.jobs.JobContext;
import org.retinasynth.jobs.JobKind;
import org.retinasynth.jobs.JobService;
import org.retinasynth.jobs.JobType;
import org.retinasynth.jobs.Progress;
import org.retinasynth.model.TorchRuntime;
import org.retinasynth.model.ModelRegistry;
import org.retinasynth.model.VaeModel;
import org.retinasynth.security.Owner;
import org.retinasynth.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * Runs one training job to its end: resumes from the job's last checkpoint if it has one, trains
 * epoch by epoch (checking for cancellation at every batch), and after each epoch writes the
 * history row, a checkpoint and a reconstruction picture, so that a worker that dies loses at
 * most the epoch it was in.
 */
@Component
class TrainingRunner implements JobKind {

    static final JobType TYPE = new JobType("training-job", "training job", "training_jobs");

    private static final Logger log = LoggerFactory.getLogger(TrainingRunner.class);
    private static final int PICTURE_IMAGES = 8;
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final TrainingJobRepository jobs;
    private final JobService core;
    private final DatasetService datasets;
    private final BlobStore blobs;
    private final TrainingProperties properties;
    private final ObjectMapper json;

    TrainingRunner(TrainingJobRepository jobs, JobService core, DatasetService datasets, BlobStore blobs,
                   TrainingProperties properties, ObjectMapper json) {
        this.jobs = jobs;
        this.core = core;
        this.datasets = datasets;
        this.blobs = blobs;
        this.properties = properties;
        this.json = json;
    }

    @Override
    public JobType type() {
        return TYPE;
    }

    @Override
    public Outcome run(JobContext context) {
        TrainingJob job = jobs.find(context.id()).orElseThrow();
        train(job, context);
        return Outcome.DONE;
    }

    private void train(TrainingJob job, JobContext context) {
        TrainingSpec spec = job.spec();
        Owner owner = new Owner(job.ownerId(), null, false);
        Dataset dataset = datasets.get(owner, spec.datasetId());
        PackedImages train = datasets.packed(owner, dataset.id(), Split.TRAIN);
        PackedImages val = datasets.packed(owner, dataset.id(), Split.VAL);
        if (train.count() < 2) {
            throw new IllegalStateException("the dataset has " + train.count()
                    + " training image(s); at least 2 are needed");
        }
        int classes = dataset.classNames().size();
        int steps = train.count() / Math.min(spec.batchSize(), train.count());
        Batches pictures = new Batches(val.count() > 0 ? val : train, spec.conditional());

        try (VaeModel model = openModel(job, spec, dataset.workingSize(), spec.conditional() ? classes : 0)) {
            if (!context.start(model.device(), (long) steps * spec.epochs())) {
                return;
            }
            jobs.stepsPerEpoch(job.id(), steps);
            VaeTrainer.train(spec, model, job.checkpointEpoch(), job.bestValLoss(), job.bestEpoch(), train, val,
                    new VaeTrainer.Listener() {
                        private long lastProgress;
                        private String checkpointShown = job.checkpointSha256();

                        @Override
                        public boolean cancelled() {
                            return context.cancelRequested();
                        }

                        @Override
                        public void progress(int epoch, long step, double rate, double eta) {
                            long now = System.nanoTime();
                            if (now - lastProgress > properties.progressSeconds() * 1_000_000_000L) {
                                jobs.progress(job.id(), epoch, new Progress(step, (long) steps * spec.epochs(), null,
                                        rate, eta));
                                lastProgress = now;
                            }
                        }

                        @Override
                        public void epochDone(VaeModel m, EpochMetrics metrics, double best, int bestEpoch) {
                            // the job and epoch in its JSON make the blob this job's alone, so
                            // deleting it later cannot take one from an identical job
                            String checkpoint = blobs.put(ModelRegistry.checkpoint(m,
                                    Map.of("trainingJobId", job.id(), "epoch", metrics.epoch())));
                            String picture = reconstructions(m, pictures, spec);
                            jobs.epochDone(job.id(), metrics, checkpoint, picture, best, bestEpoch);
                            // only now that the row points at the new one may the old one go
                            dropIfUnreferenced(checkpointShown, checkpoint);
                            checkpointShown = checkpoint;
                        }
                    });
            VaeTrainer.fitPrior(model, train, spec.conditional(), properties.priorComponents());
            TrainingProvenance provenance = provenance(job, dataset, owner, model, context.startedNanos());
            String modelSha = saveModel(model, provenance);
            jobs.modelSaved(job.id(), modelSha, json.writeValueAsString(provenance));
        }
    }

    /**
     * Deletes an earlier epoch's checkpoint (with Adam's state, three times the size of the model)
     * once the job no longer points at it, unless some row still does. Pictures stay: they are
     * small and byte-identical across identical jobs, which could still be about to record one.
     */
    private void dropIfUnreferenced(String old, String current) {
        if (old != null && !old.equals(current)) {
            core.dropUnreferenced(List.of(old));
        }
    }

    private VaeModel openModel(TrainingJob job, TrainingSpec spec, int size, int classes) {
        if (job.checkpointSha256() != null) {
            log.info("job {} resumes from the checkpoint of epoch {}", job.id(), job.checkpointEpoch());
            return ModelRegistry.load(blobs.get(job.checkpointSha256()).orElseThrow(
                    () -> new IllegalStateException("checkpoint " + job.checkpointSha256() + " is missing")), VaeModel.class, null);
        }
        return VaeTrainer.newModel(spec, size, classes);
    }

    /** Rows of clean, corrupted and reconstructed images: what the model does, at a glance. */
    private String reconstructions(VaeModel model, Batches data, TrainingSpec spec) {
        int n = Math.min(PICTURE_IMAGES, data.count());
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        float[] clean = data.images(idx);
        float[] input = spec.corruption() != null && !spec.corruption().isIdentity()
                ? VaeTrainer.corruptCopies(clean, 1, data.size(), spec.corruption(),
                new SplittableRandom(spec.seed() + 23)) : clean;
        float[] out = model.reconstruct(input, data.labels(idx), n);
        List<String> labels = List.of("clean", input == clean ? "input" : "corrupted", "reconstructed");
        List<List<BufferedImage>> rows = List.of(Batches.toImages(clean, n, data.size()),
                Batches.toImages(input, n, data.size()), Batches.toImages(out, n, data.size()));
        return blobs.put(SampleGrid.png(SampleGrid.render(labels, rows, Math.max(64, data.size()))));
    }

    private String saveModel(VaeModel model, TrainingProvenance provenance) {
        return blobs.put(ModelRegistry.archive(model, json.convertValue(provenance, MAP)));
    }

    private TrainingProvenance provenance(TrainingJob job, Dataset dataset, Owner owner, VaeModel model,
                                          long started) {
        return new TrainingProvenance(job.id(), dataset.id(), datasets.contentHash(owner, dataset.id()),
                new TrainingProvenance.Preprocessing(true, dataset.workingSize(), "[0,1] RGB"), job.spec(),
                job.spec().seed(), model.device(), TorchRuntime.info(), System.getProperty("java.version"),
                String.valueOf(TrainingRunner.class.getPackage().getImplementationVersion()), model.parameterCount(),
                (System.nanoTime() - started) / 1e9);
    }
}
