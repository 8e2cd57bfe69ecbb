package org.retinasynth.dataset;

import java.awt.Rectangle;
import java.time.OffsetDateTime;

/**
 * One stored image: the original bytes and the preprocessed working-size PNG are blobs keyed by
 * sha256; the field-of-view box is kept so the crop can be audited against the original.
 * {@code patient} and {@code eye} (left/right) are null when the upload did not name them.
 */
public record DatasetImage(String id, String datasetId, String uploadId, String filename, int grade, Split split,
                           boolean splitGiven, String quality, String device, String patient, String eye,
                           String originalSha256,
                           String originalFormat, long originalBytes, int width, int height, Rectangle fieldOfView,
                           String processedSha256, ImageQuality imageQuality, OffsetDateTime createdAt) {
}
