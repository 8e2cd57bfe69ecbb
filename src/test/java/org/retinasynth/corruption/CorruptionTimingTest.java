package org.retinasynth.corruption;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Prints the per-call cost of each corruption on a 64x64 image, the training resolution, so a
 * regression in the hot path shows up in the build log. Not an assertion: the build machines are
 * shared and timings vary.
 */
class CorruptionTimingTest {

    @Test
    void printMicroTimings() {
        int h = 64;
        int w = 64;
        int calls = 1000;
        float[] clean = TestImages.structured(h, w);
        float[] x = new float[clean.length];
        int rounds = 5;
        StringBuilder report = new StringBuilder("corruption timings, 64x64, severity 0.5, best of "
                + rounds + " rounds of " + calls + " calls (each call includes a 48 KB array copy):\n");
        for (Corruption c : CorruptionRegistry.all()) {
            SplittableRandom rng = new SplittableRandom(0);
            for (int i = 0; i < 300; i++) {
                System.arraycopy(clean, 0, x, 0, clean.length);
                c.apply(x, h, w, 0.5, rng);
            }
            // The minimum over rounds is the least disturbed by other jobs on a shared machine.
            double best = Double.MAX_VALUE;
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    System.arraycopy(clean, 0, x, 0, clean.length);
                    c.apply(x, h, w, 0.5, rng);
                }
                best = Math.min(best, (System.nanoTime() - start) / 1e3 / calls);
            }
            report.append(String.format("  %-13s %8.1f us/call%n", c.name(), best));
        }
        System.out.print(report);
    }
}
