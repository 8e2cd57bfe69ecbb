package org.retinasynth.common;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one content hash of the service: blob keys, API-key digests and dataset fingerprints all use
 * it, so a value computed in one place can be compared with one computed in another.
 */
public final class ContentHash {

    private ContentHash() {
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
