package org.retinasynth.jobs;

/** What a job's body may do to its own row while it runs. */
public final class JobContext {

    private final Job job;
    private final String worker;
    private final JobStore store;
    private final long startedNanos = System.nanoTime();

    JobContext(Job job, String worker, JobStore store) {
        this.job = job;
        this.worker = worker;
        this.store = store;
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
