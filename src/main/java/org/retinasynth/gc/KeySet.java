package org.retinasynth.gc;

import java.util.Arrays;

/**
 * The marked (referenced) blob keys, each kept as its first 64 bits: 8 bytes a key rather than a
 * String of about 150, so that marking a store of millions of images takes megabytes. Two keys
 * sharing their first 64 bits would only keep an unreferenced blob, never delete a referenced one.
 */
final class KeySet {

    private long[] keys = new long[1024];
    private int size;
    private boolean sealed;

    /** Adds a 64-character lowercase hex key; anything else names no blob and is ignored. */
    void add(String sha256) {
        if (sealed) {
            throw new IllegalStateException("sealed");
        }
        if (sha256 == null || sha256.length() != 64) {
            return;
        }
        long p;
        try {
            p = prefix(sha256);
        } catch (NumberFormatException e) {
            return;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
        }
        keys[size++] = p;
    }

    /** Sorts and removes duplicates; after this only {@link #contains} and {@link #size}. */
    KeySet seal() {
        Arrays.sort(keys, 0, size);
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (n == 0 || keys[i] != keys[n - 1]) {
                keys[n++] = keys[i];
            }
        }
        size = n;
        sealed = true;
        return this;
    }

    boolean contains(String sha256) {
        if (!sealed) {
            throw new IllegalStateException("not sealed");
        }
        return Arrays.binarySearch(keys, 0, size, prefix(sha256)) >= 0;
    }

    /** Distinct keys (by their first 64 bits). */
    int size() {
        return size;
    }

    private static long prefix(String sha256) {
        return Long.parseUnsignedLong(sha256, 0, 16, 16);
    }
}
