/**
 * The job core every kind of background work shares. One {@code jobs} row per job ({@link
 * org.retinasynth.jobs.Job}: owner, state, progress, attempts, worker, timings) in one {@link
 * org.retinasynth.jobs.JobStore}; the states and their allowed moves in {@link
 * org.retinasynth.jobs.JobState}; the life cycle (load, cancelled before start, run, end) in {@link
 * org.retinasynth.jobs.JobRunner}; get, cancel and delete with one meaning in {@link
 * org.retinasynth.jobs.JobService}. {@link org.retinasynth.jobs.JobQueue} submits by task name
 * only, and {@link org.retinasynth.jobs.JobWorker} runs the queued ones on db-scheduler, so services
 * that queue work never depend on the code that runs it.
 *
 * <p>A kind of job is its spec and results (its own table, keyed by the job id), its body (a
 * {@link org.retinasynth.jobs.JobKind} bean) and its controller routes. A job may have units: child
 * jobs ({@code parent_id}) that are queued, run, cancelled and deleted with it.
 */
package org.retinasynth.jobs;
