package org.retinasynth.corruption;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Pixel noise: the corruptions of the denoising criterion itself. Im et al. train with additive
 * Gaussian and salt-and-pepper noise; masking (dropout) is the third classic denoising-autoencoder
 * corruption (Vincent et al.) and imitates dead or saturated sensor pixels and transmission loss.
 * All act on whole pixels or single samples independently, so they carry no image structure and
 * are what the encoder must learn to ignore.
 */
final class Noise {

    static final double MAX_SIGMA = 0.3;
    static final double MAX_SALT_PEPPER_FRACTION = 0.3;
    static final double MAX_DROPOUT_FRACTION = 0.6;

    private Noise() {}

    static List<Corruption> corruptions() {
        return List.of(
                new NamedCorruption("gaussian",
                        "Additive Gaussian noise, independent per pixel and channel: "
                                + "sigma = 0.3*s in [0,1] intensity units, then clamped.",
                        Noise::gaussian),
                new NamedCorruption("salt_pepper",
                        "Impulse noise: a fraction 0.3*s of pixels (all three channels together, "
                                + "like dead/hot sensor pixels) set to black or white with equal "
                                + "probability.",
                        Noise::saltPepper),
                new NamedCorruption("masking",
                        "Pixel dropout: a fraction 0.6*s of pixels, chosen independently, set to "
                                + "zero in all channels. No rectangular patches.",
                        Noise::masking));
    }

    static void gaussian(float[] chw, int h, int w, double s, SplittableRandom rng) {
        double sigma = MAX_SIGMA * s;
        for (int i = 0; i < chw.length; i++) {
            chw[i] = Pixels.clamp01((float) (chw[i] + sigma * rng.nextGaussian()));
        }
    }

    static void saltPepper(float[] chw, int h, int w, double s, SplittableRandom rng) {
        double p = MAX_SALT_PEPPER_FRACTION * s;
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            double u = rng.nextDouble();
            if (u < p) {
                // The same uniform also picks the polarity: one draw per pixel, not two.
                float v = u < p / 2 ? 0f : 1f;
                chw[i] = v;
                chw[i + plane] = v;
                chw[i + 2 * plane] = v;
            }
        }
    }

    static void masking(float[] chw, int h, int w, double s, SplittableRandom rng) {
        double p = MAX_DROPOUT_FRACTION * s;
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            if (rng.nextDouble() < p) {
                chw[i] = 0f;
                chw[i + plane] = 0f;
                chw[i + 2 * plane] = 0f;
            }
        }
    }
}
