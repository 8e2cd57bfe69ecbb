package org.retinasynth.storage;

/** The store could not read or write; the API answers 507/500 and nothing referenced is torn. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
