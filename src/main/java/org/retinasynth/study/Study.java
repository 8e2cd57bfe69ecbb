package org.retinasynth.study;

import java.time.OffsetDateTime;
import org.retinasynth.training.JobState;

/** A study as stored: its spec, state and progress; the report lives in the blob store once it SUCCEEDED. */
public record Study(String id, String ownerId, String datasetId, StudySpec spec, JobState state, String phase,
                    int step, int totalSteps, Double etaSeconds, String device, String worker, int attempts,
                    boolean cancelRequested, String error, String reportSha256, OffsetDateTime createdAt,
                    OffsetDateTime startedAt, OffsetDateTime finishedAt, OffsetDateTime updatedAt) {
}
