package org.retinasynth.model;

/**
 * A training step produced a NaN or infinite loss and was rolled back: parameters, BatchNorm
 * running averages and optimiser state are as before the step, so the caller may skip the batch.
 */
public class NonFiniteLossException extends IllegalStateException {

    NonFiniteLossException(String message) {
        super(message);
    }
}
