/**
 * Per-owner quotas (stored bytes, images, queued and running jobs, images per generation) and
 * what each owner uses now. Defaults come from configuration; an admin may set an owner's own.
 * Every check happens before anything is stored.
 */
package org.retinasynth.quota;
