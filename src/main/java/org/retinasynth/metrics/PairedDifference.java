package org.retinasynth.metrics;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.StatUtils;

/**
 * Mean of paired differences {@code arm[i] - reference[i]} (same seed i) with a two-sided 95%
 * confidence interval from Student's t with n-1 degrees of freedom. Pairing removes the
 * between-seed variance that both arms share (same split, same initialisation seed).
 *
 * @param low  lower end of the 95% interval; NaN when n == 1 (no variance estimate)
 * @param high upper end; NaN when n == 1
 */
public record PairedDifference(double mean, double low, double high, int n) {

    public static PairedDifference of(double[] arm, double[] reference) {
        if (arm == null || reference == null || arm.length != reference.length || arm.length == 0) {
            throw new IllegalArgumentException("arm and reference must be non-empty and of equal length");
        }
        int n = arm.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = arm[i] - reference[i];
        }
        double mean = StatUtils.mean(d);
        if (n == 1) {
            return new PairedDifference(mean, Double.NaN, Double.NaN, 1);
        }
        double se = Math.sqrt(StatUtils.variance(d, mean) / n);
        // a null RNG: only the quantile function is used, and the default would seed a Well19937c
        double t = new TDistribution(null, n - 1).inverseCumulativeProbability(0.975);
        return new PairedDifference(mean, mean - t * se, mean + t * se, n);
    }
}
