package org.retinasynth.jobs;

/**
 * The body of one kind of job; the {@link JobRunner} wraps it in the life cycle every kind shares
 * (load, cancelled-before-start, failure and cancellation handling, the final state).
 */
public interface JobKind {

    /** Whether the job has ended or waits (on its units) to be run again shortly. */
    enum Outcome { DONE, WAITING }

    JobType type();

    /**
     * Runs or resumes the job. Called again for the same job after the worker that had it died,
     * so it picks up from whatever the job last stored. Returning {@link Outcome#DONE} ends the
     * job as SUCCEEDED unless the body ended it already; throwing ends it FAILED, or CANCELLED for
     * {@link JobCancelled}.
     */
    Outcome run(JobContext job);
}
