/**
 * What every capability shares: the exceptions the API edge maps to problem+json statuses, the
 * {@link org.retinasynth.common.Role} an instance runs as, and {@link
 * org.retinasynth.common.ContentHash}, the one hash behind blob keys, API-key digests and dataset
 * fingerprints.
 */
package org.retinasynth.common;
