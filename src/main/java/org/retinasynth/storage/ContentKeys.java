package org.retinasynth.storage;

import java.util.regex.Pattern;

/** The one layout both backends share: {@code ab/cd/abcd…}, so a store can move between them as is. */
final class ContentKeys {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private ContentKeys() {
    }

    static boolean isKey(String s) {
        return s != null && SHA256.matcher(s).matches();
    }

    /** Relative path of a blob; refuses anything but a hash so no key can escape the store. */
    static String relativePath(String sha256) {
        if (!isKey(sha256)) {
            throw new IllegalArgumentException("not a sha256 key: " + sha256);
        }
        return sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256;
    }
}
