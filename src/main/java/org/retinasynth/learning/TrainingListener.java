package org.retinasynth.learning;

/**
 * Hooks into a {@link TrainingLoop}, called in the order the listeners were given; all optional.
 * To stop training early call {@link LoopState#stop()}; to cancel, throw.
 */
public interface TrainingListener {

    /** Before the first batch of an epoch: set the epoch's hyper-parameters here. */
    default void onEpochStart(LoopState state) {
    }

    /**
     * A step was rolled back because its loss was not finite.
     *
     * @return true to skip the batch and go on; if no listener says so, the exception ends training
     */
    default boolean onNonFiniteStep(LoopState state, int batch, RuntimeException e) {
        return false;
    }

    /** After every successful step with its loss terms (the first is the loss). */
    default void afterStep(LoopState state, int batch, double[] terms) {
    }

    /** After an epoch's validation with its score (lower is better). */
    default void onEpochEnd(LoopState state, double score) {
    }

    /** Once, after the last epoch ran or a listener stopped training (not when it failed). */
    default void onTrainingEnd(LoopState state) {
    }
}
