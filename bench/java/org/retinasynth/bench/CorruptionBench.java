package org.retinasynth.bench;

import java.util.SplittableRandom;
import org.retinasynth.corruption.Corruption;
import org.retinasynth.corruption.CorruptionRegistry;
import org.retinasynth.testsupport.TestImages;

/**
 * Prints the per-call cost of each corruption on a 64x64 image, the training resolution, so a
 * regression in the hot path can be seen. A benchmark rather than a test: it asserts nothing,
 * because shared machines make timings vary.
 */
public final class CorruptionBench {

    private CorruptionBench() {
    }

    public static void main(String[] args) {
        int h = 64;
        int w = 64;
        int calls = 1000;
        float[] clean = TestImages.structured(h, w);
        float[] x = new float[clean.length];
        int rounds = 5;
        StringBuilder report = new StringBuilder("corruption timings, 64x64, severity 0.5, best of "
                + rounds + " rounds of " + calls + " calls (each call includes a 48 KB array copy):\n");
        // The reference: what every call pays before the corruption does anything.
        report.append(String.format("  %-13s %8.1f us/call%n", "(copy only)",
                best(rounds, calls, () -> System.arraycopy(clean, 0, x, 0, clean.length))));
        for (Corruption c : CorruptionRegistry.all()) {
            SplittableRandom rng = new SplittableRandom(0);
            report.append(String.format("  %-13s %8.1f us/call%n", c.name(), best(rounds, calls, () -> {
                System.arraycopy(clean, 0, x, 0, clean.length);
                c.apply(x, h, w, 0.5, rng);
            })));
        }
        System.out.print(report);
    }

    /** Microseconds per call, best round after a warm-up. */
    private static double best(int rounds, int calls, Runnable call) {
        for (int i = 0; i < 300; i++) {
            call.run();
        }
        // The minimum over rounds is the least disturbed by other jobs on a shared machine.
        double best = Double.MAX_VALUE;
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            best = Math.min(best, (System.nanoTime() - start) / 1e3 / calls);
        }
        return best;
    }
}
