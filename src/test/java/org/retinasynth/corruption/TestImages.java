package org.retinasynth.corruption;

import java.util.Arrays;

/** Synthetic images and image statistics for the corruption tests. */
final class TestImages {

    private TestImages() {}

    /**
     * Gradients in each channel plus discs (bright, dark, pure white) so that blur, JPEG and the
     * photometric shifts all have edges, smooth ramps and saturated values to act on.
     */
    static float[] structured(int h, int w) {
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

    static float[] constant(int h, int w, float value) {
        float[] chw = new float[3 * h * w];
        Arrays.fill(chw, value);
        return chw;
    }

    /** Smooth, non-linear ramps: no edges of its own, so JPEG block edges stand out. */
    static float[] smooth(int h, int w) {
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

    static double mse(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum / a.length;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    static double channelMean(float[] chw, int h, int w, int c) {
        double sum = 0;
        int plane = h * w;
        for (int i = c * plane; i < (c + 1) * plane; i++) {
            sum += chw[i];
        }
        return sum / plane;
    }

    static double mean(float[] chw) {
        double sum = 0;
        for (float v : chw) {
            sum += v;
        }
        return sum / chw.length;
    }

    /** Variance of the 4-neighbour Laplacian over interior pixels, all channels: a sharpness measure. */
    static double laplacianVariance(float[] chw, int h, int w) {
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
    static double patchMean(float[] chw, int h, int w, int y, int x) {
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
