package org.retinasynth.jobs;

/**
 * A kind of job as the core sees it.
 *
 * @param name  the queue's task name and the {@code jobs.kind} column; stable across releases
 * @param noun  how messages name one job of this kind ("training job 'x' is RUNNING")
 * @param table the kind's own table, keyed by the job id
 */
public record JobType(String name, String noun, String table) {
}
