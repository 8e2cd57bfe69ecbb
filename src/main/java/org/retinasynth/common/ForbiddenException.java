package org.retinasynth.common;

/** The key is valid but its owner may not do this (HTTP 403), e.g. a non-admin managing keys. */
public class ForbiddenException extends RuntimeException {
    public ForbiddenException(String message) {
        super(message);
    }
}
