package org.retinasynth.jobs;

import java.time.Duration;

/**
 * Housekeeping that the whole service does once per {@link #interval()}, on one instance at a time:
 * a bean of this type becomes a db-scheduler recurring task on every worker-role instance, and
 * db-scheduler's row in {@code scheduled_tasks} lets exactly one of them pick each execution (an
 * execution whose instance dies is taken up again by another once its heartbeats stop).
 */
public interface PeriodicTask {

    /** Task name in {@code scheduled_tasks}; also what {@link JobQueue#runNow} takes. */
    String name();

    /** Time from the end of one run to the start of the next; the first run is one interval after start-up. */
    Duration interval();

    void run();
}
