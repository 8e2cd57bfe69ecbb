package org.retinasynth.metrics;

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
        Summary s = Summary.of(d);
        double half = s.halfWidth95();
        return new PairedDifference(s.mean(), s.mean() - half, s.mean() + half, n);
    }
}
