package org.retinasynth.jobs;

import java.util.List;

/**
 * One kind of background job (training, generation, study). Each kind is a db-scheduler task of
 * its own name; the handler owns the job's state in its own table.
 */
public interface JobHandler {

    /** The task name in {@code scheduled_tasks}; stable across releases. */
    String kind();

    /**
     * Runs (or resumes) the job on this worker. Called again for the same id after the worker
     * that had it died, so it must pick up from whatever the job last saved.
     */
    void run(String jobId, String worker);

    /** Ids of jobs not yet finished, re-enqueued at start-up in case a crash stranded them. */
    List<String> unfinishedIds();
}
