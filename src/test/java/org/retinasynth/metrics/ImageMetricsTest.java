package org.retinasynth.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class ImageMetricsTest {

    /** Image 1 off by 0.1 everywhere (MSE 1e-2, 20 dB), image 2 by 0.01 (40 dB): mean 30 dB per image. */
    @Test
    void psnrIsPerImageThenAveraged() {
        int per = 3 * 4 * 4;
        float[] ref = new float[2 * per];
        float[] test = new float[2 * per];
        Arrays.fill(test, 0, per, 0.1f);
        Arrays.fill(test, per, 2 * per, 0.01f);
        assertThat(ImageMetrics.psnr(ref, test, 2)).isCloseTo(30.0, within(1e-4));
        assertThat(ImageMetrics.psnr(ref, ref, 2)).isCloseTo(120.0, within(1e-9));
    }

    /** Constant images a, b: variances and covariance vanish, SSIM = (2ab + C1) / (a^2 + b^2 + C1). */
    @Test
    void ssimOfConstantImagesByHand() {
        int s = 16;
        float[] a = new float[3 * s * s];
        float[] b = new float[3 * s * s];
        Arrays.fill(a, 0.2f);
        Arrays.fill(b, 0.6f);
        double c1 = 1e-4;
        double fa = 0.2f;
        double fb = 0.6f;
        assertThat(ImageMetrics.ssim(a, b, 1, 3, s))
                .isCloseTo((2 * fa * fb + c1) / (fa * fa + fb * fb + c1), within(1e-9));
    }

    /**
     * Reference from a direct transcription of Wang's ssim_index.m (scipy.signal.convolve2d, "valid",
     * normalised 11x11 Gaussian, sigma 1.5), computed once with NumPy 2.4 / SciPy 1.17 on these
     * float32 images.
     */
    @Test
    void ssimMatchesTheReferenceImplementation() {
        int s = 16;
        float[] x = new float[2 * s * s];
        float[] y = new float[2 * s * s];
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    double base = 0.5 + 0.4 * Math.sin(0.3 * i + 0.7 * j + c);
                    x[(c * s + i) * s + j] = (float) base;
                    y[(c * s + i) * s + j] = (float) (base + 0.1 * Math.cos(1.3 * i * j + c));
                }
            }
        }
        assertThat(ImageMetrics.ssim(x, y, 1, 2, s)).isCloseTo(0.9601060751219939, within(1e-6));
    }

    @Test
    void ssimIsOneForIdenticalAndFallsWithNoise() {
        int s = 28;
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = new float[2 * 3 * s * s];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.5 + 0.3 * Math.sin(i * 0.07) * Math.cos(i * 0.013));
        }
        assertThat(ImageMetrics.ssim(x, x, 2, 3, s)).isCloseTo(1.0, within(1e-9));
        double previous = 1;
        for (double sigma : new double[] {0.02, 0.1, 0.3}) {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = (float) (x[i] + sigma * rng.nextGaussian());
            }
            double v = ImageMetrics.ssim(x, y, 2, 3, s);
            assertThat(v).isLessThan(previous);
            assertThat(ImageMetrics.ssim(y, x, 2, 3, s)).isCloseTo(v, within(1e-12));
            previous = v;
        }
        assertThat(previous).isLessThan(0.5);
    }
}
