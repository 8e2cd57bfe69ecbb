package org.retinasynth.corruption;

import java.util.SplittableRandom;

/**
 * One named corruption x -&gt; x&#771; whose strength is controlled by a single severity, so that a
 * training job, an API request and an evaluation protocol can all say "blur at 0.4" and mean the
 * same pixels.
 *
 * <p>Contract, relied upon by {@link CorruptionSpec} and by the evaluation code:
 *
 * <ul>
 *   <li>{@code chw} holds 3 planes (R, G, B) of {@code h * w} values in [0,1] and is modified in
 *       place; the result is clamped to [0,1].
 *   <li>Severity 0 leaves the image untouched; 1 is the strongest level still worth training or
 *       evaluating on. {@link #description()} states the mapping from severity to parameters.
 *   <li>The result depends only on the input, the severity and the state of {@code rng}; equal
 *       seeds give identical output. Implementations are stateless and safe to share between
 *       threads; the rng is not, so each thread brings its own.
 * </ul>
 */
public interface Corruption {

    /** Stable lower-case identifier used in specs, JSON and the CLI, e.g. {@code "blur"}. */
    String name();

    /** What the corruption imitates and how severity maps to its parameters. */
    String description();

    /**
     * Corrupts {@code chw} in place.
     *
     * @throws IllegalArgumentException if the severity is outside [0,1] or the array length is not
     *     {@code 3 * h * w}
     */
    void apply(float[] chw, int h, int w, double severity, SplittableRandom rng);
}
