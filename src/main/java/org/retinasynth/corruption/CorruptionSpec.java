package org.retinasynth.corruption;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a training job or API request asks for: an ordered list of corruptions, each applied with
 * its own probability. This is the corruption distribution q(x&#771;|x) of the denoising VAE, so it
 * is a value (JSON-mappable record, compact text form) rather than code.
 *
 * <p>Construction does not validate, so that a JSON body can be bound first and rejected with all
 * its problems at once by {@link #validate()}; {@link #parse} and {@link #apply} validate.
 *
 * @param components applied in list order; never null (null becomes empty)
 */
public record CorruptionSpec(List<Component> components) {

    private static final String FORMAT =
            "expected name:severity[@probability] separated by commas, "
                    + "e.g. \"gaussian:0.3,blur:0.5@0.5\", or \"none\"";

    /**
     * One corruption of a spec.
     *
     * @param name        a name from {@link CorruptionRegistry#names()}
     * @param severity    in [0,1]
     * @param probability chance of applying it to a given image, in (0,1]. JSON must state it;
     *                    an omitted field is refused by Jackson 3's default binding, or binds to 0
     *                    and is rejected by {@link CorruptionSpec#validate()}.
     */
    public record Component(String name, double severity, double probability) {

        /** Always applied. */
        public Component(String name, double severity) {
            this(name, severity, 1.0);
        }
    }

    public CorruptionSpec {
        // A mutable copy wrapped, not List.copyOf: nulls must survive to be reported by validate().
        components = components == null
                ? List.of()
                : Collections.unmodifiableList(new ArrayList<>(components));
    }

    public static CorruptionSpec none() {
        return new CorruptionSpec(List.of());
    }

    /** True if applying this spec can never change an image. */
    public boolean isIdentity() {
        for (Component c : components) {
            if (c != null && c.severity() != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * @throws IllegalArgumentException listing every problem: unknown names, severities outside
     *     [0,1], probabilities outside (0,1]
     */
    public CorruptionSpec validate() {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < components.size(); i++) {
            Component c = components.get(i);
            String where = "component " + (i + 1);
            if (c == null) {
                problems.add(where + " is null");
                continue;
            }
            where += " (" + c.name() + ")";
            if (c.name() == null || !CorruptionRegistry.names().contains(c.name())) {
                problems.add(where + ": unknown corruption; valid names: "
                        + String.join(", ", CorruptionRegistry.names()));
            }
            if (!(c.severity() >= 0 && c.severity() <= 1)) {
                problems.add(where + ": severity must be in [0,1], got " + c.severity());
            }
            if (!(c.probability() > 0 && c.probability() <= 1)) {
                problems.add(where + ": probability must be in (0,1], got " + c.probability());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid corruption spec: " + String.join("; ", problems));
        }
        return this;
    }

    /**
     * Applies each component in order, in place. For every component one uniform is drawn from
     * {@code rng} to decide whether it applies (drawn even when the probability is 1, so the
     * random stream does not depend on the probabilities), then the corruption draws what it needs.
     */
    public void apply(float[] chw, int h, int w, SplittableRandom rng) {
        validate();
        for (Component c : components) {
            boolean hit = rng.nextDouble() < c.probability();
            if (hit) {
                CorruptionRegistry.get(c.name()).apply(chw, h, w, c.severity(), rng);
            }
        }
    }

    /**
     * Parses the compact form {@code name:severity[@probability],...}, e.g.
     * {@code "gaussian:0.3,blur:0.5@0.5"}; whitespace is ignored and {@code ""} or {@code "none"}
     * is the empty spec. Inverse of {@link #toText()}.
     *
     * @throws IllegalArgumentException saying which part is wrong and what was expected
     */
    public static CorruptionSpec parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("corruption spec is null; " + FORMAT);
        }
        String compact = text.replaceAll("\\s+", "");
        if (compact.isEmpty() || compact.equals("none")) {
            return none();
        }
        List<Component> components = new ArrayList<>();
        for (String part : compact.split(",", -1)) {
            int colon = part.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(
                        "bad corruption spec '" + text + "' at '" + part + "': " + FORMAT);
            }
            String name = part.substring(0, colon);
            String rest = part.substring(colon + 1);
            int at = rest.indexOf('@');
            String severity = at < 0 ? rest : rest.substring(0, at);
            String probability = at < 0 ? "1" : rest.substring(at + 1);
            components.add(new Component(name,
                    number(text, part, "severity", severity),
                    number(text, part, "probability", probability)));
        }
        return new CorruptionSpec(components).validate();
    }

    /** The compact form read by {@link #parse}; probability 1 is left out. */
    public String toText() {
        if (components.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Component c : components) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            // Double.toString round-trips exactly, so parse(toText()) equals this spec.
            sb.append(c.name()).append(':').append(c.severity());
            if (c.probability() != 1.0) {
                sb.append('@').append(c.probability());
            }
        }
        return sb.toString();
    }

    private static double number(String text, String part, String what, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad corruption spec '" + text + "' at '" + part
                    + "': " + what + " '" + value + "' is not a number; " + FORMAT);
        }
    }
}
