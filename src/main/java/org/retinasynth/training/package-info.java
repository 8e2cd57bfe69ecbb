/**
 * The training-job kind: the validated spec, its own table (epoch history, checkpoint, model),
 * {@code VaeTrainer} (a VAE / DVAE's part in the shared training loop), per-epoch checkpoints, and
 * the pictures a researcher looks at (loss curves, reconstructions). The job's life cycle, queue
 * and crash recovery are the job core's; its bytes live in the blob store, so any worker can resume
 * it from the last checkpoint.
 */
package org.retinasynth.training;
