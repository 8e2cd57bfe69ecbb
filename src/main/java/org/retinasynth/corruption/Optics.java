package org.retinasynth.corruption;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Shifts that come from the camera optics rather than the sensor: a different lens, focus or
 * pupil gives softer images and darker borders. Spatial parameters are stated at 64 px width and
 * scaled with the actual width, so a severity means the same optical blur whatever resolution a
 * model is trained at.
 */
final class Optics {

    static final double REFERENCE_WIDTH = 64;
    static final double MAX_BLUR_SIGMA_AT_64 = 3.0;
    static final double MAX_DEFOCUS_RADIUS_AT_64 = 4.0;
    static final double MAX_VIGNETTING_LOSS = 0.8;

    private Optics() {}

    static List<Corruption> corruptions() {
        return List.of(
                new NamedCorruption("blur",
                        "Gaussian blur (soft optics, scattering media): "
                                + "sigma = 3*s px at 64 px width, scaled with width "
                                + "(sigma = 0.046875*s*width); edges replicated.",
                        Optics::blur),
                new NamedCorruption("defocus",
                        "Out-of-focus disc (pillbox) blur: radius = 4*s px at 64 px width, scaled "
                                + "with width (radius = 0.0625*s*width); anti-aliased disc edge, "
                                + "edges replicated.",
                        Optics::defocus),
                new NamedCorruption("vignetting",
                        "Radial fall-off towards the edge: intensity *= 1 - 0.8*s*rho^2, rho = "
                                + "distance from the centre / half-diagonal (corners keep 1-0.8*s).",
                        Optics::vignetting));
    }

    static double blurSigma(double s, int w) {
        return MAX_BLUR_SIGMA_AT_64 * s * w / REFERENCE_WIDTH;
    }

    static double defocusRadius(double s, int w) {
        return MAX_DEFOCUS_RADIUS_AT_64 * s * w / REFERENCE_WIDTH;
    }

    static void blur(float[] chw, int h, int w, double s, SplittableRandom rng) {
        Filters.gaussianBlur(chw, h, w, blurSigma(s, w));
    }

    static void defocus(float[] chw, int h, int w, double s, SplittableRandom rng) {
        Filters.discBlur(chw, h, w, defocusRadius(s, w));
    }

    static void vignetting(float[] chw, int h, int w, double s, SplittableRandom rng) {
        double a = MAX_VIGNETTING_LOSS * s;
        double cy = (h - 1) / 2.0;
        double cx = (w - 1) / 2.0;
        double inv = 1.0 / (cx * cx + cy * cy + 1e-12);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            double dy2 = (y - cy) * (y - cy);
            for (int x = 0; x < w; x++) {
                float f = (float) (1 - a * ((x - cx) * (x - cx) + dy2) * inv);
                int i = y * w + x;
                chw[i] = Pixels.clamp01(chw[i] * f);
                chw[i + plane] = Pixels.clamp01(chw[i + plane] * f);
                chw[i + 2 * plane] = Pixels.clamp01(chw[i + 2 * plane] * f);
            }
        }
    }
}
