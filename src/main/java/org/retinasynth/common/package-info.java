/** The few exceptions every capability raises and the API edge maps to problem+json statuses. */
package org.retinasynth.common;
