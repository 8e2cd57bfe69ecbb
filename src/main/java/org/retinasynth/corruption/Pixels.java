package org.retinasynth.corruption;

/** Small helpers shared by the operations; kept here so each operation reads as its formula. */
final class Pixels {

    private Pixels() {}

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
