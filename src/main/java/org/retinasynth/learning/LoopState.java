package org.retinasynth.learning;

/** Where a {@link TrainingLoop} is, and what its listeners may change: the hyper-parameters and whether to go on. */
public final class LoopState {

    private final int epochs;
    private final int stepsPerEpoch;
    private final int imagesPerStep;
    private int epoch;
    private long step;
    private int skippedThisEpoch;
    private int epochsRun;
    private double learningRate = Double.NaN;
    private double klWeight = 1.0;
    private boolean stopRequested;

    LoopState(int epochs, int stepsPerEpoch, int imagesPerStep, int startEpoch) {
        this.epochs = epochs;
        this.stepsPerEpoch = stepsPerEpoch;
        this.imagesPerStep = imagesPerStep;
        this.epoch = startEpoch;
        this.epochsRun = startEpoch;
        this.step = (long) startEpoch * stepsPerEpoch;
    }

    /** The planned number of epochs. */
    public int epochs() {
        return epochs;
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    public int imagesPerStep() {
        return imagesPerStep;
    }

    /** The current epoch, 0-based. */
    public int epoch() {
        return epoch;
    }

    /** Batches taken since epoch 0, skipped ones included. */
    public long step() {
        return step;
    }

    /** Batches of this epoch skipped after a rolled-back step. */
    public int skippedThisEpoch() {
        return skippedThisEpoch;
    }

    /** Epochs finished, counting those before a resume. */
    public int epochsRun() {
        return epochsRun;
    }

    /** NaN until a schedule sets it: the model's own rate then stands. */
    public double learningRate() {
        return learningRate;
    }

    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    /** Weight of the KL term for a VAE step; 1 unless a warm-up sets it. */
    public double klWeight() {
        return klWeight;
    }

    public void setKlWeight(double klWeight) {
        this.klWeight = klWeight;
    }

    /** Ends training after the current epoch's listeners have run. */
    public void stop() {
        stopRequested = true;
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    void beginEpoch(int e) {
        epoch = e;
        skippedThisEpoch = 0;
    }

    void stepTaken(boolean skipped) {
        step++;
        if (skipped) {
            skippedThisEpoch++;
        }
    }

    void epochFinished() {
        epochsRun = epoch + 1;
    }
}
