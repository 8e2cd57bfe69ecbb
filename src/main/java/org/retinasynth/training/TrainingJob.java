package org.retinasynth.training;

import org.retinasynth.jobs.Job;
import org.retinasynth.jobs.OfJob;
import org.retinasynth.model.ModelType;

/**
 * A training job: the common job row, its spec and what its epochs have left behind.
 *
 * @param epoch           epochs finished so far
 * @param checkpointEpoch the epoch the stored checkpoint ends (0: none yet)
 */
public record TrainingJob(Job job, TrainingSpec spec, int epoch, int stepsPerEpoch, Double bestValLoss,
                          Integer bestEpoch, int checkpointEpoch, String checkpointSha256, String modelSha256,
                          String reconstructionsSha256, String provenanceJson) implements OfJob {

    public String datasetId() {
        return spec.datasetId();
    }

    public ModelType modelType() {
        return spec.modelType();
    }

    public int totalEpochs() {
        return spec.epochs();
    }
}
