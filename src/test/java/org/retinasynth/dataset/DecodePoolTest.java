package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.retinasynth.common.Role;
import org.retinasynth.common.RoleProperties;

class DecodePoolTest {

    @Test
    void concurrentUploadsShareTheBoundedThreadsAndKeepTheirOrder() throws Exception {
        DecodePool pool = new DecodePool(new DecodePool.Properties(2), new RoleProperties(Role.ALL));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Integer> items = IntStream.range(0, 40).boxed().toList();
        try {
            List<CompletableFuture<List<Integer>>> uploads = IntStream.range(0, 4)
                    .mapToObj(u -> CompletableFuture.supplyAsync(() -> pool.map(items, i -> {
                        most.accumulateAndGet(running.incrementAndGet(), Math::max);
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        running.decrementAndGet();
                        return i * 10;
                    }))).toList();
            for (CompletableFuture<List<Integer>> upload : uploads) {
                assertThat(upload.get()).isEqualTo(items.stream().map(i -> i * 10).toList());
            }
        } finally {
            pool.destroy();
        }
        assertThat(most.get()).as("decodes at once across four uploads").isLessThanOrEqualTo(2);
    }

    @Test
    void aRefusalInsideTheWorkReachesTheUploadAsItself() {
        DecodePool pool = new DecodePool(new DecodePool.Properties(null), new RoleProperties(Role.API));
        try {
            assertThatThrownBy(() -> pool.map(List.of(1, 2, 3), i -> {
                if (i == 2) {
                    throw new InputRejectedException(InputRejectedException.Kind.TOO_LARGE, "bomb");
                }
                return i;
            })).isInstanceOf(InputRejectedException.class).hasMessageContaining("bomb");
        } finally {
            pool.destroy();
        }
    }
}
