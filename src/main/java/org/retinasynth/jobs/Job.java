package org.retinasynth.jobs;

import java.time.OffsetDateTime;

/**
 * What every job has, whatever its kind: the row of the {@code jobs} table. A kind adds its spec
 * and results in its own table, keyed by the same id.
 *
 * @param parentId the job this one is a unit of (a study's model or classifier), or null
 * @param device   the device the last attempt ran on, once started
 * @param worker   the worker instance of the last attempt
 * @param attempts how many times a worker started it (more than one after a crash)
 * @param spec     the request as JSON, for a kind that keeps no table of its own; else null
 * @param result   what it produced as JSON, likewise
 */
public record Job(String id, String ownerId, String kind, String parentId, JobState state, Progress progress,
                  String device, String worker, int attempts, boolean cancelRequested, String error,
                  OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                  OffsetDateTime updatedAt, String spec, String result) {
}
