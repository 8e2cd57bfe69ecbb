package org.retinasynth.storage;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Content-addressed byte store: the key of a blob is the lowercase hex sha256 of its bytes, so
 * identical uploads share one copy and a key can never point at different content.
 */
public interface BlobStore {

    /** A blob as listed: its key, its size and when it was last written or re-put. */
    record StoredBlob(String sha256, long bytes, Instant lastModified) {
    }

    /**
     * Stores the bytes (idempotent) and returns their sha256. Putting bytes already stored makes the
     * blob's last-modified time now, so a garbage collection does not take a blob that an upload or
     * job is about to name again as unreferenced for longer than its grace period.
     */
    String put(byte[] bytes);

    /**
     * Stores many blobs at once and returns their keys in the same order. The writes overlap on a
     * pool of I/O threads, because each one mostly waits for its own fsync or network round trip.
     */
    default List<String> putAll(List<byte[]> blobs) {
        return joinAll(blobs.stream().map(this::putLater).toList());
    }

    /** {@link #put} on the pool of I/O threads, for a caller with other work to do meanwhile. */
    default CompletableFuture<String> putLater(byte[] bytes) {
        return CompletableFuture.supplyAsync(() -> put(bytes), BlobWrites.POOL);
    }

    /** Waits for every write; on the first failure cancels those not yet started and rethrows it. */
    static List<String> joinAll(List<CompletableFuture<String>> futures) {
        try {
            return futures.stream().map(CompletableFuture::join).toList();
        } catch (java.util.concurrent.CompletionException e) {
            futures.forEach(f -> f.cancel(false));
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    Optional<byte[]> get(String sha256);

    InputStream open(String sha256);

    boolean exists(String sha256);

    /** Removes a blob no longer referenced; absent blobs are ignored. */
    void delete(String sha256);

    /** Every stored blob, in no particular order; close the stream when done. */
    Stream<StoredBlob> list();

    /**
     * Deletes the blob only if it was last written or re-put before {@code cutoff}: the garbage
     * collector's delete, which must lose to a writer putting the same bytes meanwhile. Returns
     * whether it deleted the blob.
     */
    boolean deleteIfOlderThan(String sha256, Instant cutoff);

    /** Bytes currently stored, for metrics and tests. */
    long totalBytes();
}
