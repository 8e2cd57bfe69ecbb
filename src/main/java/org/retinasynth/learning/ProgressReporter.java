package org.retinasynth.learning;

/**
 * Images per second since the run started and the time left, handed to a sink at most once per
 * {@code minIntervalNanos} (0: after every batch).
 */
public final class ProgressReporter implements TrainingListener {

    /** Receives progress: the 1-based epoch, steps since epoch 0, images per second, seconds left. */
    public interface Sink {
        void progress(int epoch, long step, double imagesPerSecond, double etaSeconds);
    }

    private final Sink sink;
    private final long minIntervalNanos;
    private final long runStart = System.nanoTime();
    private double imagesDone;
    private long lastReport;
    private boolean reported;

    public ProgressReporter(Sink sink, long minIntervalNanos) {
        this.sink = sink;
        this.minIntervalNanos = minIntervalNanos;
    }

    @Override
    public void afterStep(LoopState state, int batch, double[] terms) {
        imagesDone += state.imagesPerStep();
        long now = System.nanoTime();
        if (reported && now - lastReport <= minIntervalNanos) {
            return;
        }
        double rate = imagesDone / Math.max((now - runStart) / 1e9, 1e-9);
        long remaining = (long) (state.epochs() - state.epoch()) * state.stepsPerEpoch() - (batch + 1);
        sink.progress(state.epoch() + 1, state.step(), rate,
                remaining * state.imagesPerStep() / Math.max(rate, 1e-9));
        lastReport = now;
        reported = true;
    }
}
