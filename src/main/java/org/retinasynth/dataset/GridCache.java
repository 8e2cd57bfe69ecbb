package org.retinasynth.dataset;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.springframework.stereotype.Component;

/**
 * Rendered sample grids, keyed by the exact blobs they show. Rendering decodes and re-encodes up to
 * a few hundred PNGs, the costliest thing a read endpoint does, and people (and dashboards) fetch
 * the same grid again and again while a job runs next to them. The key names every image by its
 * sha256, so a grid whose images changed is a different key and a cached one is never stale.
 */
@Component
public class GridCache {

    private record Key(List<String> labels, List<List<String>> blobs, int cellSize) {
    }

    private final Cache<Key, byte[]> cache = Caffeine.newBuilder()
            .maximumWeight(64L << 20)
            .<Key, byte[]>weigher((k, png) -> png.length)
            .recordStats()
            .build();

    GridCache(MeterRegistry meters) {
        CaffeineCacheMetrics.monitor(meters, cache, "sample-grids");
    }

    /**
     * The grid PNG of these rows of blobs, rendered on a miss.
     *
     * @param blob loads a blob's bytes by its sha256
     */
    public byte[] png(List<String> rowLabels, List<List<String>> rows, int cellSize, Function<String, byte[]> blob) {
        Key key = new Key(List.copyOf(rowLabels), rows.stream().map(List::copyOf).toList(), cellSize);
        return cache.get(key, k -> {
            List<List<BufferedImage>> images = new ArrayList<>();
            for (List<String> row : k.blobs()) {
                List<BufferedImage> decoded = new ArrayList<>(row.size());
                for (String sha : row) {
                    decoded.add(read(blob.apply(sha)));
                }
                images.add(decoded);
            }
            return SampleGrid.png(SampleGrid.render(k.labels(), images, k.cellSize()));
        });
    }

    private static BufferedImage read(byte[] png) {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
