package org.retinasynth.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compares two study reports ({@code report.json}) leaf by leaf: every number rounded to
 * {@code -Ddiff.decimals} (default 3) and every string must agree, except what names a run rather
 * than a result (ids, also inside text; start times; wall and unit seconds; worker names; archive hashes,
 * whose metadata names the study). Prints the
 * count of compared leaves, each difference, and the largest absolute numeric difference; exits 1 when
 * any leaf differs. Used by {@code bench/reproducibility.sh}.
 */
public final class ReportDiff {

    private static final Set<String> RUN_KEYS = Set.of("seconds", "wallSeconds", "startedAt", "finishedAt",
            "createdAt", "studyId", "datasetId", "sha256", "workers", "vaeJobId", "dvaeJobId", "trainingSeconds",
            "unitSeconds", "modelSha256");
    /** Ids inside text (a dataset id in a spec) name the run, not the result. */
    private static final java.util.regex.Pattern UUID =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private ReportDiff() {
    }

    public static void main(String[] args) {
        JsonMapper json = JsonMapper.builder().build();
        JsonNode a = json.readTree(Path.of(args[0]).toFile());
        JsonNode b = json.readTree(Path.of(args[1]).toFile());
        int decimals = Integer.getInteger("diff.decimals", 3);
        List<String> diffs = new ArrayList<>();
        double[] stats = new double[2]; // compared leaves, largest numeric difference
        compare("", a, b, decimals, diffs, stats);
        diffs.stream().limit(50).forEach(System.out::println);
        System.out.printf(Locale.ROOT, "compared %d leaves at %d decimals: %d differ; largest numeric difference %.2e%n",
                (long) stats[0], decimals, diffs.size(), stats[1]);
        System.exit(diffs.isEmpty() ? 0 : 1);
    }

    private static void compare(String path, JsonNode a, JsonNode b, int decimals, List<String> diffs,
                                double[] stats) {
        if (a == null || b == null || a.getNodeType() != b.getNodeType()) {
            diffs.add(path + ": " + a + " vs " + b);
            return;
        }
        if (a.isObject()) {
            Set<String> names = new java.util.TreeSet<>(a.propertyNames());
            names.addAll(b.propertyNames());
            for (String name : names) {
                if (!RUN_KEYS.contains(name) && !name.endsWith("JobId")) {
                    compare(path + "/" + name, a.get(name), b.get(name), decimals, diffs, stats);
                }
            }
        } else if (a.isArray()) {
            if (a.size() != b.size()) {
                diffs.add(path + ": " + a.size() + " vs " + b.size() + " elements");
                return;
            }
            for (int i = 0; i < a.size(); i++) {
                compare(path + "/" + i, a.get(i), b.get(i), decimals, diffs, stats);
            }
        } else if (a.isNumber()) {
            stats[0]++;
            double x = a.asDouble();
            double y = b.asDouble();
            stats[1] = Math.max(stats[1], Math.abs(x - y));
            String fx = String.format(Locale.ROOT, "%." + decimals + "f", x);
            String fy = String.format(Locale.ROOT, "%." + decimals + "f", y);
            if (!fx.equals(fy)) {
                diffs.add(path + ": " + x + " vs " + y);
            }
        } else {
            stats[0]++;
            boolean same = a.isString()
                    ? UUID.matcher(a.asString()).replaceAll("<id>").equals(UUID.matcher(b.asString()).replaceAll("<id>"))
                    : a.equals(b);
            if (!same && !(a.isString() && a.asString().startsWith("worker-"))) {
                diffs.add(path + ": " + a + " vs " + b);
            }
        }
    }
}
