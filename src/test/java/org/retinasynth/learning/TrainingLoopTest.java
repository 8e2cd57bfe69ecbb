package org.retinasynth.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.retinasynth.model.NonFiniteLossException;

class TrainingLoopTest {

    /** Scores epochs from a list; a step fails (as a rolled-back model step does) when told to. */
    private static final class FakeTask implements TrainingLoop.Task {
        final List<String> events = new ArrayList<>();
        final double[] scores;
        final java.util.function.IntPredicate fails;
        int calls;

        FakeTask(double[] scores, java.util.function.IntPredicate fails) {
            this.scores = scores;
            this.fails = fails;
        }

        @Override
        public void beginEpoch(LoopState state) {
            events.add("task.begin " + state.epoch() + " lr " + state.learningRate());
        }

        @Override
        public double[] step(LoopState state, int batch) {
            if (fails.test(calls++)) {
                throw nonFinite();
            }
            events.add("task.step " + state.epoch() + "/" + batch);
            return new double[] {1.0 + batch};
        }

        @Override
        public double endEpoch(LoopState state, double[] meanTerms, double seconds) {
            events.add("task.end " + state.epoch() + " mean " + meanTerms[0]);
            return scores[state.epoch()];
        }
    }

    private static NonFiniteLossException nonFinite() {
        // the model's exception has a package-private constructor: build it the way the model does
        try {
            var c = NonFiniteLossException.class.getDeclaredConstructor(String.class);
            c.setAccessible(true);
            return c.newInstance("non-finite loss");
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static TrainingListener recorder(List<String> events, String name) {
        return new TrainingListener() {
            @Override
            public void onEpochStart(LoopState state) {
                events.add(name + ".start " + state.epoch());
            }

            @Override
            public void afterStep(LoopState state, int batch, double[] terms) {
                events.add(name + ".step " + state.epoch() + "/" + batch);
            }

            @Override
            public void onEpochEnd(LoopState state, double score) {
                events.add(name + ".end " + state.epoch() + " " + score);
            }

            @Override
            public void onTrainingEnd(LoopState state) {
                events.add(name + ".done " + state.epochsRun());
            }
        };
    }

    @Test
    void listenersRunInOrderAroundTheTask() {
        FakeTask task = new FakeTask(new double[] {3, 2}, i -> false);
        List<TrainingListener> listeners = List.of(Schedules.learningRate(Schedules.constant(0.5)),
                recorder(task.events, "a"), recorder(task.events, "b"));
        LoopState end = new TrainingLoop(null, listeners).run(task, 0, 2, 2, 4);
        assertThat(task.events).containsExactly(
                "a.start 0", "b.start 0", "task.begin 0 lr 0.5",
                "task.step 0/0", "a.step 0/0", "b.step 0/0", "task.step 0/1", "a.step 0/1", "b.step 0/1",
                "task.end 0 mean 1.5", "a.end 0 3.0", "b.end 0 3.0",
                "a.start 1", "b.start 1", "task.begin 1 lr 0.5",
                "task.step 1/0", "a.step 1/0", "b.step 1/0", "task.step 1/1", "a.step 1/1", "b.step 1/1",
                "task.end 1 mean 1.5", "a.end 1 2.0", "b.end 1 2.0", "a.done 2", "b.done 2");
        assertThat(end.step()).isEqualTo(4);
    }

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestEpoch() {
        FakeTask task = new FakeTask(new double[] {5, 1, 2, 3, 0.5, 0.1}, i -> false);
        List<String> kept = new ArrayList<>();
        EarlyStopping early = new EarlyStopping(2, null, 0, new EarlyStopping.Keeper() {
            @Override
            public void keep() {
                kept.add("keep " + task.events.stream().filter(e -> e.startsWith("task.end")).count());
            }

            @Override
            public void restore() {
                kept.add("restore");
            }
        });
        LoopState end = new TrainingLoop(null, List.of(early)).run(task, 0, 6, 1, 1);
        assertThat(end.epochsRun()).isEqualTo(4);
        assertThat(early.bestEpoch()).isEqualTo(2);
        assertThat(early.best()).isEqualTo(1.0);
        assertThat(kept).containsExactly("keep 1", "keep 2", "restore");
    }

    @Test
    void noRestoreWhenTheLastEpochIsTheBest() {
        FakeTask task = new FakeTask(new double[] {3, 2, 1}, i -> false);
        AtomicInteger restores = new AtomicInteger();
        EarlyStopping early = new EarlyStopping(5, Double.POSITIVE_INFINITY, 0, new EarlyStopping.Keeper() {
            @Override
            public void keep() {
            }

            @Override
            public void restore() {
                restores.incrementAndGet();
            }
        });
        new TrainingLoop(null, List.of(early)).run(task, 0, 3, 1, 1);
        assertThat(early.bestEpoch()).isEqualTo(3);
        assertThat(restores).hasValue(0);
    }

    @Test
    void nonFiniteStepsAreSkippedUntilThreeInARowThenTheFourthFails() {
        FakeTask skipTwo = new FakeTask(new double[] {1}, i -> i == 1 || i == 2);
        LoopState end = new TrainingLoop(null, List.of(new NonFinitePolicy(3))).run(skipTwo, 0, 1, 5, 1);
        assertThat(end.step()).isEqualTo(5);
        assertThat(skipTwo.events).contains("task.end 0 mean " + (1.0 + 4 + 5) / 3);

        FakeTask threeInARow = new FakeTask(new double[] {1}, i -> i >= 1 && i <= 3);
        new TrainingLoop(null, List.of(new NonFinitePolicy(3))).run(threeInARow, 0, 1, 6, 1);

        FakeTask fourInARow = new FakeTask(new double[] {1}, i -> i >= 1 && i <= 4);
        assertThatThrownBy(() -> new TrainingLoop(null, List.of(new NonFinitePolicy(3))).run(fourInARow, 0, 1, 8, 1))
                .isInstanceOf(NonFiniteLossException.class);
    }

    @Test
    void withoutAPolicyTheFirstNonFiniteStepFails() {
        FakeTask task = new FakeTask(new double[] {1}, i -> i == 0);
        assertThatThrownBy(() -> new TrainingLoop(null, List.of()).run(task, 0, 1, 3, 1))
                .isInstanceOf(NonFiniteLossException.class);
    }

    @Test
    void anEpochThatWouldSkipEveryBatchFails() {
        FakeTask task = new FakeTask(new double[] {1}, i -> true);
        assertThatThrownBy(() -> new TrainingLoop(null, List.of(new NonFinitePolicy(3))).run(task, 0, 1, 2, 1))
                .isInstanceOf(NonFiniteLossException.class);
    }

    @Test
    void scheduleValues() {
        var cosine = Schedules.cosine(1e-3, 10);
        assertThat(cosine.applyAsDouble(0)).isCloseTo(1e-3, within(1e-15));
        assertThat(cosine.applyAsDouble(5)).isCloseTo(1e-3 * (0.01 + 0.99 * 0.5), within(1e-15));
        assertThat(cosine.applyAsDouble(10)).isCloseTo(1e-5, within(1e-15));
        assertThat(Schedules.constant(0.2).applyAsDouble(7)).isEqualTo(0.2);
        var step = Schedules.step(1.0, 8);
        assertThat(new double[] {step.applyAsDouble(0), step.applyAsDouble(2), step.applyAsDouble(4),
                step.applyAsDouble(7)}).containsExactly(1.0, 0.5, 0.25, 0.125);
        var kl = Schedules.klWarmup(4);
        assertThat(new double[] {kl.applyAsDouble(0), kl.applyAsDouble(1), kl.applyAsDouble(3),
                kl.applyAsDouble(9)}).containsExactly(0.25, 0.5, 1.0, 1.0);
        assertThat(Schedules.klWarmup(0).applyAsDouble(0)).isEqualTo(1.0);
    }

    @Test
    void cancellationUnwindsBeforeTheNextBatch() {
        FakeTask task = new FakeTask(new double[] {1, 1}, i -> false);
        AtomicInteger checks = new AtomicInteger();
        assertThatThrownBy(() -> new TrainingLoop(TrainingCancelled.when(() -> checks.incrementAndGet() > 3),
                List.of()).run(task, 0, 2, 2, 1)).isInstanceOf(TrainingCancelled.class);
        assertThat(task.events).containsExactly("task.begin 0 lr NaN", "task.step 0/0", "task.step 0/1",
                "task.end 0 mean 1.5", "task.begin 1 lr NaN", "task.step 1/0");
    }

    @Test
    void aResumedRunStartsAtItsEpochAndStep() {
        FakeTask task = new FakeTask(new double[] {9, 9, 9}, i -> false);
        LoopState end = new TrainingLoop(null, List.of()).run(task, 2, 3, 4, 1);
        assertThat(end.step()).isEqualTo(12);
        assertThat(end.epochsRun()).isEqualTo(3);
    }
}
