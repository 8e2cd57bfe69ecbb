package org.retinasynth.study;

import java.time.OffsetDateTime;
import org.retinasynth.jobs.Job;
import org.retinasynth.jobs.OfJob;

/**
 * A study: the common job row (progress in units), its spec, and the report once it SUCCEEDED.
 * Its units (a generative model, an arm × seed classifier) are child jobs of their own.
 */
public record Study(Job job, String datasetId, StudySpec spec, String reportSha256) implements OfJob {

    public int attempts() {
        return job.attempts();
    }

    public String device() {
        return job.device();
    }

    public String worker() {
        return job.worker();
    }

    public OffsetDateTime startedAt() {
        return job.startedAt();
    }
}
