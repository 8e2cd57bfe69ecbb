package org.retinasynth.common;

/** The request is valid but clashes with the resource's current state (HTTP 409). */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
