package org.retinasynth.metrics;

/** Fidelity of images in [0,1] against references, flat NCHW float arrays. */
public final class ImageMetrics {

    /** PSNR of a perfect copy: the MSE is floored at 1e-12, i.e. 120 dB, so that averages stay finite. */
    static final double MIN_MSE = 1e-12;

    private static final int WINDOW = 11;
    private static final double SIGMA = 1.5;
    private static final double C1 = 0.01 * 0.01;
    private static final double C2 = 0.03 * 0.03;
    private static final double[] GAUSS = gaussian();

    private ImageMetrics() {}

    /** PSNR in dB (peak 1), computed per image and averaged over the n images. */
    public static double psnr(float[] reference, float[] test, int n) {
        int per = check(reference, test, n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double se = 0;
            for (int j = i * per; j < (i + 1) * per; j++) {
                double d = reference[j] - test[j];
                se += d * d;
            }
            sum += 10 * Math.log10(1.0 / Math.max(se / per, MIN_MSE));
        }
        return sum / n;
    }

    /**
     * Mean SSIM of Wang et al. (2004): 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03,
     * dynamic range 1, local statistics over "valid" window positions only (as the authors'
     * {@code ssim_index.m}, no padding), mean of the SSIM map per channel, averaged over channels and
     * images. Images are n x c x s x s with s >= 11.
     */
    public static double ssim(float[] reference, float[] test, int n, int c, int s) {
        int per = check(reference, test, n);
        if (c < 1 || s < WINDOW || per != c * s * s) {
            throw new IllegalArgumentException("images must be " + n + " x c x s x s with s >= " + WINDOW
                    + "; got " + per + " floats per image for c=" + c + ", s=" + s);
        }
        int plane = s * s;
        int out = s - WINDOW + 1;
        double[] mu1 = new double[plane];
        double[] mu2 = new double[plane];
        double[] xx = new double[plane];
        double[] yy = new double[plane];
        double[] xy = new double[plane];
        double[] buf = new double[plane];
        double total = 0;
        for (int p = 0; p < n * c; p++) {
            int o = p * plane;
            double[] x = new double[plane];
            double[] y = new double[plane];
            for (int j = 0; j < plane; j++) {
                x[j] = reference[o + j];
                y[j] = test[o + j];
            }
            filter(x, s, mu1, buf);
            filter(y, s, mu2, buf);
            double[] t = new double[plane];
            for (int j = 0; j < plane; j++) {
                t[j] = x[j] * x[j];
            }
            filter(t, s, xx, buf);
            for (int j = 0; j < plane; j++) {
                t[j] = y[j] * y[j];
            }
            filter(t, s, yy, buf);
            for (int j = 0; j < plane; j++) {
                t[j] = x[j] * y[j];
            }
            filter(t, s, xy, buf);
            double map = 0;
            for (int r = 0; r < out; r++) {
                for (int q = 0; q < out; q++) {
                    int j = r * s + q;
                    double m1 = mu1[j];
                    double m2 = mu2[j];
                    double v1 = xx[j] - m1 * m1;
                    double v2 = yy[j] - m2 * m2;
                    double cov = xy[j] - m1 * m2;
                    map += (2 * m1 * m2 + C1) * (2 * cov + C2) / ((m1 * m1 + m2 * m2 + C1) * (v1 + v2 + C2));
                }
            }
            total += map / ((double) out * out);
        }
        return total / (n * c);
    }

    /**
     * Separable Gaussian filter over valid positions: {@code result[r*s+q]} is the weighted mean of
     * the window whose top-left corner is (r, q).
     */
    private static void filter(double[] img, int s, double[] result, double[] buf) {
        int out = s - WINDOW + 1;
        for (int r = 0; r < s; r++) {
            for (int q = 0; q < out; q++) {
                double v = 0;
                for (int k = 0; k < WINDOW; k++) {
                    v += GAUSS[k] * img[r * s + q + k];
                }
                buf[r * s + q] = v;
            }
        }
        for (int r = 0; r < out; r++) {
            for (int q = 0; q < out; q++) {
                double v = 0;
                for (int k = 0; k < WINDOW; k++) {
                    v += GAUSS[k] * buf[(r + k) * s + q];
                }
                result[r * s + q] = v;
            }
        }
    }

    private static double[] gaussian() {
        double[] g = new double[WINDOW];
        double sum = 0;
        for (int k = 0; k < WINDOW; k++) {
            double d = k - WINDOW / 2;
            g[k] = Math.exp(-d * d / (2 * SIGMA * SIGMA));
            sum += g[k];
        }
        for (int k = 0; k < WINDOW; k++) {
            g[k] /= sum;
        }
        return g;
    }

    private static int check(float[] reference, float[] test, int n) {
        if (n < 1 || reference == null || test == null || reference.length != test.length
                || reference.length % n != 0 || reference.length == 0) {
            throw new IllegalArgumentException("reference and test must hold the same n >= 1 images");
        }
        return reference.length / n;
    }
}
