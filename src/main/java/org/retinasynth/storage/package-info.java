/**
 * Where bytes live. {@link org.retinasynth.storage.BlobStore} keeps image and artifact bytes by
 * their sha256, written atomically so that a crash never leaves a referenced half-written file;
 * metadata lives in the relational database, owned by the capability that uses it. Two backends
 * share one key layout: {@link org.retinasynth.storage.LocalBlobStore} (default) and {@link
 * org.retinasynth.storage.S3BlobStore} ({@code retinasynth.storage.type=s3}), for instances on
 * different nodes.
 */
package org.retinasynth.storage;
