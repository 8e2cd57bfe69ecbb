package org.retinasynth.model;

import java.util.SplittableRandom;

/**
 * Tiny fundus-like test images made in code: an orange-red disc on a black background with a
 * brighter optic disc and {@code grade * 2} dark dots ("lesions"). NCHW floats in [0,1].
 */
final class SyntheticFundus {

    private SyntheticFundus() {}

    static float[] batch(int n, int size, int[] grades, long seed) {
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

    static int[] grades(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] g = new int[n];
        for (int i = 0; i < n; i++) {
            g[i] = rng.nextInt(5);
        }
        return g;
    }

    /** K noisy copies (k-major) of a batch: x + N(0, sigma^2), clipped to [0,1]. */
    static float[] noisy(float[] clean, int copies, double sigma, long seed) {
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

    static double psnr(float[] a, float[] b) {
        double se = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            se += d * d;
        }
        return 10 * Math.log10(1.0 / (se / a.length));
    }
}
