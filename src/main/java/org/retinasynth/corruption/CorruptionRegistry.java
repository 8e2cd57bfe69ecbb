package org.retinasynth.corruption;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place where corruption names are bound to implementations, so that specs, JSON requests,
 * the CLI and evaluation reports all resolve a name the same way and an unknown name fails with
 * the list of valid ones. The set is fixed at class-load time; there is no runtime registration.
 */
public final class CorruptionRegistry {

    private static final Map<String, Corruption> BY_NAME;

    static {
        List<Corruption> all = new ArrayList<>();
        all.addAll(Noise.corruptions());
        all.addAll(Optics.corruptions());
        all.addAll(Jpeg.corruptions());
        all.addAll(Photometric.corruptions());
        Map<String, Corruption> byName = new LinkedHashMap<>();
        for (Corruption c : all) {
            if (byName.put(c.name(), c) != null) {
                throw new IllegalStateException("duplicate corruption name " + c.name());
            }
        }
        BY_NAME = Collections.unmodifiableMap(byName);
    }

    private CorruptionRegistry() {}

    /**
     * @throws IllegalArgumentException naming the valid corruptions if {@code name} is unknown
     */
    public static Corruption get(String name) {
        Corruption c = name == null ? null : BY_NAME.get(name);
        if (c == null) {
            throw new IllegalArgumentException(
                    "unknown corruption '" + name + "'; valid names: " + String.join(", ", names()));
        }
        return c;
    }

    /** All corruptions, noise first, then acquisition shifts; the order is stable. */
    public static List<Corruption> all() {
        return List.copyOf(BY_NAME.values());
    }

    /** Names in the order of {@link #all()}. */
    public static Set<String> names() {
        return BY_NAME.keySet();
    }
}
