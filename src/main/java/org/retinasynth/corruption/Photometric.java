package org.retinasynth.corruption;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Shifts in how light becomes pixel values: exposure, tone curve, colour response and uneven
 * illumination differ between fundus cameras and sessions (pupil size, flash, sensor, vendor
 * processing). None of these change image structure, which is why a model should be invariant to
 * them. Exposure and tone-curve changes happen in both directions in practice, so those two pick a
 * direction at random per call; the others have one documented direction.
 */
final class Photometric {

    static final double MAX_ILLUMINATION_FACTOR = 2.0;
    static final double MAX_CONTRAST_LOSS = 0.8;
    static final double MAX_GAMMA = 2.5;
    static final float[] MAX_CAST_GAIN_DELTA = {-0.10f, +0.15f, -0.50f};
    static final double MAX_FIELD_AMPLITUDE = 0.5;

    private Photometric() {}

    static List<Corruption> corruptions() {
        return List.of(
                new NamedCorruption("illumination",
                        "Global exposure change: intensity *= 2^(+s) or 2^(-s), direction drawn "
                                + "per call with probability 1/2 (factor 0.5..2 at s=1), clamped.",
                        Photometric::illumination),
                new NamedCorruption("contrast",
                        "Contrast loss around each channel's mean (haze, flat tone curve): "
                                + "x = m + (1-0.8*s)*(x-m); channel means are kept.",
                        Photometric::contrast),
                new NamedCorruption("gamma",
                        "Tone-curve change: x = x^g with g = 2.5^(+s) (darker mid-tones) or "
                                + "2.5^(-s) (brighter), direction drawn per call with probability "
                                + "1/2; g in [0.4, 2.5] at s=1.",
                        Photometric::gamma),
                new NamedCorruption("colour_cast",
                        "Different sensor/white balance: channel gains R*(1-0.10*s), G*(1+0.15*s), "
                                + "B*(1-0.50*s), a yellow-green cast like wide-field and some "
                                + "non-mydriatic cameras; clamped.",
                        Photometric::colourCast),
                new NamedCorruption("uneven_field",
                        "Smooth illumination gradient across the field: intensity *= "
                                + "1 + 0.5*s*t, t a linear ramp from -1 to +1 across the image in a "
                                + "direction drawn uniformly per call (factor 0.5..1.5 at s=1).",
                        Photometric::unevenField));
    }

    static void illumination(float[] chw, int h, int w, double s, SplittableRandom rng) {
        double exponent = rng.nextBoolean() ? s : -s;
        float f = (float) Math.pow(MAX_ILLUMINATION_FACTOR, exponent);
        for (int i = 0; i < chw.length; i++) {
            chw[i] = Pixels.clamp01(chw[i] * f);
        }
    }

    static void contrast(float[] chw, int h, int w, double s, SplittableRandom rng) {
        float keep = (float) (1 - MAX_CONTRAST_LOSS * s);
        int plane = h * w;
        for (int c = 0; c < 3; c++) {
            int off = c * plane;
            double sum = 0;
            for (int i = off; i < off + plane; i++) {
                sum += chw[i];
            }
            float m = (float) (sum / plane);
            for (int i = off; i < off + plane; i++) {
                chw[i] = Pixels.clamp01(m + keep * (chw[i] - m));
            }
        }
    }

    static void gamma(float[] chw, int h, int w, double s, SplittableRandom rng) {
        double g = Math.pow(MAX_GAMMA, rng.nextBoolean() ? s : -s);
        for (int i = 0; i < chw.length; i++) {
            chw[i] = Pixels.clamp01((float) Math.pow(Math.max(chw[i], 0f), g));
        }
    }

    static void colourCast(float[] chw, int h, int w, double s, SplittableRandom rng) {
        int plane = h * w;
        for (int c = 0; c < 3; c++) {
            float gain = (float) (1 + MAX_CAST_GAIN_DELTA[c] * s);
            for (int i = c * plane; i < (c + 1) * plane; i++) {
                chw[i] = Pixels.clamp01(chw[i] * gain);
            }
        }
    }

    static void unevenField(float[] chw, int h, int w, double s, SplittableRandom rng) {
        double theta = rng.nextDouble() * 2 * Math.PI;
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        // Normalising by |cos|+|sin| makes the ramp reach exactly -1 and +1 at opposite corners
        // for every direction, so severity alone sets the strength.
        double a = MAX_FIELD_AMPLITUDE * s / (Math.abs(cos) + Math.abs(sin));
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            double v = h == 1 ? 0 : 2.0 * y / (h - 1) - 1;
            for (int x = 0; x < w; x++) {
                double u = w == 1 ? 0 : 2.0 * x / (w - 1) - 1;
                float f = (float) (1 + a * (u * cos + v * sin));
                int i = y * w + x;
                chw[i] = Pixels.clamp01(chw[i] * f);
                chw[i + plane] = Pixels.clamp01(chw[i + plane] * f);
                chw[i + 2 * plane] = Pixels.clamp01(chw[i + 2 * plane] * f);
            }
        }
    }
}
