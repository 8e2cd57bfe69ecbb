package org.retinasynth.metrics;

import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * Metrics of a grade classifier on one test set.
 *
 * @param accuracy               fraction of correct predictions
 * @param balancedAccuracy       mean of {@code recall} over the classes present in truth (as
 *                               sklearn's {@code balanced_accuracy_score})
 * @param macroF1                mean of per-class F1 = 2TP / (2TP + FP + FN) over the classes present
 *                               in truth or predictions (sklearn {@code f1_score(average="macro")})
 * @param recall                 per class TP / (TP + FN); NaN for a class absent from truth
 * @param quadraticWeightedKappa Cohen's kappa with weights (i-j)^2 over the grades 0..classes-1
 *                               (grade distances, so an absent grade does not shrink the scale); NaN
 *                               when the expected disagreement is 0 (one grade only everywhere)
 * @param macroAuc               mean one-vs-rest ROC AUC over the classes present in truth with both
 *                               positives and negatives, ties by average rank; NaN if none
 * @param confusion              {@code confusion[truth][predicted]} counts
 */
public record ClassificationMetrics(double accuracy, double balancedAccuracy, double macroF1, double[] recall,
        double quadraticWeightedKappa, double macroAuc, int[][] confusion) {

    /**
     * @param truth         true grades in [0, classes)
     * @param predicted     predicted grades in [0, classes)
     * @param probabilities n x classes scores (rows sum to 1); only their order per class matters
     */
    public static ClassificationMetrics of(int[] truth, int[] predicted, float[][] probabilities, int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, was " + classes);
        }
        if (truth == null || predicted == null || truth.length != predicted.length || truth.length == 0) {
            throw new IllegalArgumentException("truth and predicted must be non-empty and of equal length");
        }
        int n = truth.length;
        if (probabilities == null || probabilities.length != n) {
            throw new IllegalArgumentException("expected " + n + " rows of probabilities");
        }
        int[][] confusion = new int[classes][classes];
        for (int i = 0; i < n; i++) {
            check(truth[i], classes, "truth", i);
            check(predicted[i], classes, "predicted", i);
            if (probabilities[i] == null || probabilities[i].length != classes) {
                throw new IllegalArgumentException("probabilities row " + i + " must have " + classes + " values");
            }
            confusion[truth[i]][predicted[i]]++;
        }
        int[] rowSum = new int[classes];
        int[] colSum = new int[classes];
        int correct = 0;
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                rowSum[t] += confusion[t][p];
                colSum[p] += confusion[t][p];
            }
            correct += confusion[t][t];
        }
        double[] recall = new double[classes];
        double recallSum = 0;
        int present = 0;
        double f1Sum = 0;
        int seen = 0;
        for (int c = 0; c < classes; c++) {
            int tp = confusion[c][c];
            recall[c] = rowSum[c] == 0 ? Double.NaN : (double) tp / rowSum[c];
            if (rowSum[c] > 0) {
                recallSum += recall[c];
                present++;
            }
            if (rowSum[c] + colSum[c] > 0) {
                f1Sum += 2.0 * tp / (rowSum[c] + colSum[c]); // 2TP + FP + FN = rows + columns
                seen++;
            }
        }
        return new ClassificationMetrics((double) correct / n, recallSum / present, f1Sum / seen, recall,
                quadraticKappa(confusion, rowSum, colSum, n), macroAuc(truth, probabilities, classes), confusion);
    }

    private static void check(int label, int classes, String what, int i) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException(what + "[" + i + "] = " + label + " is outside [0, " + classes + ")");
        }
    }

    private static double quadraticKappa(int[][] confusion, int[] rowSum, int[] colSum, int n) {
        double observed = 0;
        double expected = 0;
        for (int i = 0; i < confusion.length; i++) {
            for (int j = 0; j < confusion.length; j++) {
                double w = (double) (i - j) * (i - j);
                observed += w * confusion[i][j];
                expected += w * rowSum[i] * (double) colSum[j] / n;
            }
        }
        return expected == 0 ? Double.NaN : 1 - observed / expected;
    }

    /** Mann-Whitney form of the AUC: (rank sum of positives - P(P+1)/2) / (P N). */
    private static double macroAuc(int[] truth, float[][] probabilities, int classes) {
        NaturalRanking ranking = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE);
        int n = truth.length;
        double sum = 0;
        int counted = 0;
        double[] scores = new double[n];
        for (int c = 0; c < classes; c++) {
            long positives = 0;
            for (int t : truth) {
                positives += t == c ? 1 : 0;
            }
            long negatives = n - positives;
            if (positives == 0 || negatives == 0) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                scores[i] = probabilities[i][c];
            }
            double[] ranks = ranking.rank(scores);
            double rankSum = 0;
            for (int i = 0; i < n; i++) {
                if (truth[i] == c) {
                    rankSum += ranks[i];
                }
            }
            sum += (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
            counted++;
        }
        return counted == 0 ? Double.NaN : sum / counted;
    }
}
