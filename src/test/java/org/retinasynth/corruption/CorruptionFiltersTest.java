package org.retinasynth.corruption;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.TestImages;

/** The fast blur implementations against brute-force 2D convolution with replicated borders. */
class CorruptionFiltersTest {

    static float[] random(int h, int w, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[3 * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        return x;
    }

    static float[] bruteForce(float[] src, int h, int w, double[][] kernel) {
        int r = kernel.length / 2;
        double total = 0;
        for (double[] row : kernel) {
            for (double v : row) {
                total += v;
            }
        }
        float[] out = new float[src.length];
        int plane = h * w;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double acc = 0;
                    for (int dy = -r; dy <= r; dy++) {
                        for (int dx = -r; dx <= r; dx++) {
                            int yy = Math.min(h - 1, Math.max(0, y + dy));
                            int xx = Math.min(w - 1, Math.max(0, x + dx));
                            acc += kernel[dy + r][dx + r] * src[c * plane + yy * w + xx];
                        }
                    }
                    out[c * plane + y * w + x] = (float) (acc / total);
                }
            }
        }
        return out;
    }

    @Test
    void separableGaussianEqualsTwoDimensionalConvolution() {
        int h = 23;
        int w = 31;
        for (double sigma : new double[] {0.3, 1.0, 2.7, 9.0}) {
            float[] src = random(h, w, 1);
            float[] k = Filters.gaussianKernel(sigma);
            double[][] k2 = new double[k.length][k.length];
            for (int i = 0; i < k.length; i++) {
                for (int j = 0; j < k.length; j++) {
                    k2[i][j] = (double) k[i] * k[j];
                }
            }
            float[] expected = bruteForce(src, h, w, k2);
            float[] actual = src.clone();
            Filters.gaussianBlur(actual, h, w, sigma);
            assertThat(TestImages.maxAbsDiff(actual, expected)).as("sigma=%s", sigma).isLessThan(1e-5);
        }
    }

    @Test
    void prefixSumDiscEqualsTwoDimensionalConvolution() {
        int h = 19;
        int w = 27;
        // Includes radii below one pixel, half-integers, and wider than the image.
        for (double radius : new double[] {0.2, 0.5, 1.0, 1.37, 2.5, 4.0, 7.3, 30.0}) {
            float[] src = random(h, w, 2);
            int r = (int) Math.ceil(radius + 0.5);
            double[][] k = new double[2 * r + 1][2 * r + 1];
            for (int dy = -r; dy <= r; dy++) {
                for (int dx = -r; dx <= r; dx++) {
                    k[dy + r][dx + r] = Filters.discWeight(radius, dx, dy);
                }
            }
            float[] expected = bruteForce(src, h, w, k);
            float[] actual = src.clone();
            Filters.discBlur(actual, h, w, radius);
            assertThat(TestImages.maxAbsDiff(actual, expected)).as("radius=%s", radius).isLessThan(1e-5);
        }
    }

    @Test
    void discIsRoundAndZeroRadiusIsIdentity() {
        assertThat(Filters.discWeight(0.0, 0, 0)).isPositive();
        assertThat(Filters.discWeight(0.0, 1, 0)).isZero();
        // Symmetric under 90 degree rotation and mirroring, falling off with distance.
        assertThat(Filters.discWeight(2.3, 2, 1)).isEqualTo(Filters.discWeight(2.3, -1, 2));
        assertThat(Filters.discWeight(2.3, 2, 0)).isGreaterThan(Filters.discWeight(2.3, 2, 2));
        float[] src = random(9, 9, 3);
        float[] x = src.clone();
        Filters.discBlur(x, 9, 9, 0.0);
        assertThat(TestImages.maxAbsDiff(x, src)).isLessThan(1e-6);
    }
}
