package org.retinasynth.jobs;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param workers          jobs run at once by this instance (one per device by default)
 * @param enabled          false for an API-only instance that queues but never runs jobs
 * @param heartbeatSeconds a worker that misses {@code missedHeartbeats} beats is presumed dead and
 *                         its job is taken up again by any live instance
 */
@ConfigurationProperties("retinasynth.jobs")
public record JobProperties(@DefaultValue("1") int workers,
                            @DefaultValue("true") boolean enabled,
                            @DefaultValue("5") int heartbeatSeconds,
                            @DefaultValue("4") int missedHeartbeats,
                            @DefaultValue("1") int pollSeconds) {
}
