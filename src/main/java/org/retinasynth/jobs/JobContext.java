package org.retinasynth.jobs;

import tools.jackson.databind.ObjectMapper;

/** What a job's body may do to its own row while it runs. */
public final class JobContext {

    private final Job job;
    private final String worker;
    private final JobStore store;
    private final ObjectMapper json;
    private final long startedNanos = System.nanoTime();

    JobContext(Job job, String worker, JobStore store, ObjectMapper json) {
        this.job = job;
        this.worker = worker;
        this.store = store;
        this.json = json;
    }

    /** The spec of a kind that keeps it on the common row, as that kind's record. */
    public <T> T spec(Class<T> type) {
        return json.readValue(job.spec(), type);
    }

    /** Stores the result of a kind that keeps it on the common row. */
    public void result(Object result) {
        store.result(job.id(), json.writeValueAsString(result));
    }

    /** The job as it was loaded for this attempt. */
    public Job job() {
        return job;
    }

    public String id() {
        return job.id();
    }

    public String worker() {
        return worker;
    }

    /** System.nanoTime() when this attempt began. */
    public long startedNanos() {
        return startedNanos;
    }

    /**
     * Marks this attempt RUNNING on {@code device}; false if the job ended meanwhile (cancelled,
     * or finished by another worker), in which case the body returns without doing anything.
     *
     * @param total the size of the job in its progress unit, if known now
     */
    public boolean start(String device, Long total) {
        return store.markStarted(job.id(), device, worker, total);
    }

    public void progress(Progress p) {
        store.progress(job.id(), p);
    }

    public boolean cancelRequested() {
        return store.cancelRequested(job.id());
    }

    /** Unwinds the body to CANCELLED if the owner asked for it. */
    public void checkCancelled() {
        if (cancelRequested()) {
            throw new JobCancelled();
        }
    }
}
