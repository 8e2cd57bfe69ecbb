package org.retinasynth.learning;

import java.util.function.BooleanSupplier;

/**
 * Unwinds a {@link TrainingLoop} whose owner asked to stop. No stack trace: it is control flow.
 * The job layer, which has its own cancellation type, passes a check that throws that one instead.
 */
public final class TrainingCancelled extends RuntimeException {

    public TrainingCancelled() {
        super("cancelled", null, false, false);
    }

    /** A check for {@link TrainingLoop#run} that throws this when {@code cancelled} says so. */
    public static Runnable when(BooleanSupplier cancelled) {
        return () -> {
            if (cancelled.getAsBoolean()) {
                throw new TrainingCancelled();
            }
        };
    }
}
