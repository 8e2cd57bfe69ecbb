package org.retinasynth.security;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * One token bucket per API key (Bucket4j), in this instance's memory. Only authenticated keys get
 * a bucket, so the map grows with the issued keys, not with whatever a client sends.
 */
@Component
public class RateLimiter {

    /** The outcome of one request, with what the RateLimit headers report. */
    public record Decision(boolean allowed, long limit, long remaining, long windowSeconds, long resetSeconds,
                           long retryAfterSeconds) {
    }

    private final RateLimitProperties properties;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(RateLimitProperties properties) {
        this.properties = properties;
    }

    public boolean enabled() {
        return properties.enabled();
    }

    /** Takes one request from the bucket of {@code keyHash}. */
    public Decision take(String keyHash) {
        ConsumptionProbe probe = buckets.computeIfAbsent(keyHash, k -> Bucket.builder()
                        .addLimit(l -> l.capacity(properties.requests()).refillGreedy(properties.requests(), properties.period()))
                        .build())
                .tryConsumeAndReturnRemaining(1);
        return new Decision(probe.isConsumed(), properties.requests(), probe.getRemainingTokens(),
                Math.max(1, properties.period().toSeconds()), seconds(probe.getNanosToWaitForReset()),
                probe.isConsumed() ? 0 : Math.max(1, seconds(probe.getNanosToWaitForRefill())));
    }

    private static long seconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
