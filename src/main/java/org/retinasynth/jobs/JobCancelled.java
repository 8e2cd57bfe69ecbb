package org.retinasynth.jobs;

/**
 * Thrown inside a job's loop when its owner asked to cancel, to unwind to the CANCELLED state.
 * No stack trace: it is control flow, not an error.
 */
public final class JobCancelled extends RuntimeException {

    public JobCancelled() {
        super("cancelled", null, false, false);
    }
}
