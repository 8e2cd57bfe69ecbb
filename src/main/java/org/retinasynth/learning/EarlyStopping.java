package org.retinasynth.learning;

/**
 * Tracks the best validation score and stops when {@code patience} epochs passed without a better
 * one (patience 0: never stops, still tracks). With a {@link Keeper} it keeps the best epoch's
 * weights and puts them back when training ends on a worse epoch.
 */
public final class EarlyStopping implements TrainingListener {

    /** Keeps and restores a model's weights. */
    public interface Keeper {
        /** The current weights are the best so far. */
        void keep();

        /** Puts back the weights last kept. */
        void restore();
    }

    private final int patience;
    private final Keeper keeper;
    private Double best;
    private int bestEpoch;

    /**
     * @param best      the best score of the epochs before a resume, or null
     * @param bestEpoch its epoch (1-based), 0 when none
     * @param keeper    null to leave the last epoch's weights in place
     */
    public EarlyStopping(int patience, Double best, int bestEpoch, Keeper keeper) {
        this.patience = patience;
        this.best = best;
        this.bestEpoch = bestEpoch;
        this.keeper = keeper;
    }

    /** The best score so far, or null before the first epoch. */
    public Double best() {
        return best;
    }

    /** The 1-based epoch of {@link #best()}, 0 before the first. */
    public int bestEpoch() {
        return bestEpoch;
    }

    @Override
    public void onEpochEnd(LoopState state, double score) {
        if (best == null || score < best) {
            best = score;
            bestEpoch = state.epoch() + 1;
            if (keeper != null) {
                keeper.keep();
            }
        }
        if (patience > 0 && state.epoch() + 1 - bestEpoch >= patience) {
            state.stop();
        }
    }

    @Override
    public void onTrainingEnd(LoopState state) {
        if (keeper != null && bestEpoch > 0 && bestEpoch < state.epochsRun()) {
            keeper.restore();
        }
    }
}
