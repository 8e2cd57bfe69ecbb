package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinasynth.testsupport.TestImages;

/**
 * A seeded model starts from the same weights whatever other threads do with libtorch at the same
 * time: two study units on two worker contexts of one process once made a REAL classifier start
 * elsewhere, because loading a saved model draws its throw-away initial values from the same global
 * generator.
 */
class SeededInitialisationTest {

    private static final ClassifierConfig CONFIG = new ClassifierConfig(28, 3, 5, 16, 0, 1e-4);

    @Test
    void aSeededInitialisationIsTheSameWhileAnotherThreadLoadsModels(@TempDir Path dir) throws Exception {
        try (ClassifierModel saved = ClassifierModel.create(CONFIG, 99, "cpu")) {
            saved.save(dir, Map.of());
        }
        float[] x = TestImages.fundusBatch(4, 28, new int[] {0, 1, 2, 4}, 3);
        float[][] reference;
        try (ClassifierModel m = ClassifierModel.create(CONFIG, 7, "cpu")) {
            reference = m.predictProba(x, 4);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger loads = new AtomicInteger();
        Thread loader = new Thread(() -> {
            while (!stop.get()) {
                ClassifierModel.load(dir, "cpu").close();
                loads.incrementAndGet();
            }
        });
        loader.start();
        try {
            for (int i = 0; i < 40; i++) {
                try (ClassifierModel m = ClassifierModel.create(CONFIG, 7, "cpu")) {
                    assertThat(m.predictProba(x, 4)).as("initialisation %d", i).isDeepEqualTo(reference);
                }
            }
        } finally {
            stop.set(true);
            loader.join();
        }
        assertThat(loads.get()).as("loads that ran alongside").isGreaterThan(10);
    }
}
