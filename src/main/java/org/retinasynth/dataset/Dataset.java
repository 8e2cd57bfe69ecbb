package org.retinasynth.dataset;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A named collection of graded images of one owner, preprocessed to {@code workingSize}.
 * {@code splitSeed} and the fractions make the stratified split of unsplit uploads reproducible.
 */
public record Dataset(String id, String ownerId, String name, String description, int workingSize,
                      List<String> classNames, long splitSeed, double valFraction, double testFraction,
                      OffsetDateTime createdAt, long imageCount) {
}
