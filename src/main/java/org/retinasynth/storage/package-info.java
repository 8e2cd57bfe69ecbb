/**
 * Where bytes live. {@link org.retinasynth.storage.BlobStore} keeps image and artifact bytes by
 * their sha256, written atomically so that a crash never leaves a referenced half-written file;
 * metadata lives in the relational database, owned by the capability that uses it.
 */
package org.retinasynth.storage;
