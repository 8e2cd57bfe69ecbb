package org.retinasynth.metrics;

import java.util.Arrays;

/**
 * Two checks that a synthetic set is neither telling itself apart from real images nor copying
 * them, both in a feature space of the caller's choice.
 */
public final class SampleChecks {

    private SampleChecks() {
    }

    /**
     * Classifier two-sample test: a logistic regression learns real (0) against synthetic (1) on
     * one pair of sets and is scored on another. 0.5 means it cannot tell them apart; 1 means it
     * always can.
     *
     * @return the ROC AUC on the held-out pair
     */
    public static double twoSampleAuc(double[][] realFit, double[][] fakeFit, double[][] realHeldOut,
                                      double[][] fakeHeldOut) {
        double[][] x = concat(realFit, fakeFit);
        int[] y = new int[x.length];
        Arrays.fill(y, realFit.length, y.length, 1);
        double[][] logits = LinearProbe.logits(x, y, concat(realHeldOut, fakeHeldOut), 2);
        double[] score = new double[logits.length];
        for (int i = 0; i < score.length; i++) {
            score[i] = logits[i][1] - logits[i][0];
        }
        return auc(Arrays.copyOfRange(score, realHeldOut.length, score.length),
                Arrays.copyOfRange(score, 0, realHeldOut.length));
    }

    /**
     * Nearest-neighbour memorisation check: each synthetic sample's distance to its nearest
     * training image against the same distance for held-out real images. A generator that copies
     * its training set has synthetic distances far below the held-out ones.
     *
     * @param fakeToTrainMedian median nearest-training distance of the synthetic samples
     * @param realToTrainMedian the same for held-out real images: what a non-copying source gives
     * @param ratio             fakeToTrainMedian / realToTrainMedian (well below 1: copying)
     * @param nearCopies        fraction of synthetic samples nearer to a training image than 95% of
     *                          held-out real images are (about 0.05 for a non-copying generator)
     */
    public record Memorisation(double fakeToTrainMedian, double realToTrainMedian, double ratio, double nearCopies) {
    }

    public static Memorisation memorisation(double[][] train, double[][] heldOutReal, double[][] fake) {
        double[] real = nearest(heldOutReal, train);
        double[] synthetic = nearest(fake, train);
        double[] sortedReal = real.clone();
        Arrays.sort(sortedReal);
        double fifth = sortedReal[(int) Math.floor(0.05 * (sortedReal.length - 1))];
        double near = Arrays.stream(synthetic).filter(v -> v < fifth).count() / (double) synthetic.length;
        double fm = median(synthetic);
        double rm = median(real);
        return new Memorisation(fm, rm, rm > 0 ? fm / rm : Double.NaN, near);
    }

    /** Probability that a positive scores above a negative, ties counting half (Mann-Whitney). */
    static double auc(double[] positive, double[] negative) {
        double wins = 0;
        for (double p : positive) {
            for (double q : negative) {
                wins += p > q ? 1 : p == q ? 0.5 : 0;
            }
        }
        return wins / ((double) positive.length * negative.length);
    }

    private static double[] nearest(double[][] from, double[][] to) {
        FeatureStats.checkSet(from, "samples", 1);
        FeatureStats.checkSet(to, "training features", 1);
        double[] out = new double[from.length];
        for (int i = 0; i < from.length; i++) {
            double best = Double.POSITIVE_INFINITY;
            for (double[] t : to) {
                double s = 0;
                for (int j = 0; j < t.length && s < best; j++) {
                    double dlt = from[i][j] - t[j];
                    s += dlt * dlt;
                }
                best = Math.min(best, s);
            }
            out[i] = Math.sqrt(best);
        }
        return out;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    private static double[][] concat(double[][] a, double[][] b) {
        double[][] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
