package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.TestImages;

class ImportanceWeightedLikelihoodTest {

    private static final int SIZE = 28;
    private static final int N = 24;
    private static final int SEEDS = 16;

    private static VaeModel trained(VaeConfig config, int steps) {
        VaeModel model = VaeModel.create(config, 3, "cpu");
        model.setLearningRate(2e-3);
        for (int step = 0; step < steps; step++) {
            int[] g = TestImages.randomGrades(16, step % 4);
            float[] x = TestImages.fundusBatch(16, SIZE, g, step % 4);
            model.trainStep(x, null, config.numClasses() > 0 ? g : null, 16, 1.0);
        }
        return model;
    }

    /**
     * With one sample the estimate is log p(x|z) + log p(z) - log q(z|x), whose expectation is the
     * bound. Both sides are averaged over {@value #SEEDS} draws per image (the bound by evaluating
     * {@value #SEEDS} stacked copies of the images, each copy drawing its own noise) and must agree
     * within four standard errors, estimated from the spread of the one-sample estimates across
     * seeds (evaluate()'s draws vary only in log p(x|z), with the KL exact, so they spread less).
     * More samples tighten the bound: K = 64 must lie above it.
     */
    @ParameterizedTest
    @EnumSource(VaeConfig.Likelihood.class)
    void oneSampleMatchesTheBoundAndMoreSamplesRaiseIt(VaeConfig.Likelihood likelihood) {
        VaeConfig config = VaeConfig.defaults(SIZE).withWidth(8, 16).withLikelihood(likelihood);
        try (VaeModel model = trained(config, 20)) {
            float[] x = TestImages.fundusBatch(N, SIZE, null, 777);
            float[] copies = new float[SEEDS * x.length];
            for (int s = 0; s < SEEDS; s++) {
                System.arraycopy(x, 0, copies, s * x.length, x.length);
            }
            double bound = -model.evaluate(copies, null, null, SEEDS * N).loss();
            double[][] one = new double[SEEDS][];
            for (int s = 0; s < SEEDS; s++) {
                one[s] = model.importanceWeightedLogLikelihood(x, null, N, 1, 100 + s);
            }
            double mean = 0;
            double spread = 0;
            for (int i = 0; i < N; i++) {
                double m = 0;
                for (int s = 0; s < SEEDS; s++) {
                    m += one[s][i] / SEEDS;
                }
                for (int s = 0; s < SEEDS; s++) {
                    spread += (one[s][i] - m) * (one[s][i] - m) / (SEEDS - 1) / N;
                }
                mean += m / N;
            }
            double tolerance = 4 * Math.sqrt(2 * spread / (SEEDS * N));
            double k64 = 0;
            for (double v : model.importanceWeightedLogLikelihood(x, null, N, 64, 7)) {
                k64 += v / N;
            }
            System.out.printf("%s: bound %.2f, IWAE k=1 %.2f (tolerance %.2f), k=64 %.2f nats/image%n",
                    likelihood, bound, mean, tolerance, k64);
            assertThat(mean).isCloseTo(bound, within(tolerance));
            assertThat(k64).isGreaterThan(mean);
        }
    }

    /** The per-sample log-likelihood is the reconstruction term's summand: same formulas, same numbers. */
    @ParameterizedTest
    @EnumSource(VaeConfig.Likelihood.class)
    void perSampleLikelihoodAveragesToTheReconstructionTerm(VaeConfig.Likelihood likelihood) {
        VaeConfig config = VaeConfig.defaults(SIZE).withLikelihood(likelihood);
        int outC = likelihood == VaeConfig.Likelihood.GAUSSIAN_LEARNED ? 6 : 3;
        try (NDManager m = TorchRuntime.engine().newBaseManager(ai.djl.Device.cpu())) {
            NDArray clean = m.create(TestImages.fundusBatch(4, SIZE, null, 1), new Shape(4, 3, SIZE, SIZE));
            NDArray out = m.randomNormal(new Shape(3 * 4, outC, SIZE, SIZE));
            NDArray perSample = VaeObjective.logLikelihood(out, clean, config);
            assertThat(perSample.getShape()).isEqualTo(new Shape(3, 4));
            double expected = -VaeObjective.reconstruction(out, clean, config).getFloat();
            double mean = perSample.mean().getFloat();
            assertThat(mean).isCloseTo(expected, within(1e-5 * Math.abs(expected)));
        }
    }

    @Test
    void conditionalDeterministicAndIndependentOfChunking() {
        VaeConfig config = VaeConfig.defaults(SIZE).withWidth(8, 16).withNumClasses(5);
        try (VaeModel model = trained(config, 3)) {
            int[] g = TestImages.randomGrades(6, 9);
            float[] x = TestImages.fundusBatch(6, SIZE, g, 9);
            double[] a = model.importanceWeightedLogLikelihood(x, g, 6, 10, 5);
            assertThat(a).hasSize(6).doesNotContain(Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
            assertThat(model.importanceWeightedLogLikelihood(x, g, 6, 10, 5)).containsExactly(a);
            model.setCpuChunkBytes(1); // one image and one sample per piece
            assertThat(model.importanceWeightedLogLikelihood(x, g, 6, 10, 5)).containsExactly(a, within(0.05)); // float32 sums of ~1e4 nats
            assertThat(model.importanceWeightedLogLikelihood(x, g, 6, 10, 6)).doesNotContain(a[0]);
            assertThatThrownBy(() -> model.importanceWeightedLogLikelihood(x, null, 6, 10, 5))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> model.importanceWeightedLogLikelihood(x, g, 6, 0, 5))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
