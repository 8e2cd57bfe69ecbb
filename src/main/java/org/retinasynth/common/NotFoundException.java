package org.retinasynth.common;

/**
 * The resource does not exist <em>for this owner</em>: another owner's resource is reported the
 * same way, so that ids cannot be probed.
 */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String what, String id) {
        super(what + " '" + id + "' was not found");
    }
}
