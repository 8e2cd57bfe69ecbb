package org.retinasynth.storage;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Content-addressed byte store: the key of a blob is the lowercase hex sha256 of its bytes, so
 * identical uploads share one copy and a key can never point at different content.
 */
public interface BlobStore {

    /** Stores the bytes (idempotent) and returns their sha256. */
    String put(byte[] bytes);

    /**
     * Stores many blobs at once and returns their keys in the same order. The writes overlap on a
     * pool of I/O threads, because each one mostly waits for its own fsync or network round trip.
     */
    default List<String> putAll(List<byte[]> blobs) {
        List<CompletableFuture<String>> futures = blobs.stream()
                .map(b -> CompletableFuture.supplyAsync(() -> put(b), BlobWrites.POOL))
                .toList();
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

    /** Bytes currently stored, for metrics and tests. */
    long totalBytes();
}
