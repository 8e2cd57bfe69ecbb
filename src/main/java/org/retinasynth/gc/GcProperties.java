package org.retinasynth.gc;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Blob garbage collection ({@code retinasynth.gc.*}).
 *
 * @param enabled  schedule a sweep every {@code interval} on one worker instance; when false only
 *                 dry runs from the admin endpoint happen
 * @param interval from the end of one scheduled sweep to the start of the next
 * @param grace    a blob written or re-put more recently than this is never deleted: it must exceed
 *                 the longest time between storing a blob and committing the row that names it
 *                 (an upload's whole batch, a job's checkpoint), which is seconds to minutes
 * @param keepRuns reports of past sweeps kept in the database
 */
@ConfigurationProperties("retinasynth.gc")
public record GcProperties(@DefaultValue("true") boolean enabled,
                           @DefaultValue("6h") Duration interval,
                           @DefaultValue("1h") Duration grace,
                           @DefaultValue("100") int keepRuns) {

    public GcProperties {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("retinasynth.gc.grace must not be negative");
        }
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("retinasynth.gc.interval must be positive");
        }
    }
}
