package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinasynth.dataset.GroupedSplit.Item;

class GroupedSplitTest {

    /** Two eyes per patient, grades skewed like DR data; a tenth of patients have eyes one grade apart. */
    private static List<Item> twoEyedPatients(int patients, long seed) {
        Random r = new Random(seed);
        int[] weights = {50, 12, 20, 8, 10};
        List<Item> items = new ArrayList<>();
        for (int p = 0; p < patients; p++) {
            int u = r.nextInt(100);
            int grade = 0;
            for (int acc = weights[0]; u >= acc; acc += weights[++grade]) {
            }
            int other = r.nextInt(10) == 0 ? Math.min(4, grade + 1) : grade;
            String id = String.format("P%03d", p);
            items.add(new Item(id + "_L.png", grade, id));
            items.add(new Item(id + "_R.png", other, id));
        }
        return items;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 42, 1234567})
    void groupedSplitKeepsPatientsWholeAndGradesNearTheirTargets(long seed) {
        List<Item> items = twoEyedPatients(150, seed);
        Map<String, Split> split = GroupedSplit.assign(items, Map.of(), seed, 0.15, 0.2);

        assertThat(split).hasSize(items.size());
        Map<String, Set<Split>> perPatient = items.stream().collect(Collectors.groupingBy(Item::patient,
                Collectors.mapping(i -> split.get(i.name()), Collectors.toSet())));
        assertThat(perPatient.values()).allSatisfy(s -> assertThat(s).hasSize(1));

        for (int g = 0; g < 5; g++) {
            int grade = g;
            List<Item> ofGrade = items.stream().filter(i -> i.grade() == grade).toList();
            int n = ofGrade.size();
            long test = ofGrade.stream().filter(i -> split.get(i.name()) == Split.TEST).count();
            long val = ofGrade.stream().filter(i -> split.get(i.name()) == Split.VAL).count();
            long targetTest = Math.round(n * 0.2);
            long targetVal = Math.round(n * 0.15);
            assertThat(test).as("grade %d test of %d", g, n).isBetween(targetTest - 1, targetTest + 1);
            assertThat(val).as("grade %d val of %d", g, n).isBetween(targetVal - 1, targetVal + 1);
            assertThat(n - test - val).as("grade %d train of %d", g, n)
                    .isBetween(n - targetTest - targetVal - 1, n - targetTest - targetVal + 1);
        }
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        List<Item> items = twoEyedPatients(80, 3);
        Map<String, Split> a = GroupedSplit.assign(items, Map.of(), 99, 0.15, 0.15);
        List<Item> reordered = new ArrayList<>(items);
        Collections.reverse(reordered);
        assertThat(GroupedSplit.assign(reordered, Map.of(), 99, 0.15, 0.15)).isEqualTo(a);
        assertThat(GroupedSplit.assign(items, Map.of(), 100, 0.15, 0.15)).isNotEqualTo(a);
    }

    @Test
    void withoutPatientsTheSplitIsTheOldPerImageSplit() {
        Random r = new Random(5);
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            items.add(new Item("img_" + i + ".png", r.nextInt(5), null));
        }
        for (long seed : new long[] {0, 7, 1L << 40}) {
            assertThat(GroupedSplit.assign(items, Map.of(), seed, 0.15, 0.15))
                    .isEqualTo(perImageBeforePatients(items, seed, 0.15, 0.15));
        }
    }

    @Test
    void imagesWithoutPatientSplitAsIfAloneNextToPatients() {
        List<Item> anonymous = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            anonymous.add(new Item("anon_" + i + ".png", i % 5, null));
        }
        List<Item> mixed = new ArrayList<>(anonymous);
        mixed.addAll(twoEyedPatients(40, 11));
        Map<String, Split> split = GroupedSplit.assign(mixed, Map.of(), 8, 0.2, 0.2);
        Map<String, Split> alone = GroupedSplit.assign(anonymous, Map.of(), 8, 0.2, 0.2);
        alone.forEach((name, s) -> assertThat(split.get(name)).isEqualTo(s));
    }

    @Test
    void pinnedPatientsFollowTheirSplit() {
        List<Item> items = twoEyedPatients(30, 2);
        Map<String, Split> split = GroupedSplit.assign(items, Map.of("P000", Split.TEST, "P001", Split.VAL), 4,
                0.15, 0.15);
        assertThat(split).containsEntry("P000_L.png", Split.TEST).containsEntry("P000_R.png", Split.TEST)
                .containsEntry("P001_L.png", Split.VAL).containsEntry("P001_R.png", Split.VAL);
    }

    @Test
    void aSinglePatientGoesToTrain() {
        Map<String, Split> split = GroupedSplit.assign(List.of(new Item("a_L.png", 2, "a"),
                new Item("a_R.png", 3, "a")), Map.of(), 1, 0.15, 0.15);
        assertThat(split.values()).containsOnly(Split.TRAIN);
    }

    /** The per-image stratified split as the service made it before patients were known, verbatim. */
    private static Map<String, Split> perImageBeforePatients(List<Item> items, long seed, double val, double test) {
        Map<String, Split> result = new HashMap<>();
        Map<Integer, List<String>> unsplit = new TreeMap<>();
        for (Item i : items) {
            unsplit.computeIfAbsent(i.grade(), g -> new ArrayList<>()).add(i.name());
        }
        for (Map.Entry<Integer, List<String>> e : unsplit.entrySet()) {
            List<String> names = e.getValue();
            names.sort(null);
            Random random = new Random(seed * 31 + e.getKey() * 1_000_003L + names.hashCode());
            Collections.shuffle(names, random);
            int n = names.size();
            int t = (int) Math.round(n * test);
            int v = (int) Math.round(n * val);
            for (int i = 0; i < n; i++) {
                result.put(names.get(i), i < t ? Split.TEST : i < t + v ? Split.VAL : Split.TRAIN);
            }
        }
        return result;
    }
}
