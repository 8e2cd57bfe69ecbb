package org.retinasynth.learning;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips a batch whose step the model rolled back for a non-finite loss: libtorch's CPU kernels give
 * a rare, nondeterministic NaN. Training still fails when the model itself has diverged: more than
 * {@code maxInARow} failures in a row, or an epoch that would skip every batch.
 */
public final class NonFinitePolicy implements TrainingListener {

    /** What training has always tolerated. */
    public static final int DEFAULT_MAX_IN_A_ROW = 3;

    private static final Logger log = LoggerFactory.getLogger(NonFinitePolicy.class);

    private final int maxInARow;
    private int inARow;

    public NonFinitePolicy(int maxInARow) {
        this.maxInARow = maxInARow;
    }

    @Override
    public void onEpochStart(LoopState state) {
        inARow = 0;
    }

    @Override
    public boolean onNonFiniteStep(LoopState state, int batch, RuntimeException e) {
        if (++inARow > maxInARow || state.skippedThisEpoch() + 1 == state.stepsPerEpoch()) {
            return false;
        }
        log.warn("epoch {} step {}: {}; batch skipped", state.epoch() + 1, batch + 1, e.getMessage());
        return true;
    }

    @Override
    public void afterStep(LoopState state, int batch, double[] terms) {
        inARow = 0;
    }
}
