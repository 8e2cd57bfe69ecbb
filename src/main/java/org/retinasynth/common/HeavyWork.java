package org.retinasynth.common;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.stereotype.Component;

/**
 * Admits only a few CPU-heavy requests (storing an upload, rendering a picture) at once; the rest
 * wait their turn, first come first served. Fifty clients uploading would otherwise each get a
 * thread and share the cores with a training step as equals: a job on the same node then ran at
 * 0.12 of its idle speed. Cheap requests (job status, lists) never wait here. Callers take a
 * turn only once the request body has arrived, so a slow client does not hold one.
 */
@Component
public class HeavyWork {

    /**
     * @param heavyRequests heavy requests processed at once; null = all cores for role
     *                      {@code api}, all cores but one for role {@code all}
     * @param waitSeconds   how long one waits for its turn before answering 503 with Retry-After
     */
    @ConfigurationProperties("retinasynth.api")
    public record Properties(Integer heavyRequests, @DefaultValue("60") int waitSeconds) {
    }

    /** No turn came within the wait; the API answers 503 with Retry-After. */
    public static class BusyException extends RuntimeException {
        BusyException(int seconds) {
            super("The service is busy with other uploads and renders (waited " + seconds + " s); try again shortly");
        }
    }

    private final Semaphore permits;
    private final int waitSeconds;

    public HeavyWork(Properties properties, RoleProperties role, MeterRegistry meters) {
        this.permits = new Semaphore(role.role().workThreads(properties.heavyRequests(),
                Runtime.getRuntime().availableProcessors()), true);
        this.waitSeconds = properties.waitSeconds();
        meters.gauge("retinasynth.api.heavy.waiting", permits, Semaphore::getQueueLength);
    }

    /** A turn taken; closing it gives it back. */
    public interface Turn extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for a turn, at most the configured seconds; the caller must close it. */
    public Turn take() {
        boolean admitted;
        try {
            admitted = permits.tryAcquire(waitSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            throw new BusyException(waitSeconds);
        }
        return permits::release;
    }

    /** Runs {@code work} in its turn. */
    public <T> T run(Supplier<T> work) {
        try (Turn turn = take()) {
            return work.get();
        }
    }
}
