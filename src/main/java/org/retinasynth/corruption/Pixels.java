package org.retinasynth.corruption;

/** Small helpers shared by the operations; kept here so each operation reads as its formula. */
final class Pixels {

    private Pixels() {}

    static void checkShape(float[] chw, int h, int w) {
        if (h <= 0 || w <= 0 || chw.length != 3L * h * w) {
            throw new IllegalArgumentException(
                    "expected 3*" + h + "*" + w + " CHW values, got " + chw.length);
        }
    }

    /** NaN passes through on purpose: hiding it would mask a bug upstream. */
    static float clamp01(float v) {
        return v < 0f ? 0f : (v > 1f ? 1f : v);
    }

    static void clamp01(float[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = clamp01(a[i]);
        }
    }

    static int clamp(int v, int lo, int hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}
