package org.retinasynth.dataset;

/**
 * Raised when uploaded input cannot be accepted. The {@link Kind} decides the HTTP status at the
 * API edge; the message is shown to the user, so it names the file and the rule that was broken.
 */
public class InputRejectedException extends RuntimeException {

    public enum Kind {
        /** Syntactically broken input: corrupt image, truncated archive, bad CSV. */
        MALFORMED,
        /** Over a configured limit: bytes, pixels, entries, expansion ratio. */
        TOO_LARGE,
        /** Not a format we read (checked by content, never by extension alone). */
        UNSUPPORTED_TYPE,
        /** Labels that do not fit the dataset: unknown grade, missing file, duplicate. */
        BAD_LABELS,
        /** Hostile structure: path traversal, absolute paths, nested archives, pickled objects. */
        UNSAFE
    }

    private final Kind kind;

    public InputRejectedException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public InputRejectedException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
