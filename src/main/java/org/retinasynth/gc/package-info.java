/**
 * Blob garbage collection: a mark over every place the database names a blob ({@link
 * org.retinasynth.gc.BlobReferences}), then a sweep over the blob store that deletes only blobs
 * unreferenced and older than a grace period. Scheduled sweeps run as a db-scheduler recurring task,
 * so one instance at a time; reports go to {@code blob_gc_runs} and the metrics registry.
 */
package org.retinasynth.gc;
