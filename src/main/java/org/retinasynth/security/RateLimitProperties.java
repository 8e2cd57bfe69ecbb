package org.retinasynth.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Requests per API key: a burst of {@code requests}, refilled evenly over {@code period}. The
 * buckets live in each instance's memory, so N API instances behind a load balancer allow up to N
 * times this per key; to share one limit, give Bucket4j a shared backend (its JDBC or Redis
 * proxy manager) in {@link RateLimiter}.
 */
@ConfigurationProperties("retinasynth.rate-limit")
public record RateLimitProperties(@DefaultValue("true") boolean enabled,
                                  @DefaultValue("10000") long requests,
                                  @DefaultValue("10s") Duration period) {
}
