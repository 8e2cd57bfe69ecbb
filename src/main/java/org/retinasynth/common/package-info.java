/**
 * What every capability shares: the exceptions the API edge maps to problem+json statuses, and the
 * {@link org.retinasynth.common.Role} an instance runs as.
 */
package org.retinasynth.common;
