package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GridCacheTest {

    private final Map<String, byte[]> store = new HashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final Function<String, byte[]> blob = sha -> {
        reads.incrementAndGet();
        return store.get(sha);
    };

    GridCacheTest() {
        PhantomGenerator phantoms = new PhantomGenerator(3);
        for (int i = 0; i < 4; i++) {
            store.put("s" + i, SampleGrid.png(phantoms.render(i % 5, 32)));
        }
    }

    @Test
    void theSameImagesRenderOnceAndOtherImagesRenderAnew() {
        GridCache cache = new GridCache(new SimpleMeterRegistry());
        List<String> labels = List.of("0 No DR", "1 Mild");
        byte[] first = cache.png(labels, List.of(List.of("s0", "s1"), List.of("s2")), 64, blob);
        assertThat(reads.get()).isEqualTo(3);

        byte[] again = cache.png(labels, List.of(List.of("s0", "s1"), List.of("s2")), 64, blob);
        assertThat(again).isEqualTo(first);
        assertThat(reads.get()).as("a hit reads no blob").isEqualTo(3);

        byte[] grown = cache.png(labels, List.of(List.of("s0", "s1"), List.of("s2", "s3")), 64, blob);
        assertThat(reads.get()).as("a new image in a row is a miss").isEqualTo(7);
        assertThat(grown).isNotEqualTo(first);

        cache.png(labels, List.of(List.of("s0", "s1"), List.of("s2")), 96, blob);
        assertThat(reads.get()).as("another cell size is a miss").isEqualTo(10);
    }
}
