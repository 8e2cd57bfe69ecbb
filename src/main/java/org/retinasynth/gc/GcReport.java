package org.retinasynth.gc;

import java.time.Instant;

/**
 * What one sweep found and did. Every listed blob is counted once as referenced, younger than the
 * grace period, or a candidate; a dry run deletes no candidate, a sweep deletes those still
 * unreferenced and still old when it comes to them.
 *
 * @param scanned              blobs listed in the store
 * @param scannedBytes         their bytes
 * @param referenced           listed blobs some row (or a study report) names
 * @param youngerThanGraceKept unreferenced blobs kept because they were written within the grace period
 * @param candidates           unreferenced blobs older than the grace period
 * @param candidateBytes       their bytes: what a sweep would free
 * @param deleted              candidates deleted (0 in a dry run)
 * @param bytesFreed           their bytes
 */
public record GcReport(boolean dryRun, long graceSeconds, long scanned, long scannedBytes, long referenced,
                       long youngerThanGraceKept, long candidates, long candidateBytes, long deleted,
                       long bytesFreed, Instant startedAt, long durationMs) {
}
