package org.retinasynth.metrics;

/**
 * Linear probe: how much grade information a frozen feature space holds, as the test accuracy of a
 * multinomial logistic regression.
 *
 * <p>Features are standardised with the training set's mean and standard deviation (a constant
 * feature becomes 0). The objective is the mean cross-entropy plus {@code (L2/2) |W|^2} (bias not
 * penalised), minimised by {@value #ITERATIONS} steps of Nesterov-accelerated gradient descent from
 * zero with step {@code 1/L}, where {@code L = lambda_max(X^T X / n) / 2 + L2} bounds the curvature
 * (the softmax cross-entropy Hessian is at most 1/2 in the logits). No randomness: the same data
 * gives the same accuracy.
 */
public final class LinearProbe {

    static final double L2 = 1e-3;
    static final int ITERATIONS = 500;
    private static final int POWER_ITERATIONS = 100;

    private LinearProbe() {}

    /** Fits on the training set, returns the accuracy on the test set. */
    public static double accuracy(double[][] trainX, int[] trainY, double[][] testX, int[] testY, int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, was " + classes);
        }
        if (check(testX, testY, classes, "test") != check(trainX, trainY, classes, "train")) {
            throw new IllegalArgumentException("train and test features differ in dimension");
        }
        double[][] logits = logits(trainX, trainY, testX, classes);
        int correct = 0;
        for (int i = 0; i < logits.length; i++) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (logits[i][k] > logits[i][best]) {
                    best = k;
                }
            }
            correct += best == testY[i] ? 1 : 0;
        }
        return (double) correct / logits.length;
    }

    /** Fits on the training set, returns each test row's class logits. */
    public static double[][] logits(double[][] trainX, int[] trainY, double[][] testX, int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, was " + classes);
        }
        int d = check(trainX, trainY, classes, "train");
        if (testX.length == 0 || testX[0].length != d) {
            throw new IllegalArgumentException("train and test features differ in dimension");
        }
        int n = trainX.length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (double[] row : trainX) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        for (double[] row : trainX) {
            for (int j = 0; j < d; j++) {
                scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < d; j++) {
            scale[j] = scale[j] > 1e-24 ? 1 / Math.sqrt(scale[j]) : 0;
        }
        double[][] x = standardise(trainX, mean, scale);
        int stride = d + 1; // weights of class k: [k*stride, k*stride+d), bias at k*stride+d
        double[] w = fit(x, trainY, classes, d, stride);
        double[][] t = standardise(testX, mean, scale);
        double[][] out = new double[t.length][classes];
        for (int i = 0; i < t.length; i++) {
            logits(t[i], w, classes, d, stride, out[i]);
        }
        return out;
    }

    private static double[] fit(double[][] x, int[] y, int classes, int d, int stride) {
        int n = x.length;
        double step = 1 / (0.5 * Math.max(largestEigenvalue(x, d), 1) + L2);
        int size = classes * stride;
        double[] w = new double[size];
        double[] previous = new double[size];
        double[] look = new double[size];
        double[] grad = new double[size];
        double[] p = new double[classes];
        for (int it = 1; it <= ITERATIONS; it++) {
            double momentum = (it - 1.0) / (it + 2.0);
            for (int q = 0; q < size; q++) {
                look[q] = w[q] + momentum * (w[q] - previous[q]);
            }
            java.util.Arrays.fill(grad, 0);
            for (int i = 0; i < n; i++) {
                logits(x[i], look, classes, d, stride, p);
                softmax(p);
                p[y[i]] -= 1;
                for (int k = 0; k < classes; k++) {
                    double g = p[k] / n;
                    int o = k * stride;
                    for (int j = 0; j < d; j++) {
                        grad[o + j] += g * x[i][j];
                    }
                    grad[o + d] += g;
                }
            }
            System.arraycopy(w, 0, previous, 0, size);
            for (int q = 0; q < size; q++) {
                boolean bias = q % stride == d;
                w[q] = look[q] - step * (grad[q] + (bias ? 0 : L2 * look[q]));
            }
        }
        return w;
    }

    /** lambda_max(X^T X / n) by power iteration from a fixed start, with a 10% safety margin. */
    private static double largestEigenvalue(double[][] x, int d) {
        double[] v = new double[d];
        java.util.Arrays.fill(v, 1 / Math.sqrt(d));
        double lambda = 0;
        double[] xv = new double[x.length];
        for (int it = 0; it < POWER_ITERATIONS; it++) {
            for (int i = 0; i < x.length; i++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += x[i][j] * v[j];
                }
                xv[i] = s;
            }
            double[] next = new double[d];
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < d; j++) {
                    next[j] += x[i][j] * xv[i] / x.length;
                }
            }
            double norm = 0;
            for (double a : next) {
                norm += a * a;
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                return 0;
            }
            lambda = norm;
            for (int j = 0; j < d; j++) {
                v[j] = next[j] / norm;
            }
        }
        return 1.1 * lambda;
    }

    private static void logits(double[] row, double[] w, int classes, int d, int stride, double[] out) {
        for (int k = 0; k < classes; k++) {
            int o = k * stride;
            double s = w[o + d];
            for (int j = 0; j < d; j++) {
                s += w[o + j] * row[j];
            }
            out[k] = s;
        }
    }

    private static void softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int k = 0; k < z.length; k++) {
            z[k] = Math.exp(z[k] - max);
            sum += z[k];
        }
        for (int k = 0; k < z.length; k++) {
            z[k] /= sum;
        }
    }

    private static double[][] standardise(double[][] x, double[] mean, double[] scale) {
        double[][] out = new double[x.length][mean.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < mean.length; j++) {
                out[i][j] = (x[i][j] - mean[j]) * scale[j];
            }
        }
        return out;
    }

    private static int check(double[][] x, int[] y, int classes, String what) {
        if (x == null || y == null || x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException(what + " features and labels must be non-empty and of equal length");
        }
        int d = FeatureStats.checkSet(x, what, 1);
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0 || y[i] >= classes) {
                throw new IllegalArgumentException(what + " label " + y[i] + " at " + i + " is outside [0, "
                        + classes + ")");
            }
        }
        return d;
    }
}
