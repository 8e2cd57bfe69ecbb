package org.retinasynth.dataset;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * A 64-bit DCT perceptual hash (the low 8×8 frequencies of a 32×32 grey copy, each bit saying
 * whether a coefficient is above their median). Re-encoding, resizing and mild brightness changes
 * move it by a few bits; two different fundus photographs differ in about half of them, so a small
 * Hamming distance flags a near-duplicate that identical-pixel hashing misses.
 */
final class PerceptualHash {

    static final int SIZE = 32;
    private static final int LOW = 8;
    private static final double[][] COS = new double[LOW][SIZE];

    static {
        for (int u = 0; u < LOW; u++) {
            for (int x = 0; x < SIZE; x++) {
                COS[u][x] = Math.cos((2 * x + 1) * u * Math.PI / (2 * SIZE));
            }
        }
    }

    private PerceptualHash() {
    }

    static long of(BufferedImage image) {
        BufferedImage small = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(image, 0, 0, SIZE, SIZE, null);
        g.dispose();
        double[][] grey = new double[SIZE][SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int rgb = small.getRGB(x, y);
                grey[y][x] = 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
            }
        }
        double[] coefficients = new double[LOW * LOW];
        for (int v = 0; v < LOW; v++) {
            for (int u = 0; u < LOW; u++) {
                double sum = 0;
                for (int y = 0; y < SIZE; y++) {
                    double row = 0;
                    for (int x = 0; x < SIZE; x++) {
                        row += grey[y][x] * COS[u][x];
                    }
                    sum += row * COS[v][y];
                }
                coefficients[v * LOW + u] = sum;
            }
        }
        // The DC term says only how bright the image is; leave it out of the median.
        double[] ac = java.util.Arrays.copyOfRange(coefficients, 1, coefficients.length);
        java.util.Arrays.sort(ac);
        double median = (ac[ac.length / 2 - 1] + ac[ac.length / 2]) / 2;
        long hash = 0;
        for (int i = 1; i < coefficients.length; i++) {
            if (coefficients[i] > median) {
                hash |= 1L << i;
            }
        }
        return hash;
    }

    static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }
}
