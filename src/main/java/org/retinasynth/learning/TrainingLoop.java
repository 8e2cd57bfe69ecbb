package org.retinasynth.learning;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.retinasynth.model.NonFiniteLossException;

/**
 * Epochs of batches of steps, validation after each epoch, listeners around it all (in the manner
 * of DJL's {@code EasyTrain} with its {@code TrainingListener}s). What a step and a validation are
 * is the {@link Task}'s business; schedules, early stopping, the non-finite policy, progress and
 * checkpoints are listeners.
 */
public final class TrainingLoop {

    /** One model's part in the loop. */
    public interface Task {

        /** Before the epoch's first batch, after the listeners' {@code onEpochStart}: batch order, noise, rates. */
        void beginEpoch(LoopState state);

        /**
         * Trains on batch {@code batch} of the current epoch.
         *
         * @return its loss terms, the loss first
         * @throws NonFiniteLossException when the model rolled the step back
         */
        double[] step(LoopState state, int batch);

        /**
         * Validates after an epoch.
         *
         * @param meanTerms the epoch's mean loss terms over the batches not skipped
         * @param seconds   the epoch's training time
         * @return the score early stopping compares, lower is better
         */
        double endEpoch(LoopState state, double[] meanTerms, double seconds);
    }

    private final List<TrainingListener> listeners;
    private final Runnable cancellation;

    /**
     * @param cancellation run before every batch; it throws to cancel (see {@link TrainingCancelled#when})
     */
    public TrainingLoop(Runnable cancellation, List<TrainingListener> listeners) {
        this.cancellation = cancellation == null ? () -> { } : cancellation;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Runs epochs {@code startEpoch} (0-based) to {@code epochs - 1}, or until a listener stops it.
     *
     * @return the final state
     */
    public LoopState run(Task task, int startEpoch, int epochs, int stepsPerEpoch, int imagesPerStep) {
        LoopState state = new LoopState(epochs, stepsPerEpoch, imagesPerStep, startEpoch);
        for (int epoch = startEpoch; epoch < epochs && !state.stopRequested(); epoch++) {
            long epochStart = System.nanoTime();
            state.beginEpoch(epoch);
            listeners.forEach(l -> l.onEpochStart(state));
            task.beginEpoch(state);
            double[] sums = null;
            int done = 0;
            for (int s = 0; s < stepsPerEpoch; s++) {
                cancellation.run();
                double[] terms;
                try {
                    terms = task.step(state, s);
                } catch (NonFiniteLossException e) {
                    if (!skip(state, s, e)) {
                        throw e;
                    }
                    state.stepTaken(true);
                    continue;
                }
                sums = add(sums, terms);
                done++;
                state.stepTaken(false);
                for (TrainingListener l : listeners) {
                    l.afterStep(state, s, terms);
                }
            }
            double[] mean = sums == null ? new double[] {Double.NaN} : sums;
            for (int i = 0; i < mean.length; i++) {
                mean[i] /= done;
            }
            double score = task.endEpoch(state, mean, (System.nanoTime() - epochStart) / 1e9);
            state.epochFinished();
            listeners.forEach(l -> l.onEpochEnd(state, score));
        }
        listeners.forEach(l -> l.onTrainingEnd(state));
        return state;
    }

    private boolean skip(LoopState state, int batch, RuntimeException e) {
        boolean skip = false;
        for (TrainingListener l : listeners) {
            skip |= l.onNonFiniteStep(state, batch, e);
        }
        return skip;
    }

    private static double[] add(double[] sums, double[] terms) {
        if (sums == null) {
            return terms.clone();
        }
        for (int i = 0; i < sums.length; i++) {
            sums[i] += terms[i];
        }
        return sums;
    }

    /** Fisher-Yates with {@code random}: the batch order of an epoch. */
    public static int[] permutation(int n, Random random) {
        int[] p = IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
