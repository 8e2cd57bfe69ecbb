package org.retinasynth.generation;

import java.util.List;

/**
 * What a caller asks for. Exactly one of {@code counts} (images per grade), {@code balance} (top
 * every grade of the model's training split up to the largest grade, or to {@code target}) or
 * {@code count} (a total, for unconditional models) is given.
 *
 * @param modelId     a SUCCEEDED training job
 * @param temperature z ~ N(0, temperature² I); null means 1
 * @param seed        null picks one at random; it is always recorded
 * @param prior       {@code FITTED} (the prior fitted to the model's training posteriors) or {@code STANDARD}
 *                    (N(0, I)); null means FITTED when the model has one
 */
public record GenerationRequest(String modelId, List<Integer> counts, Boolean balance, Integer target, Integer count,
                                Double temperature, Long seed, String prior) {

    public static final String FITTED = "FITTED";
    public static final String STANDARD = "STANDARD";
}
