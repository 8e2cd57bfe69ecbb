package org.retinasynth.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * The life cycle every kind of job shares, in one place: load the row, end it if it was cancelled
 * before it started, run the kind's body, and record how it ended. Workers call it for queued
 * executions; a small generation calls it in the request thread.
 */
@Component
public class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final JobStore store;
    private final JobQueue queue;
    private final ObjectMapper json;

    JobRunner(JobStore store, JobQueue queue, ObjectMapper json) {
        this.store = store;
        this.queue = queue;
        this.json = json;
    }

    /** Runs one attempt; true when the job has ended (or is gone), false when it waits on its units. */
    public boolean execute(JobKind kind, String id, String worker) {
        return execute(kind, id, worker, false);
    }

    /**
     * The same for an execution a worker took off the queue: a job it takes while still QUEUED
     * leaves its owner's queue, and the owner's later jobs move up a place.
     */
    boolean executeQueued(JobKind kind, String id, String worker) {
        return execute(kind, id, worker, true);
    }

    private boolean execute(JobKind kind, String id, String worker, boolean fromQueue) {
        Job job = store.find(id).orElse(null);
        if (job == null || job.state().finished()) {
            return true;
        }
        if (fromQueue && job.state() == JobState.QUEUED) {
            queue.left(id);
        }
        if (job.cancelRequested()) {
            store.move(id, JobState.CANCELLED, job.state() == JobState.QUEUED ? "cancelled before it started"
                    : "cancelled by the owner");
            return true;
        }
        try {
            if (kind.run(new JobContext(job, worker, store, json)) == JobKind.Outcome.WAITING) {
                return false;
            }
            store.move(id, JobState.SUCCEEDED, null);
        } catch (JobCancelled c) {
            store.move(id, JobState.CANCELLED, "cancelled by the owner");
        } catch (RuntimeException | Error e) {
            // a job cancelled because what it reads was deleted (cascade) may trip over the gap
            // before its next check: the owner asked it to stop, so that is how it ends
            if (store.cancelRequested(id)) {
                store.move(id, JobState.CANCELLED, "cancelled by the owner");
                return true;
            }
            log.warn("{} {} failed", kind.type().noun(), id, e);
            store.move(id, JobState.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return true;
    }
}
