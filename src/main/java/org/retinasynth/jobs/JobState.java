package org.retinasynth.jobs;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Where a job stands, and the one table of moves between states that every kind of job obeys.
 * The store turns {@link #sourcesOf} into the guard of each update, so two workers (or a worker
 * and a cancelling owner) racing on one job can never move it twice or out of a final state.
 */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /**
     * QUEUED may start, end without starting (cancelled, or failed before its first step) and
     * RUNNING may be taken up again by another worker after a crash, or end; an ended job stays.
     */
    public Set<JobState> next() {
        return switch (this) {
            case QUEUED -> EnumSet.of(RUNNING, CANCELLED, FAILED);
            case RUNNING -> EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED);
            case SUCCEEDED, FAILED, CANCELLED -> EnumSet.noneOf(JobState.class);
        };
    }

    public boolean canMoveTo(JobState target) {
        return next().contains(target);
    }

    /** The states a job may be in for a move to {@code target} to be allowed. */
    public static List<JobState> sourcesOf(JobState target) {
        return Arrays.stream(values()).filter(s -> s.canMoveTo(target)).toList();
    }
}
