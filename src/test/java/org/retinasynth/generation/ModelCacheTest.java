package org.retinasynth.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinasynth.model.VaeConfig;
import org.retinasynth.model.VaeModel;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.storage.LocalBlobStore;
import org.retinasynth.storage.StorageProperties;
import org.retinasynth.model.ModelRegistry;

class ModelCacheTest {

    @Test
    void keepsTheMostRecentModelsAndClosesEvictedOnesOnceUnused() throws Exception {
        BlobStore blobs = new LocalBlobStore(new StorageProperties(Files.createTempDirectory("cache-test")));
        List<String> shas = new ArrayList<>();
        for (int seed = 0; seed < 3; seed++) {
            try (VaeModel m = VaeModel.create(VaeConfig.defaults(28).withWidth(4, 4), seed, "cpu")) {
                shas.add(blobs.put(ModelRegistry.archive(m, null)));
            }
        }
        ModelCache cache = new ModelCache(blobs, new GenerationProperties(256, 1000, 64, 2));
        VaeModel first = cache.with(shas.get(0), m -> m);
        assertThat((Object) cache.with(shas.get(0), m -> m)).isSameAs(first);

        // evicted while in use: it stays open until the user is done with it
        VaeModel held = cache.with(shas.get(0), m -> {
            cache.with(shas.get(1), x -> x);
            cache.with(shas.get(2), x -> x);
            assertThat(cache.size()).isEqualTo(2);
            assertThat(m.sample(1, null, 1.0, 1)).hasSize(3 * 28 * 28);
            return m;
        });
        assertThatThrownBy(() -> held.sample(1, null, 1.0, 1)).hasMessageContaining("closed");
        assertThat((Object) cache.with(shas.get(0), m -> m)).isNotSameAs(first);
        cache.destroy();
    }
}
