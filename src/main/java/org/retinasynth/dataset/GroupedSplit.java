package org.retinasynth.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Splits images that came without a split into train/val/test, stratified by grade and, where a
 * patient is known, grouped by patient: a patient's two eyes are strongly correlated, so images of
 * one patient in train and test would inflate every test metric.
 *
 * <p>Images without a patient keep the per-image stratified split (same seed, same names, same
 * split as before patients existed). Images of a patient already placed ({@code pinned}: earlier
 * uploads or a split given in this upload) follow that patient. The remaining patients are placed
 * whole: a patient's images may have different grades, so an exact per-grade stratification is not
 * always possible. Patients are shuffled by the seed, taken largest first (so single images can
 * even out at the end), and each goes to the split where it lowers the squared distance of the
 * per-grade counts from their targets the most; then single-patient moves are made while they
 * lower that distance. Targets are the per-image rounding ({@code round(n * fraction)} per grade
 * for test and val, the rest train).
 */
public final class GroupedSplit {

    /** An image without a given split; {@code patient} is null when the upload named none. */
    public record Item(String name, int grade, String patient) {
    }

    private static final Split[] ORDER = {Split.TRAIN, Split.VAL, Split.TEST};
    private static final int IMPROVEMENT_ROUNDS = 20;

    private GroupedSplit() {
    }

    /**
     * @param pinned a split per patient that must be kept (an earlier upload or a given split)
     * @return the split of every item, by name
     */
    public static Map<String, Split> assign(List<Item> items, Map<String, Split> pinned, long seed,
                                            double valFraction, double testFraction) {
        Map<String, Split> result = new HashMap<>();
        Map<Integer, List<String>> perImage = new TreeMap<>();
        Map<String, List<Item>> byPatient = new TreeMap<>();
        for (Item i : items) {
            if (i.patient() == null) {
                perImage.computeIfAbsent(i.grade(), g -> new ArrayList<>()).add(i.name());
            } else if (pinned.containsKey(i.patient())) {
                result.put(i.name(), pinned.get(i.patient()));
            } else {
                byPatient.computeIfAbsent(i.patient(), p -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<Integer, List<String>> e : perImage.entrySet()) {
            List<String> names = e.getValue();
            names.sort(null);
            Random random = new Random(seed * 31 + e.getKey() * 1_000_003L + names.hashCode());
            Collections.shuffle(names, random);
            int n = names.size();
            int test = (int) Math.round(n * testFraction);
            int val = (int) Math.round(n * valFraction);
            for (int i = 0; i < n; i++) {
                result.put(names.get(i), i < test ? Split.TEST : i < test + val ? Split.VAL : Split.TRAIN);
            }
        }
        if (!byPatient.isEmpty()) {
            groupByPatient(byPatient, seed, valFraction, testFraction).forEach((patient, split) ->
                    byPatient.get(patient).forEach(i -> result.put(i.name(), split)));
        }
        return result;
    }

    private static Map<String, Split> groupByPatient(Map<String, List<Item>> byPatient, long seed,
                                                     double valFraction, double testFraction) {
        int grades = byPatient.values().stream().flatMap(List::stream).mapToInt(Item::grade).max().orElse(0) + 1;
        Map<String, int[]> counts = new LinkedHashMap<>();
        int[] total = new int[grades];
        byPatient.forEach((patient, images) -> {
            int[] c = new int[grades];
            images.forEach(i -> c[i.grade()]++);
            counts.put(patient, c);
            for (int g = 0; g < grades; g++) {
                total[g] += c[g];
            }
        });
        int[][] target = new int[ORDER.length][grades];
        for (int g = 0; g < grades; g++) {
            target[2][g] = (int) Math.round(total[g] * testFraction);
            target[1][g] = (int) Math.round(total[g] * valFraction);
            target[0][g] = total[g] - target[1][g] - target[2][g];
        }

        List<String> patients = new ArrayList<>(byPatient.keySet());
        // A different stream from the per-image shuffle, still fixed by the seed and the patient ids.
        Collections.shuffle(patients, new Random(seed * 31 + 0x9E3779B97F4A7C15L + patients.hashCode()));
        patients.sort(Comparator.comparingInt((String p) -> byPatient.get(p).size()).reversed());

        int[][] placed = new int[ORDER.length][grades];
        Map<String, Integer> where = new LinkedHashMap<>();
        for (String p : patients) {
            int[] c = counts.get(p);
            int best = 0;
            long bestDelta = Long.MAX_VALUE;
            for (int s = 0; s < ORDER.length; s++) {
                long delta = addCost(placed[s], target[s], c);
                if (delta < bestDelta) {
                    best = s;
                    bestDelta = delta;
                }
            }
            add(placed[best], c, 1);
            where.put(p, best);
        }
        for (int round = 0; round < IMPROVEMENT_ROUNDS; round++) {
            boolean moved = false;
            for (String p : patients) {
                int[] c = counts.get(p);
                int from = where.get(p);
                add(placed[from], c, -1);
                long stay = addCost(placed[from], target[from], c);
                int best = from;
                long bestDelta = stay;
                for (int s = 0; s < ORDER.length; s++) {
                    long delta = addCost(placed[s], target[s], c);
                    if (delta < bestDelta) {
                        best = s;
                        bestDelta = delta;
                    }
                }
                add(placed[best], c, 1);
                if (best != from) {
                    where.put(p, best);
                    moved = true;
                }
            }
            if (!moved) {
                break;
            }
        }
        Map<String, Split> result = new LinkedHashMap<>();
        where.forEach((p, s) -> result.put(p, ORDER[s]));
        return result;
    }

    /** Change of sum((placed - target)^2) when a patient with these grade counts is added. */
    private static long addCost(int[] placed, int[] target, int[] c) {
        long delta = 0;
        for (int g = 0; g < c.length; g++) {
            if (c[g] != 0) {
                delta += (long) c[g] * (2L * (placed[g] - target[g]) + c[g]);
            }
        }
        return delta;
    }

    private static void add(int[] placed, int[] c, int sign) {
        for (int g = 0; g < c.length; g++) {
            placed[g] += sign * c[g];
        }
    }
}
