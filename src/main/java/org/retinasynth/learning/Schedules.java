package org.retinasynth.learning;

import java.util.function.IntToDoubleFunction;

/**
 * Per-epoch hyper-parameter schedules as listeners: the learning rate and the KL weight of each
 * epoch (0-based) are set in {@link TrainingListener#onEpochStart}.
 */
public final class Schedules {

    private Schedules() {
    }

    /** Fixed learning rate. */
    public static IntToDoubleFunction constant(double lr) {
        return epoch -> lr;
    }

    /** Cosine decay from {@code lr} to 1% of it over the planned {@code epochs}. */
    public static IntToDoubleFunction cosine(double lr, int epochs) {
        return epoch -> lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * epoch / Math.max(1, epochs))));
    }

    /** Halved every quarter of the planned {@code epochs}. */
    public static IntToDoubleFunction step(double lr, int epochs) {
        return epoch -> lr * Math.pow(0.5, Math.floor(4.0 * epoch / Math.max(1, epochs)));
    }

    /** KL weight rising linearly from 1/warmup to 1 over {@code warmupEpochs} (0: always 1), against posterior collapse. */
    public static IntToDoubleFunction klWarmup(int warmupEpochs) {
        return epoch -> warmupEpochs == 0 ? 1.0 : Math.min(1.0, (epoch + 1.0) / warmupEpochs);
    }

    /** Sets each epoch's learning rate. */
    public static TrainingListener learningRate(IntToDoubleFunction schedule) {
        return new TrainingListener() {
            @Override
            public void onEpochStart(LoopState state) {
                state.setLearningRate(schedule.applyAsDouble(state.epoch()));
            }
        };
    }

    /** Sets each epoch's KL weight. */
    public static TrainingListener klWeight(IntToDoubleFunction schedule) {
        return new TrainingListener() {
            @Override
            public void onEpochStart(LoopState state) {
                state.setKlWeight(schedule.applyAsDouble(state.epoch()));
            }
        };
    }
}
