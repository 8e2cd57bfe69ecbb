package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.TestImages;

/**
 * A model trains to the same numbers whatever other threads of the process do with libtorch at the
 * same time. Before all libtorch work took {@link TorchRuntime#COMPUTE}, a DVAE trained beside
 * a thread that created, trained and queried classifiers ended its first epoch up to 60 nats off
 * (four runs in five), which is how study reruns drifted on a busy machine.
 */
class ConcurrentWorkTest {

    private static final int BATCH = 16;
    private static final int STEPS = 12;
    private static final ClassifierConfig OTHER = new ClassifierConfig(28, 3, 5, 16, 0.1, 1e-4);

    @Test
    void trainingStepsGiveTheSameLossesWhileAnotherThreadWorksWithOtherModels() throws Exception {
        float[] x = TestImages.fundusBatch(BATCH, 28, null, 5);
        double[] alone = train(x);

        float[] y = TestImages.fundusBatch(8, 28, new int[] {0, 1, 2, 3, 4, 0, 1, 2}, 6);
        int[] grades = {0, 1, 2, 3, 4, 0, 1, 2};
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread other = new Thread(() -> {
            long seed = 100;
            while (!stop.get()) {
                try (ClassifierModel c = ClassifierModel.create(OTHER, seed++, "cpu")) {
                    calls.incrementAndGet();
                    c.trainStep(y, grades, null, 8);
                    calls.incrementAndGet();
                    c.features(y, 8);
                    calls.incrementAndGet();
                }
            }
        }, "other-model-work");
        other.setUncaughtExceptionHandler((t, e) -> failed.set(e));
        other.start();
        try {
            for (int run = 0; run < 3; run++) {
                assertThat(train(x)).as("run %d beside other work", run).isEqualTo(alone);
            }
        } finally {
            stop.set(true);
            other.join();
        }
        assertThat(failed.get()).as("the other thread's failure").isNull();
        // the other thread gets the lock between steps only, but it must have got it
        assertThat(calls.get()).as("libtorch calls of the other thread while the runs trained").isGreaterThan(3);
    }

    private static double[] train(float[] x) {
        try (VaeModel model = VaeModel.create(VaeConfig.defaults(28), 11, "cpu")) {
            double[] losses = new double[STEPS];
            for (int s = 0; s < STEPS; s++) {
                losses[s] = model.trainStep(x, null, null, BATCH, 1.0).loss();
            }
            return losses;
        }
    }
}
