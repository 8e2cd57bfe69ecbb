/**
 * Training jobs: the validated spec, the persistent queue (db-scheduler over the same database),
 * the worker loop with per-epoch checkpoints, progress and loss history, and the pictures a
 * researcher looks at (loss curves, reconstructions). A job's state lives in the database and its
 * bytes in the blob store, so any worker can resume it from the last checkpoint.
 */
package org.retinasynth.training;
