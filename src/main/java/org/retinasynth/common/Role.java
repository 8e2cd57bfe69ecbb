package org.retinasynth.common;

/**
 * What one instance of the application does. Every role shares the same database and blob store,
 * so any number of instances of each may run on any hosts.
 */
public enum Role {
    /** Serves the HTTP API and queues jobs, but never runs one (no GPU needed). */
    API,
    /** Runs training, generation and study jobs; serves only Actuator health and metrics. */
    WORKER,
    /** Both: the single-process default for a workstation. */
    ALL;

    public boolean runsJobs() {
        return this != API;
    }

    public boolean servesApi() {
        return this != WORKER;
    }

    /**
     * Threads for one kind of heavy work (libtorch ops, upload decoding): the configured number, or
     * every core, but one core fewer in role {@code ALL}, where API requests and jobs share the
     * machine and each kind must leave the other a core.
     */
    public int workThreads(Integer configured, int cores) {
        if (configured != null) {
            return Math.max(1, configured);
        }
        return this == ALL ? Math.max(1, cores - 1) : cores;
    }
}
