package org.retinasynth.dataset;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Cheap, camera-independent quality numbers for a fundus image, measured over the retinal disc
 * only: the black surround would otherwise dominate the mean and make every statistic depend on
 * how much border a camera leaves. Used to flag dark, washed-out or blurred uploads and to
 * compare generated images with real ones.
 *
 * @param brightness mean luma (BT.601, 0..255) of field-of-view pixels
 * @param contrast   RMS contrast: standard deviation of that luma
 * @param sharpness  variance of the 3x3 Laplacian of luma over interior field-of-view pixels;
 *                   blur removes high frequencies, so it drops first and fastest
 */
public record ImageQuality(double brightness, double contrast, double sharpness) {

    /** Pixels with max(R,G,B) at or below this are border, not retina. */
    static final int BORDER_LEVEL = 10;

    /**
     * Per-channel mean and standard deviation on a 0..1 scale, for normalising tensors at
     * training time ({@code (x/255 - mean) / std}).
     */
    public record ChannelStats(double meanR, double meanG, double meanB,
            double stdR, double stdG, double stdB) {

        /** {R, G, B} means, in the order the uint8 tensors store channels. */
        public double[] mean() {
            return new double[] {meanR, meanG, meanB};
        }

        public double[] std() {
            return new double[] {stdR, stdG, stdB};
        }
    }

    public static ImageQuality measure(BufferedImage img) {
        FundusPreprocessor.Pixels p = FundusPreprocessor.pixels(img);
        int w = p.width();
        int h = p.height();
        double[] luma = new double[w * h];
        boolean[] fov = new boolean[w * h];
        double sum = 0;
        long n = 0;
        for (int i = 0; i < luma.length; i++) {
            int c = p.rgb()[i];
            int r = (c >> 16) & 0xFF;
            int g = (c >> 8) & 0xFF;
            int b = c & 0xFF;
            luma[i] = 0.299 * r + 0.587 * g + 0.114 * b;
            fov[i] = Math.max(r, Math.max(g, b)) > BORDER_LEVEL;
            if (fov[i]) {
                sum += luma[i];
                n++;
            }
        }
        if (n == 0) {
            return new ImageQuality(0, 0, 0);
        }
        double mean = sum / n;
        double var = 0;
        for (int i = 0; i < luma.length; i++) {
            if (fov[i]) {
                var += (luma[i] - mean) * (luma[i] - mean);
            }
        }
        // Only pixels whose whole 3x3 neighbourhood is retina: the disc edge is the strongest
        // edge in any fundus photo and would swamp the sharpness of its contents.
        double lapSum = 0;
        double lapSq = 0;
        long m = 0;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int i = y * w + x;
                if (!(fov[i] && fov[i - 1] && fov[i + 1] && fov[i - w] && fov[i + w]
                        && fov[i - w - 1] && fov[i - w + 1] && fov[i + w - 1] && fov[i + w + 1])) {
                    continue;
                }
                double lap = luma[i - 1] + luma[i + 1] + luma[i - w] + luma[i + w] - 4 * luma[i];
                lapSum += lap;
                lapSq += lap * lap;
                m++;
            }
        }
        double sharp = m == 0 ? 0 : lapSq / m - (lapSum / m) * (lapSum / m);
        return new ImageQuality(mean, Math.sqrt(var / n), Math.max(0, sharp));
    }

    /** Channel statistics of one image; see {@link #channelStats(Iterable)}. */
    public static ChannelStats channelStats(BufferedImage img) {
        return channelStats(List.of(img));
    }

    /**
     * Pooled channel statistics over all pixels of many (preprocessed) images. Unlike the quality
     * numbers this includes the black border: the network sees those pixels too, and
     * normalisation should centre what it actually gets.
     */
    public static ChannelStats channelStats(Iterable<BufferedImage> images) {
        double[] s = new double[3];
        double[] sq = new double[3];
        long n = 0;
        for (BufferedImage img : images) {
            for (int c : FundusPreprocessor.pixels(img).rgb()) {
                int[] v = {(c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF};
                for (int k = 0; k < 3; k++) {
                    s[k] += v[k];
                    sq[k] += (double) v[k] * v[k];
                }
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("no images");
        }
        double[] mean = new double[3];
        double[] std = new double[3];
        for (int k = 0; k < 3; k++) {
            double m = s[k] / n;
            mean[k] = m / 255.0;
            std[k] = Math.sqrt(Math.max(0, sq[k] / n - m * m)) / 255.0;
        }
        return new ChannelStats(mean[0], mean[1], mean[2], std[0], std[1], std[2]);
    }
}
