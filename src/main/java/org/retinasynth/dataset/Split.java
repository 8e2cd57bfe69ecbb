package org.retinasynth.dataset;

import java.util.Locale;
import java.util.Optional;

public enum Split {
    TRAIN, VAL, TEST;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Accepts the spellings used by public datasets: train, val, valid, validation, test. */
    public static Optional<Split> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "train", "training" -> Optional.of(TRAIN);
            case "val", "valid", "validation", "dev" -> Optional.of(VAL);
            case "test", "testing" -> Optional.of(TEST);
            default -> Optional.empty();
        };
    }
}
