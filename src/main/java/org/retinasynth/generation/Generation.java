package org.retinasynth.generation;

import java.time.OffsetDateTime;
import java.util.Map;
import org.retinasynth.training.JobState;

/** A generated set as stored: its plan, state, progress and provenance. */
public record Generation(String id, String ownerId, String modelJobId, String modelSha256, GenerationPlan plan,
                         JobState state, int totalImages, int doneImages, Double imagesPerSecond, Double etaSeconds,
                         String worker, int attempts, boolean cancelRequested, String error,
                         Map<String, Object> provenance, OffsetDateTime createdAt, OffsetDateTime startedAt,
                         OffsetDateTime finishedAt, OffsetDateTime updatedAt) {
}
