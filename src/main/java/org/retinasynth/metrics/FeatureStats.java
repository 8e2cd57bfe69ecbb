package org.retinasynth.metrics;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.stat.correlation.Covariance;
import org.apache.commons.math3.stat.descriptive.moment.Mean;

/** Distances between a real and a generated set of feature vectors (rows = samples). */
public final class FeatureStats {

    private FeatureStats() {}

    /**
     * Precision, recall, density and coverage of Naeem et al. (ICML 2020).
     *
     * @param precision fraction of fake samples inside at least one real k-NN ball
     * @param recall    fraction of real samples inside at least one fake k-NN ball
     * @param density   mean number of real k-NN balls containing a fake sample, divided by k (can
     *                  exceed 1)
     * @param coverage  fraction of real samples whose k-NN ball contains at least one fake sample
     */
    public record Prdc(double precision, double recall, double density, double coverage) {}

    /**
     * Fréchet distance between Gaussians fitted to two feature sets:
     * {@code |mu1-mu2|^2 + Tr(S1 + S2 - 2 sqrt(S1 S2))}, with unbiased (n-1) covariances as in the
     * reference FID code. {@code Tr sqrt(S1 S2)} is computed as {@code Tr sqrt(A S2 A)} with
     * {@code A = sqrt(S1)}: the same eigenvalues, but a symmetric matrix, so a symmetric eigen
     * decomposition applies and round-off cannot produce complex values. Eigenvalues that round-off
     * makes slightly negative (rank-deficient covariances, fewer samples than dimensions) count as 0.
     */
    public static double frechetDistance(double[][] real, double[][] fake) {
        int d = checkSet(real, "real", 2);
        if (checkSet(fake, "fake", 2) != d) {
            throw new IllegalArgumentException("real and fake features differ in dimension");
        }
        double[] mu1 = means(real);
        double[] mu2 = means(fake);
        RealMatrix s1 = covariance(real);
        RealMatrix s2 = covariance(fake);
        double meanTerm = 0;
        for (int j = 0; j < d; j++) {
            meanTerm += (mu1[j] - mu2[j]) * (mu1[j] - mu2[j]);
        }
        RealMatrix a = sqrtPsd(s1);
        RealMatrix m = symmetric(a.multiply(s2).multiply(a));
        double traceSqrt = 0;
        for (double lambda : new EigenDecomposition(m).getRealEigenvalues()) {
            traceSqrt += Math.sqrt(Math.max(lambda, 0));
        }
        return meanTerm + s1.getTrace() + s2.getTrace() - 2 * traceSqrt;
    }

    /**
     * Naeem et al. 2020 metrics with k nearest neighbours (Euclidean): a sample's ball has the
     * radius of its k-th nearest neighbour in its own set (itself excluded); "inside" is strict, as
     * in the authors' code.
     */
    public static Prdc prdc(double[][] real, double[][] fake, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, was " + k);
        }
        int d = checkSet(real, "real", k + 1);
        if (checkSet(fake, "fake", k + 1) != d) {
            throw new IllegalArgumentException("real and fake features differ in dimension");
        }
        double[] realRadius = kthNeighbourDistances(real, k);
        double[] fakeRadius = kthNeighbourDistances(fake, k);
        double[][] dist = new double[real.length][fake.length];
        for (int i = 0; i < real.length; i++) {
            for (int j = 0; j < fake.length; j++) {
                dist[i][j] = distance(real[i], fake[j]);
            }
        }
        int precise = 0;
        long inside = 0;
        for (int j = 0; j < fake.length; j++) {
            int count = 0;
            for (int i = 0; i < real.length; i++) {
                count += dist[i][j] < realRadius[i] ? 1 : 0;
            }
            precise += count > 0 ? 1 : 0;
            inside += count;
        }
        int recalled = 0;
        int covered = 0;
        for (int i = 0; i < real.length; i++) {
            boolean inFake = false;
            double nearest = Double.POSITIVE_INFINITY;
            for (int j = 0; j < fake.length; j++) {
                inFake |= dist[i][j] < fakeRadius[j];
                nearest = Math.min(nearest, dist[i][j]);
            }
            recalled += inFake ? 1 : 0;
            covered += nearest < realRadius[i] ? 1 : 0;
        }
        return new Prdc((double) precise / fake.length, (double) recalled / real.length,
                (double) inside / ((double) k * fake.length), (double) covered / real.length);
    }

    private static double[] kthNeighbourDistances(double[][] x, int k) {
        double[] radius = new double[x.length];
        double[] row = new double[x.length - 1];
        for (int i = 0; i < x.length; i++) {
            int c = 0;
            for (int j = 0; j < x.length; j++) {
                if (j != i) {
                    row[c++] = distance(x[i], x[j]);
                }
            }
            java.util.Arrays.sort(row);
            radius[i] = row[k - 1];
        }
        return radius;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double t = a[j] - b[j];
            s += t * t;
        }
        return Math.sqrt(s);
    }

    private static double[] means(double[][] x) {
        int d = x[0].length;
        double[] mu = new double[d];
        double[] column = new double[x.length];
        Mean mean = new Mean();
        for (int j = 0; j < d; j++) {
            for (int i = 0; i < x.length; i++) {
                column[i] = x[i][j];
            }
            mu[j] = mean.evaluate(column);
        }
        return mu;
    }

    private static RealMatrix covariance(double[][] x) {
        return new Covariance(x, true).getCovarianceMatrix();
    }

    /** Square root of a symmetric positive semi-definite matrix, negative round-off eigenvalues as 0. */
    private static RealMatrix sqrtPsd(RealMatrix s) {
        EigenDecomposition e = new EigenDecomposition(symmetric(s));
        double[] lambda = e.getRealEigenvalues();
        int d = lambda.length;
        RealMatrix v = e.getV();
        double[][] scaled = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                scaled[i][j] = v.getEntry(i, j) * Math.sqrt(Math.max(lambda[j], 0));
            }
        }
        return new Array2DRowRealMatrix(scaled, false).multiply(v.transpose());
    }

    /** Feature rows as a model gives them (floats), widened for the statistics here. */
    public static double[][] rows(float[][] f) {
        double[][] out = new double[f.length][];
        for (int i = 0; i < f.length; i++) {
            out[i] = new double[f[i].length];
            for (int j = 0; j < f[i].length; j++) {
                out[i][j] = f[i][j];
            }
        }
        return out;
    }

    /** (M + M^T) / 2: removes the asymmetry that round-off leaves in products such as A S A. */
    private static RealMatrix symmetric(RealMatrix m) {
        return m.add(m.transpose()).scalarMultiply(0.5);
    }

    /** Rows of one finite, non-empty width; returns the width. Shared with {@link LinearProbe}. */
    static int checkSet(double[][] x, String what, int minRows) {
        if (x == null || x.length < minRows) {
            throw new IllegalArgumentException(what + " needs at least " + minRows + " samples");
        }
        int d = x[0] == null ? 0 : x[0].length;
        if (d == 0) {
            throw new IllegalArgumentException(what + " features are empty");
        }
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null || x[i].length != d) {
                throw new IllegalArgumentException(what + " row " + i + " does not have " + d + " values");
            }
            for (double v : x[i]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(what + " row " + i + " has a non-finite value");
                }
            }
        }
        return d;
    }
}
