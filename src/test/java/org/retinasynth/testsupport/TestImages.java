package org.retinasynth.testsupport;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Images made in code and the statistics tests check them with, all as CHW (or NCHW) floats in
 * [0,1]: one place, so corruption, model and benchmark code test against the same pictures.
 */
public final class TestImages {

    private TestImages() {}

    /**
     * Gradients in each channel plus discs (bright, dark, pure white) so that blur, JPEG and the
     * photometric shifts all have edges, smooth ramps and saturated values to act on.
     */
    public static float[] structured(int h, int w) {
        float[] chw = new float[3 * h * w];
        int plane = h * w;
        float[][] discs = {
            // cx, cy, r (fractions of width), R, G, B
            {0.30f, 0.30f, 0.12f, 0.95f, 0.85f, 0.20f},
            {0.70f, 0.60f, 0.18f, 0.05f, 0.10f, 0.05f},
            {0.50f, 0.82f, 0.08f, 1.00f, 1.00f, 1.00f},
            {0.85f, 0.15f, 0.06f, 0.60f, 0.05f, 0.10f},
        };
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                float u = x / (float) (w - 1);
                float v = y / (float) (h - 1);
                chw[i] = 0.1f + 0.8f * u;
                chw[i + plane] = 0.1f + 0.8f * v;
                chw[i + 2 * plane] = 0.2f + 0.3f * (u + v);
                for (float[] d : discs) {
                    float dx = x - d[0] * w;
                    float dy = y - d[1] * h;
                    if (dx * dx + dy * dy <= d[2] * w * d[2] * w) {
                        chw[i] = d[3];
                        chw[i + plane] = d[4];
                        chw[i + 2 * plane] = d[5];
                    }
                }
            }
        }
        return chw;
    }

    public static float[] constant(int h, int w, float value) {
        float[] chw = new float[3 * h * w];
        Arrays.fill(chw, value);
        return chw;
    }

    /** Smooth, non-linear ramps: no edges of its own, so JPEG block edges stand out. */
    public static float[] smooth(int h, int w) {
        float[] chw = new float[3 * h * w];
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double u = x / (double) (w - 1);
                double v = y / (double) (h - 1);
                int i = y * w + x;
                chw[i] = (float) (0.2 + 0.6 * u * u);
                chw[i + plane] = (float) (0.3 + 0.4 * Math.sin(Math.PI * v) * u);
                chw[i + 2 * plane] = (float) (0.2 + 0.5 * v);
            }
        }
        return chw;
    }

    /**
     * Tiny fundus-like images: an orange-red disc on a black background with a brighter optic disc
     * and {@code grade * 2} dark dots ("lesions"), so a model has structure and grades to learn.
     * NCHW; {@code grades == null} draws them from {@code seed}.
     */
    public static float[] fundusBatch(int n, int size, int[] grades, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int plane = size * size;
        float[] out = new float[n * 3 * plane];
        for (int i = 0; i < n; i++) {
            int grade = grades == null ? rng.nextInt(5) : grades[i];
            double cx = size / 2.0 + (rng.nextDouble() - 0.5) * size * 0.1;
            double cy = size / 2.0 + (rng.nextDouble() - 0.5) * size * 0.1;
            double r = size * (0.38 + 0.08 * rng.nextDouble());
            double[] rgb = {0.75 + 0.2 * rng.nextDouble(), 0.3 + 0.2 * rng.nextDouble(),
                    0.1 + 0.1 * rng.nextDouble()};
            double ox = cx + r * 0.5 * (rng.nextBoolean() ? 1 : -1);
            double oy = cy + (rng.nextDouble() - 0.5) * r * 0.3;
            double or = r * 0.22;
            int dots = 2 * grade;
            double[][] dot = new double[dots][];
            for (int d = 0; d < dots; d++) {
                double a = rng.nextDouble() * 2 * Math.PI;
                double rr = r * 0.7 * Math.sqrt(rng.nextDouble());
                dot[d] = new double[] {cx + rr * Math.cos(a), cy + rr * Math.sin(a),
                        Math.max(1.0, size * 0.04)};
            }
            int base = i * 3 * plane;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double dist = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
                    if (dist > r) {
                        continue;
                    }
                    double shade = 1.0 - 0.35 * (dist / r) * (dist / r);
                    double[] px = {rgb[0] * shade, rgb[1] * shade, rgb[2] * shade};
                    if (Math.hypot(x + 0.5 - ox, y + 0.5 - oy) < or) {
                        px = new double[] {0.95, 0.85, 0.55};
                    }
                    for (double[] d : dot) {
                        if (Math.hypot(x + 0.5 - d[0], y + 0.5 - d[1]) < d[2]) {
                            px = new double[] {px[0] * 0.25, px[1] * 0.2, px[2] * 0.2};
                        }
                    }
                    for (int c = 0; c < 3; c++) {
                        out[base + c * plane + y * size + x] = (float) px[c];
                    }
                }
            }
        }
        return out;
    }

    public static int[] randomGrades(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] g = new int[n];
        for (int i = 0; i < n; i++) {
            g[i] = rng.nextInt(5);
        }
        return g;
    }

    /** K noisy copies (k-major) of a batch: x + N(0, sigma^2), clipped to [0,1]. */
    public static float[] noisy(float[] clean, int copies, double sigma, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] out = new float[clean.length * copies];
        for (int k = 0; k < copies; k++) {
            for (int i = 0; i < clean.length; i++) {
                double v = clean[i] + sigma * rng.nextGaussian();
                out[k * clean.length + i] = (float) Math.min(1.0, Math.max(0.0, v));
            }
        }
        return out;
    }

    /** Peak signal-to-noise ratio in dB for values in [0,1]. */
    public static double psnr(float[] a, float[] b) {
        return 10 * Math.log10(1.0 / mse(a, b));
    }

    public static double mse(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum / a.length;
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    public static double channelMean(float[] chw, int h, int w, int c) {
        double sum = 0;
        int plane = h * w;
        for (int i = c * plane; i < (c + 1) * plane; i++) {
            sum += chw[i];
        }
        return sum / plane;
    }

    public static double mean(float[] chw) {
        double sum = 0;
        for (float v : chw) {
            sum += v;
        }
        return sum / chw.length;
    }

    /** Variance of the 4-neighbour Laplacian over interior pixels, all channels: a sharpness measure. */
    public static double laplacianVariance(float[] chw, int h, int w) {
        int plane = h * w;
        double sum = 0;
        double sumSq = 0;
        int n = 0;
        for (int c = 0; c < 3; c++) {
            int o = c * plane;
            for (int y = 1; y < h - 1; y++) {
                for (int x = 1; x < w - 1; x++) {
                    int i = o + y * w + x;
                    double lap = chw[i - 1] + chw[i + 1] + chw[i - w] + chw[i + w] - 4 * chw[i];
                    sum += lap;
                    sumSq += lap * lap;
                    n++;
                }
            }
        }
        double m = sum / n;
        return sumSq / n - m * m;
    }

    /** Mean of the 3x3 block of pixels (all channels) around (y, x). */
    public static double patchMean(float[] chw, int h, int w, int y, int x) {
        int plane = h * w;
        double sum = 0;
        int n = 0;
        for (int c = 0; c < 3; c++) {
            for (int yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
                for (int xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
                    sum += chw[c * plane + yy * w + xx];
                    n++;
                }
            }
        }
        return sum / n;
    }
}
