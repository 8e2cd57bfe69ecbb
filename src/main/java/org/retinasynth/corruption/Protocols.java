package org.retinasynth.corruption;

import java.util.List;

/**
 * Fixed evaluation settings, so robustness numbers from different runs and models are measured
 * against exactly the same corruptions and can be compared.
 */
public final class Protocols {

    /** Number of evaluation severity levels, as in the usual 1..5 corruption benchmarks. */
    public static final int LEVELS = 5;

    private Protocols() {}

    /**
     * Severity of evaluation level {@code k}: {@code k / 5}, i.e. 0.2, 0.4, 0.6, 0.8, 1.0. Evenly
     * spaced and ending at 1, so level 5 is each corruption's strongest documented setting.
     *
     * @throws IllegalArgumentException unless {@code 1 <= k <= 5}
     */
    public static double level(int k) {
        if (k < 1 || k > LEVELS) {
            throw new IllegalArgumentException("level must be in 1.." + LEVELS + ", got " + k);
        }
        return k / (double) LEVELS;
    }

    /**
     * The "equipment shift" protocol: an image as if taken with a different fundus camera. Fixed
     * components, always applied, in the order light passes through the system:
     *
     * <ol>
     *   <li>{@code blur} at 0.5*s (softer optics; sigma up to 1.5 px at 64 px)
     *   <li>{@code vignetting} at 0.5*s (corners down to 0.6 of their value)
     *   <li>{@code colour_cast} at s (a different sensor's yellow-green response)
     *   <li>{@code contrast} at 0.5*s (flatter vendor tone curve; 0.6 of the contrast)
     * </ol>
     *
     * <p>The spatial and tonal parts are halved so that, combined, level 5 stays a plausible
     * camera rather than a destroyed image. None of these draw from the rng, so the protocol is
     * deterministic per image.
     *
     * @param severity in [0,1]; 0 gives a spec that {@link CorruptionSpec#isIdentity() is identity}
     */
    public static CorruptionSpec equipmentShift(double severity) {
        if (!(severity >= 0 && severity <= 1)) {
            throw new IllegalArgumentException("severity must be in [0,1], got " + severity);
        }
        return new CorruptionSpec(List.of(
                new CorruptionSpec.Component("blur", 0.5 * severity),
                new CorruptionSpec.Component("vignetting", 0.5 * severity),
                new CorruptionSpec.Component("colour_cast", severity),
                new CorruptionSpec.Component("contrast", 0.5 * severity)));
    }
}
