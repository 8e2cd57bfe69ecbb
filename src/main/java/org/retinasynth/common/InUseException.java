package org.retinasynth.common;

import java.util.List;

/**
 * A delete refused because unfinished jobs still need the resource (HTTP 409); the answer names
 * them, so the caller can cancel them or ask again with {@code cascade=true}.
 */
public class InUseException extends ConflictException {

    /** A job that needs the resource, as the answer names it. */
    public record Dependant(String id, String kind, String state) {
    }

    private final List<Dependant> dependants;

    public InUseException(String message, List<Dependant> dependants) {
        super(message);
        this.dependants = List.copyOf(dependants);
    }

    public List<Dependant> dependants() {
        return dependants;
    }
}
