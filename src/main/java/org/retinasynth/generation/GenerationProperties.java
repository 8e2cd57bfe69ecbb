package org.retinasynth.generation;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param syncMaxImages   requests up to this many images are answered at once (201); larger ones
 *                        run as jobs (202)
 * @param maxImages       the most images one request may ask for
 * @param chunkSize       images per chunk; each chunk has its own seed and is stored as one unit, so
 *                        a resumed job continues after its last stored chunk with identical images.
 *                        Changing it changes which images a seed gives.
 * @param modelCacheSize  loaded models kept in memory for denoise / encode / small requests
 */
@ConfigurationProperties("retinasynth.generation")
public record GenerationProperties(@DefaultValue("256") int syncMaxImages,
                                   @DefaultValue("50000") int maxImages,
                                   @DefaultValue("64") int chunkSize,
                                   @DefaultValue("4") int modelCacheSize) {
}
