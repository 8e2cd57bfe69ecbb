package org.retinasynth.dataset;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import org.retinasynth.common.RoleProperties;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * The threads every upload decodes and preprocesses on, shared by all uploads at once. Parallel
 * streams on the common pool let each of many concurrent uploads take every core; bounded here,
 * uploads queue for decode threads instead, and when the API and the jobs share one process a
 * core stays for the training step (libtorch gets the others, see {@code TorchThreads}).
 */
@Component
class DecodePool implements DisposableBean {

    /**
     * @param decodeThreads threads for decoding uploads; null = all cores for role {@code api},
     *                      all cores but one for role {@code all}
     */
    @ConfigurationProperties("retinasynth.ingest")
    record Properties(Integer decodeThreads) {
    }

    private final ForkJoinPool pool;

    DecodePool(Properties properties, RoleProperties role) {
        this.pool = new ForkJoinPool(role.role().workThreads(properties.decodeThreads(),
                Runtime.getRuntime().availableProcessors()));
    }

    /** Maps every item on the pool, in order; a parallel stream started inside a pool stays in it. */
    <T, R> List<R> map(List<T> items, Function<T, R> work) {
        try {
            return pool.submit(() -> items.parallelStream().map(work).toList()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding an upload", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void destroy() {
        pool.shutdownNow();
    }
}
