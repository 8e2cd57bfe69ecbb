package org.retinasynth.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.MixtureMultivariateNormalDistribution;
import org.apache.commons.math3.distribution.MultivariateNormalDistribution;
import org.apache.commons.math3.distribution.fitting.MultivariateNormalMixtureExpectationMaximization;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.stat.correlation.Covariance;
import org.apache.commons.math3.util.Pair;

/**
 * A prior fitted after training to where the encoder actually puts the training images: per grade,
 * a Gaussian mixture over the posterior means (ex-post density estimation, Ghosh et al. 2020). A
 * VAE's decoder only learns to draw from the region its posteriors cover; z ~ N(0, I) also lands in
 * the holes between them, and those decode to the grainy, washed-out images the plain prior gives.
 * Covariances are shrunk a little towards their diagonal so that a grade with few images still
 * gets a proper (positive definite) Gaussian.
 *
 * @param mixtures one per grade (index = grade), or a single one for an unconditional model
 */
public record LatentPrior(int latentDim, List<Mixture> mixtures) {

    /** Shrinkage of each covariance towards its diagonal, and a floor on its variances. */
    private static final double SHRINK = 0.05;
    private static final double VARIANCE_FLOOR = 1e-4;
    private static final int EM_ITERATIONS = 200;
    private static final double EM_THRESHOLD = 1e-5;

    /**
     * One grade's mixture.
     *
     * @param covariances per component, row-major d x d
     */
    public record Mixture(double[] weights, double[][] means, double[][] covariances) {
    }

    /**
     * Fits per-grade mixtures of up to {@code components} Gaussians to posterior means.
     *
     * @param means   n x d row-major posterior means of the training images
     * @param labels  their grades, or null for an unconditional model (one mixture)
     * @param classes number of grades (ignored when labels is null)
     */
    public static LatentPrior fit(float[] means, int[] labels, int n, int d, int classes, int components) {
        if (n < 2 || means.length != (long) n * d) {
            throw new IllegalArgumentException("need at least 2 posterior means of dimension " + d);
        }
        if (components < 1 || components > 32) {
            throw new IllegalArgumentException("components must be 1-32, was " + components);
        }
        double[][] all = rows(means, n, d);
        int groups = labels == null ? 1 : classes;
        List<Mixture> mixtures = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            int grade = g;
            double[][] x = labels == null ? all
                    : java.util.stream.IntStream.range(0, n).filter(i -> labels[i] == grade).mapToObj(i -> all[i])
                    .toArray(double[][]::new);
            // a grade absent from training falls back on every image: better than an empty prior
            mixtures.add(fitOne(x.length >= 2 ? x : all, components));
        }
        return new LatentPrior(d, List.copyOf(mixtures));
    }

    private static Mixture fitOne(double[][] x, int components) {
        int d = x[0].length;
        // EM needs several points per parameter of each full covariance; fewer, and one Gaussian it is
        int k = Math.max(1, Math.min(components, x.length / (2 * (d + 1))));
        if (k > 1) {
            try {
                MultivariateNormalMixtureExpectationMaximization em =
                        new MultivariateNormalMixtureExpectationMaximization(x);
                em.fit(MultivariateNormalMixtureExpectationMaximization.estimate(x, k), EM_ITERATIONS,
                        EM_THRESHOLD);
                List<Pair<Double, MultivariateNormalDistribution>> parts = em.getFittedModel().getComponents();
                double[] w = new double[parts.size()];
                double[][] mu = new double[parts.size()][];
                double[][] cov = new double[parts.size()][];
                for (int c = 0; c < parts.size(); c++) {
                    w[c] = parts.get(c).getFirst();
                    mu[c] = parts.get(c).getSecond().getMeans();
                    cov[c] = flatten(shrink(parts.get(c).getSecond().getCovariances()));
                }
                return new Mixture(w, mu, cov);
            } catch (RuntimeException singular) {
                // a component collapsed onto too few points: one Gaussian still describes the grade
            }
        }
        double[] mu = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mu[j] += row[j] / x.length;
            }
        }
        RealMatrix cov = new Covariance(x, false).getCovarianceMatrix();
        return new Mixture(new double[] {1}, new double[][] {mu}, new double[][] {flatten(shrink(cov))});
    }

    /**
     * Draws one latent per label: a component by its weight, then mean + temperature * L eps with
     * L the Cholesky factor of its covariance. The same labels, temperature and seed give the same
     * latents.
     *
     * @param labels grades, or null for an unconditional model
     * @return n x d row-major
     */
    public float[] sample(int[] labels, int n, double temperature, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] z = new float[n * latentDim];
        RealMatrix[][] factors = new RealMatrix[mixtures.size()][];
        for (int i = 0; i < n; i++) {
            int g = labels == null ? 0 : labels[i];
            if (g < 0 || g >= mixtures.size()) {
                throw new IllegalArgumentException("grade " + g + " has no fitted prior");
            }
            Mixture m = mixtures.get(g);
            if (factors[g] == null) {
                factors[g] = new RealMatrix[m.weights().length];
            }
            int c = pick(m.weights(), rng.nextDouble());
            if (factors[g][c] == null) {
                factors[g][c] = new CholeskyDecomposition(square(m.covariances()[c], latentDim), 1e-10, 1e-12).getL();
            }
            double[] eps = new double[latentDim];
            for (int j = 0; j < latentDim; j++) {
                eps[j] = gaussian(rng) * temperature;
            }
            double[] offset = factors[g][c].operate(eps);
            for (int j = 0; j < latentDim; j++) {
                z[i * latentDim + j] = (float) (m.means()[c][j] + offset[j]);
            }
        }
        return z;
    }

    /** The density the mixture of grade {@code g} assigns, for tests and diagnostics. */
    public MixtureMultivariateNormalDistribution distribution(int g) {
        Mixture m = mixtures.get(g);
        List<Pair<Double, MultivariateNormalDistribution>> parts = new ArrayList<>();
        for (int c = 0; c < m.weights().length; c++) {
            parts.add(new Pair<>(m.weights()[c], new MultivariateNormalDistribution(m.means()[c],
                    square(m.covariances()[c], latentDim).getData())));
        }
        return new MixtureMultivariateNormalDistribution(parts);
    }

    private static int pick(double[] weights, double u) {
        double total = Arrays.stream(weights).sum();
        double acc = 0;
        for (int c = 0; c < weights.length; c++) {
            acc += weights[c] / total;
            if (u < acc) {
                return c;
            }
        }
        return weights.length - 1;
    }

    /** Box-Muller from the one seeded stream, so that sampling never touches a shared generator. */
    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    private static RealMatrix shrink(RealMatrix s) {
        int d = s.getRowDimension();
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = i == j ? Math.max(s.getEntry(i, i), VARIANCE_FLOOR) : (1 - SHRINK) * s.getEntry(i, j);
            }
        }
        return new Array2DRowRealMatrix(out, false);
    }

    private static double[] flatten(RealMatrix m) {
        int d = m.getRowDimension();
        double[] out = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = m.getEntry(i, j);
            }
        }
        return out;
    }

    private static RealMatrix square(double[] flat, int d) {
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return new Array2DRowRealMatrix(out, false);
    }

    private static double[][] rows(float[] flat, int n, int d) {
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = flat[i * d + j];
            }
        }
        return out;
    }
}
