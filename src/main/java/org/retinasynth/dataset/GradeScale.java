package org.retinasynth.dataset;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/** The classes of a dataset: ICDR grades 0-4 unless the dataset declares its own names. */
public final class GradeScale {

    public static final List<String> ICDR = List.of("No DR", "Mild NPDR", "Moderate NPDR", "Severe NPDR",
            "Proliferative DR");

    private GradeScale() {
    }

    /**
     * Reads a grade given as its index ("3", "3.0") or as a class name, case-insensitively, so that
     * both numeric CSVs and ImageFolder directories named after classes work.
     */
    public static OptionalInt parse(String text, List<String> classNames) {
        if (text == null) {
            return OptionalInt.empty();
        }
        String t = text.trim();
        try {
            double v = Double.parseDouble(t);
            int g = (int) v;
            if (g == v && g >= 0 && g < classNames.size()) {
                return OptionalInt.of(g);
            }
            return OptionalInt.empty();
        } catch (NumberFormatException notNumeric) {
            for (int i = 0; i < classNames.size(); i++) {
                if (classNames.get(i).toLowerCase(Locale.ROOT).equals(t.toLowerCase(Locale.ROOT))) {
                    return OptionalInt.of(i);
                }
            }
            return OptionalInt.empty();
        }
    }

    public static String expected(List<String> classNames) {
        return "0-" + (classNames.size() - 1) + " or one of " + classNames;
    }
}
