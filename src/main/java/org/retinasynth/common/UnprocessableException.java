package org.retinasynth.common;

import java.util.Map;

/**
 * A well-formed request the service refuses on what it refers to (answered 422): {@code code}
 * names the rule for clients to branch on, {@code details} carries what broke it (extra
 * problem members, e.g. the overlapping images).
 */
public class UnprocessableException extends RuntimeException {

    private final String code;
    private final Map<String, Object> details;

    public UnprocessableException(String code, String message, Map<String, Object> details) {
        super(message);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }
}
