package org.retinasynth.jobs;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Whether this instance runs jobs at all is its {@link org.retinasynth.common.Role}.
 *
 * @param workers          jobs run at once by this instance (one per device by default)
 * @param heartbeatSeconds a worker that misses {@code missedHeartbeats} beats is presumed dead and
 *                         its job is taken up again by any live instance
 */
@ConfigurationProperties("retinasynth.jobs")
public record JobProperties(@DefaultValue("1") int workers,
                            @DefaultValue("5") int heartbeatSeconds,
                            @DefaultValue("4") int missedHeartbeats,
                            @DefaultValue("1") int pollSeconds) {
}
