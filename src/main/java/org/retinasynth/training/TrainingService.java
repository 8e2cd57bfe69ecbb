package org.retinasynth.training;

import java.util.List;
import java.util.UUID;
import org.retinasynth.common.ConflictException;
import org.retinasynth.common.NotFoundException;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.jobs.JobQueue;
import org.retinasynth.jobs.JobService;
import org.retinasynth.jobs.JobState;
import org.retinasynth.jobs.Page;
import org.retinasynth.model.ModelType;
import org.retinasynth.model.ModelRegistry;
import org.retinasynth.model.VaeModel;
import org.retinasynth.security.Owner;
import org.retinasynth.storage.BlobStore;
import org.springframework.stereotype.Service;

/** Training jobs of one owner: queue, watch, cancel, delete, and fetch what a job produced. */
@Service
public class TrainingService {

    private final TrainingJobRepository jobs;
    private final JobService core;
    private final JobQueue queue;
    private final DatasetService datasets;
    private final BlobStore blobs;

    TrainingService(TrainingJobRepository jobs, JobService core, JobQueue queue, DatasetService datasets,
                    BlobStore blobs) {
        this.jobs = jobs;
        this.core = core;
        this.queue = queue;
        this.datasets = datasets;
        this.blobs = blobs;
    }

    public TrainingJob create(Owner owner, TrainingSpec spec) {
        List<String> problems = spec.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid training spec: " + String.join("; ", problems));
        }
        if (datasets.get(owner, spec.datasetId()).imageCount() < 2) {
            throw new ConflictException("dataset '" + spec.datasetId() + "' holds fewer than 2 images: upload some first");
        }
        String id = UUID.randomUUID().toString();
        jobs.insert(id, owner.id(), spec);
        queue.enqueue(TrainingRunner.TYPE, id);
        return get(owner, id);
    }

    public TrainingJob get(Owner owner, String id) {
        return jobs.find(owner.id(), id).orElseThrow(() -> new NotFoundException("training job", id));
    }

    public Page<TrainingJob> list(Owner owner, String datasetId, JobState state, ModelType model, int page, int size) {
        return jobs.page(owner.id(), datasetId, state, model, page, size);
    }

    /** A queued job ends at once; a running one at its next batch. Finished jobs cannot be cancelled. */
    public TrainingJob cancel(Owner owner, String id) {
        core.cancel(owner, TrainingRunner.TYPE, id);
        return get(owner, id);
    }

    /**
     * Deletes an ended job. While generations or studies that sample from its model are queued or
     * running: 409 naming them, or with {@code cascade} they are cancelled first.
     */
    public void delete(Owner owner, String id, boolean cascade) {
        TrainingJob job = get(owner, id);
        if (job.state().finished()) {
            core.release("the model of training job '" + id + "'", core.needingModel(id), cascade);
        }
        core.delete(owner, TrainingRunner.TYPE, id, jobs.blobs(job));
    }

    public List<EpochMetrics> metrics(Owner owner, String id) {
        get(owner, id);
        return jobs.epochs(id);
    }

    public byte[] lossPng(Owner owner, String id) {
        TrainingJob job = get(owner, id);
        return Charts.lossCurves(job.modelType() + " " + job.id().substring(0, 8) + " on dataset "
                + job.datasetId().substring(0, 8), jobs.epochs(id));
    }

    public byte[] reconstructionsPng(Owner owner, String id) {
        TrainingJob job = get(owner, id);
        if (job.reconstructionsSha256() == null) {
            throw new ConflictException("training job '" + id + "' has not finished an epoch yet");
        }
        return blob(job.reconstructionsSha256());
    }

    /** The trained model as a ZIP: DJL parameters plus a JSON config with full provenance. */
    public byte[] model(Owner owner, String id) {
        TrainingJob job = get(owner, id);
        if (job.state() != JobState.SUCCEEDED || job.modelSha256() == null) {
            throw new ConflictException("training job '" + id + "' is " + job.state() + "; the model is kept once it "
                    + "has SUCCEEDED");
        }
        return blob(job.modelSha256());
    }

    /** A SUCCEEDED job's model, opened in this process (e.g. by a study); the caller closes it. */
    public VaeModel openModel(Owner owner, String id) {
        return ModelRegistry.load(model(owner, id), VaeModel.class, null);
    }

    private byte[] blob(String sha) {
        return blobs.get(sha).orElseThrow(() -> new IllegalStateException("blob " + sha + " is missing"));
    }
}
