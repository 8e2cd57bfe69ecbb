package org.retinasynth.storage;

import java.io.InputStream;
import java.util.Optional;

/**
 * Content-addressed byte store: the key of a blob is the lowercase hex sha256 of its bytes, so
 * identical uploads share one copy and a key can never point at different content.
 */
public interface BlobStore {

    /** Stores the bytes (idempotent) and returns their sha256. */
    String put(byte[] bytes);

    Optional<byte[]> get(String sha256);

    InputStream open(String sha256);

    boolean exists(String sha256);

    /** Removes a blob no longer referenced; absent blobs are ignored. */
    void delete(String sha256);

    /** Bytes currently stored, for metrics and tests. */
    long totalBytes();
}
