/**
 * One training loop for every model (epochs, batches, a step, validation per epoch) and the
 * listeners that shape it: learning-rate schedule, KL warm-up, early stopping, the policy for
 * rolled-back non-finite steps, progress and cancellation. Speaks plain Java: models are reached
 * through {@code org.retinasynth.model}, data through arrays; persistence (checkpoints, history rows)
 * is a listener the job layer supplies.
 */
package org.retinasynth.learning;
