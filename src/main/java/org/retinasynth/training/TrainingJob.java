package org.retinasynth.training;

import java.time.OffsetDateTime;
import org.retinasynth.model.ModelType;

/** A job as stored: its spec, state and latest progress. */
public record TrainingJob(String id, String ownerId, String datasetId, ModelType modelType, TrainingSpec spec,
                          JobState state, int totalEpochs, int epoch, long step, int stepsPerEpoch,
                          Double imagesPerSecond, Double etaSeconds, String device, String worker, Double bestValLoss,
                          Integer bestEpoch, int attempts, boolean cancelRequested, String error,
                          int checkpointEpoch, String checkpointSha256, String modelSha256,
                          String reconstructionsSha256, String provenanceJson, OffsetDateTime createdAt,
                          OffsetDateTime startedAt, OffsetDateTime finishedAt, OffsetDateTime updatedAt) {
}
