package org.retinasynth.dataset;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits checked before any expensive work (decoding, inflating) so that a hostile upload costs
 * us little. Defaults fit full-size fundus photographs (up to ~25 MP) with room to spare.
 *
 * @param maxImagePixels     width x height read from the header, checked before decoding
 * @param maxImageBytes      bytes of one encoded image
 * @param maxArchiveEntries  entries in one ZIP or NPZ
 * @param maxArchiveBytes    total uncompressed bytes of one ZIP or NPZ
 * @param maxCompressionRatio uncompressed / compressed, per entry and overall
 */
@ConfigurationProperties("retinasynth.upload")
public record UploadLimits(
        @DefaultValue("40000000") long maxImagePixels,
        @DefaultValue("67108864") long maxImageBytes,
        @DefaultValue("20000") int maxArchiveEntries,
        @DefaultValue("2147483648") long maxArchiveBytes,
        @DefaultValue("100") double maxCompressionRatio) {

    public static UploadLimits defaults() {
        return new UploadLimits(40_000_000L, 64L << 20, 20_000, 2L << 30, 100);
    }
}
