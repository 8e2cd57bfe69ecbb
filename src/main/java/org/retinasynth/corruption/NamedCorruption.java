package org.retinasynth.corruption;

import java.util.Objects;
import java.util.SplittableRandom;
import org.retinasynth.image.Img;

/**
 * Pairs a name and description with the pixel operation, and enforces the {@link Corruption}
 * contract once instead of in every operation: argument checks, and severity 0 as an exact
 * identity (which also keeps JPEG from re-encoding a clean image).
 */
final class NamedCorruption implements Corruption {

    /** The operation proper; it may assume valid arguments and {@code 0 < s <= 1}. */
    @FunctionalInterface
    interface Op {
        void apply(float[] chw, int h, int w, double s, SplittableRandom rng);
    }

    private final String name;
    private final String description;
    private final Op op;

    NamedCorruption(String name, String description, Op op) {
        this.name = name;
        this.description = description;
        this.op = op;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void apply(float[] chw, int h, int w, double severity, SplittableRandom rng) {
        Objects.requireNonNull(chw, "chw");
        Objects.requireNonNull(rng, "rng");
        Img.checkShape(chw, h, w);
        if (!(severity >= 0 && severity <= 1)) {
            throw new IllegalArgumentException(
                    "severity of '" + name + "' must be in [0,1], got " + severity);
        }
        if (severity == 0) {
            return;
        }
        op.apply(chw, h, w, severity, rng);
    }

    @Override
    public String toString() {
        return name;
    }
}
