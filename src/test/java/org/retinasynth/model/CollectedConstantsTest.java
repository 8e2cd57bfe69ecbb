package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.TestImages;

/**
 * Training gives the same numbers however often the garbage collector runs. DJL wraps a constant
 * factor ({@code x.mul(0.5f)}) in a Java direct buffer that the collector may free while autograd
 * still holds it for the backward pass (see {@link Scalar}); with a collection every few
 * milliseconds the gradients then came out NaN now and then and every run differed.
 */
class CollectedConstantsTest {

    private static final int BATCH = 4;
    private static final int STEPS = 200;

    @Test
    void lossesAreTheSameWhileTheCollectorRunsAllTheTime() throws Exception {
        int[] grades = {0, 1, 2, 3};
        float[] x = TestImages.fundusBatch(BATCH, 28, grades, 7);
        double[] quiet = train(x, grades);
        long repairedBefore = TorchRuntime.nonFiniteGradientSteps();

        AtomicBoolean stop = new AtomicBoolean();
        Thread collector = new Thread(() -> {
            while (!stop.get()) {
                System.gc();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "collector");
        collector.setDaemon(true);
        collector.start();
        try {
            double[] busy = train(x, grades);
            int first = java.util.Arrays.mismatch(busy, quiet);
            assertThat(first).as("first step whose loss differs while System.gc() runs every millisecond (%s vs %s)",
                    first < 0 ? "" : busy[first], first < 0 ? "" : quiet[first]).isEqualTo(-1);
        } finally {
            stop.set(true);
            collector.join();
        }
        assertThat(TorchRuntime.nonFiniteGradientSteps() - repairedBefore).as("steps with NaN gradients").isZero();
    }

    private static double[] train(float[] x, int[] grades) {
        VaeConfig config = VaeConfig.defaults(28).withWidth(8, 8).withNumClasses(5);
        try (VaeModel model = VaeModel.create(config, 9, "cpu")) {
            double[] losses = new double[STEPS];
            for (int s = 0; s < STEPS; s++) {
                losses[s] = model.trainStep(x, null, grades, BATCH, 1.0).loss();
            }
            return losses;
        }
    }
}
