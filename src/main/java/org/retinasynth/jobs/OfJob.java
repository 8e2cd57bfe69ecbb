package org.retinasynth.jobs;

/** A kind's record of one job: the common row plus the kind's own; reads the common part alike. */
public interface OfJob {

    Job job();

    default String id() {
        return job().id();
    }

    default String ownerId() {
        return job().ownerId();
    }

    default JobState state() {
        return job().state();
    }

    default String error() {
        return job().error();
    }
}
