package org.retinasynth.gc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.retinasynth.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mark and sweep over the blob store. A blob is deleted only if (1) no row named it when the
 * sweep marked, (2) it was last written or re-put before {@code start - grace}, (3) no key column
 * names it just before the delete, and (4) the store still finds it that old as it deletes.
 *
 * <p>Why that loses nothing live: a row names a blob only after the blob was put, and a put makes
 * the blob new (a re-put of bytes already stored touches them). A row the mark did not see was
 * committed after the sweep started, so its blob was put less than the grace period before the
 * sweep started (the grace outlasts any put-to-commit gap) and (2) or (4) keeps it. A row that
 * copies a key without putting it (a generation naming its model) copies it from a row that was
 * committed when it was read; the mark saw that one, or (3) sees the copy. The cutoff is taken
 * before the mark for exactly this reason. A sweep killed at any point has only deleted blobs
 * that passed all four, so a kill loses nothing referenced; the next sweep simply starts again.
 */
class BlobCollector {

    private static final Logger log = LoggerFactory.getLogger(BlobCollector.class);

    private final BlobStore blobs;
    private final BlobReferences references;
    private final Clock clock;

    BlobCollector(BlobStore blobs, BlobReferences references, Clock clock) {
        this.blobs = blobs;
        this.references = references;
        this.clock = clock;
    }

    GcReport sweep(boolean dryRun, Duration grace) {
        Instant started = clock.instant();
        Instant cutoff = started.minus(grace);
        long t0 = System.nanoTime();
        KeySet marked = references.mark();
        long scanned = 0;
        long scannedBytes = 0;
        long referenced = 0;
        long young = 0;
        long candidates = 0;
        long candidateBytes = 0;
        long deleted = 0;
        long freed = 0;
        try (Stream<BlobStore.StoredBlob> listed = blobs.list()) {
            for (var it = listed.iterator(); it.hasNext(); ) {
                BlobStore.StoredBlob b = it.next();
                scanned++;
                scannedBytes += b.bytes();
                if (marked.contains(b.sha256())) {
                    referenced++;
                } else if (!b.lastModified().isBefore(cutoff)) {
                    young++;
                } else {
                    candidates++;
                    candidateBytes += b.bytes();
                    if (!dryRun && !references.isReferenced(b.sha256()) && blobs.deleteIfOlderThan(b.sha256(), cutoff)) {
                        deleted++;
                        freed += b.bytes();
                    }
                }
            }
        }
        GcReport report = new GcReport(dryRun, grace.toSeconds(), scanned, scannedBytes, referenced, young,
                candidates, candidateBytes, deleted, freed, started, (System.nanoTime() - t0) / 1_000_000);
        log.info("blob gc{}: {} blobs ({} bytes) scanned, {} referenced ({} keys marked), {} kept as younger than "
                        + "{}, {} candidates ({} bytes), {} deleted ({} bytes) in {} ms", dryRun ? " (dry run)" : "",
                scanned, scannedBytes, referenced, marked.size(), young, grace, candidates, candidateBytes, deleted,
                freed, report.durationMs());
        return report;
    }
}
