package org.retinasynth.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.retinasynth.metrics.PairedDifference;
import org.retinasynth.metrics.Summary;
import org.retinasynth.study.StudyReport.ArmSummary;
import org.retinasynth.study.StudyReport.ClassifierRun;
import org.retinasynth.study.StudyReport.ExternalScores;
import org.retinasynth.study.StudyReport.ExternalSummary;
import org.retinasynth.study.StudyReport.Figure;
import org.retinasynth.study.StudyReport.Scores;

/** The external-test parts of the CSV and HTML, on a hand-made report, and a report made before them. */
class StudyReportRendererTest {

    private static final Scores INTERNAL = new Scores(0.8, 0.7, 0.6, new double[] {0.9, 0.5}, 0.4, 0.75,
            new int[][] {{9, 1}, {5, 5}});
    private static final Scores EXTERNAL = new Scores(0.55, 0.52, 0.5, new double[] {0.61, 0.43}, 0.1, 0.6,
            new int[][] {{11, 7}, {8, 6}});

    private static ArmSummary arm(String name, double ba, PairedDifference toReal) {
        return new ArmSummary(name, Map.of("accuracy", Summary.of(0.5, 0.6), "balancedAccuracy", Summary.of(ba, ba),
                "macroF1", Summary.of(0.4, 0.5), "quadraticWeightedKappa", Summary.of(0.1, 0.2),
                "macroAuc", Summary.of(0.6, 0.7)),
                toReal == null ? Map.of() : Map.of("balancedAccuracy", toReal),
                List.of(Summary.of(0.6, 0.62), Summary.of(0.4, 0.46)), new int[][] {{22, 14}, {16, 12}}, Map.of());
    }

    private static StudyReport report(List<ExternalScores> runExternal, List<ExternalSummary> external) {
        return report(runExternal, external, List.of());
    }

    private static StudyReport report(List<ExternalScores> runExternal, List<ExternalSummary> external,
                                      List<Figure> figures) {
        ClassifierRun run = new ClassifierRun("REAL", 1, 20, 0, new int[] {10, 10}, 1, 1, List.of(1.0), List.of(1.1),
                INTERNAL, List.of(), 1.5, runExternal, Map.of("training", Map.of("dataset/train", 20)), null,
                null);
        return new StudyReport("s<1>", Map.of("datasetName", "d", "datasetContentSha256", "abc"),
                List.of(arm("REAL", 0.7, null), arm("REAL_CLASSIC", 0.72, new PairedDifference(0.02, -0.01, 0.05, 2))),
                List.of(), List.of(), List.of(), List.of(run), List.of(), figures, List.of("note"), List.of(),
                external);
    }

    @Test
    void externalScoresAreRowsOfTheirOwnConditionAndASectionBesideTheInternalTest() throws Exception {
        ExternalScores scored = new ExternalScores("clinic-b", "ds<x>", "f00d", 32, EXTERNAL);
        ExternalSummary summary = new ExternalSummary("clinic-b", "ds<x>", "f00d", 32, new int[] {18, 14},
                List.of(arm("REAL", 0.52, null), arm("REAL_CLASSIC", 0.49, new PairedDifference(-0.03, -0.2, 0.14, 2))),
                List.of(new StudyReport.Transfer("REAL_CLASSIC",
                        Map.of("accuracy", Summary.of(new double[] {0.2, 0.3}),
                                "balancedAccuracy", Summary.of(new double[] {0.21, 0.25}),
                                "macroF1", Summary.of(new double[] {0.1, 0.1})),
                        Map.of("REAL", Map.of("accuracy", new PairedDifference(0.01, -0.1, 0.12, 2),
                                "balancedAccuracy", new PairedDifference(-0.05, -0.09, -0.01, 2),
                                "macroF1", new PairedDifference(0, -0.1, 0.1, 2))))));
        StudyReport r = report(List.of(scored), List.of(summary));

        List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(StudyReportRenderer.csv(r))).getRecords();
        List<CSVRecord> external = rows.stream().filter(x -> x.get("condition").equals("external:clinic-b")).toList();
        assertThat(external).hasSize(5 + 2);
        assertThat(external).anySatisfy(x -> {
            assertThat(x.get("metric")).isEqualTo("balancedAccuracy");
            assertThat(x.get("seed")).isEqualTo("1");
            assertThat(Double.parseDouble(x.get("value"))).isEqualTo(0.52);
        });
        assertThat(external).anySatisfy(x -> {
            assertThat(x.get("metric")).isEqualTo("recall_grade_1");
            assertThat(Double.parseDouble(x.get("value"))).isEqualTo(0.43);
        });
        assertThat(rows.stream().filter(x -> x.get("condition").equals("clean"))).hasSize(5 + 2);

        String html = StudyReportRenderer.html(r);
        int start = html.indexOf("External test sets</h2>");
        String section = html.substring(start, html.indexOf("Representation quality", start));
        assertThat(section).contains("clinic-b", "ds&lt;x&gt;", "f00d", "32 images", "[18, 14]",
                "never used for training", "internal test", "Paired difference to REAL on clinic-b",
                "-0.030 [-0.200, +0.140]")
                .doesNotContain("ds<x>", "REAL_OVERSAMPLED");
        // the arm's internal score sits in the row above its external one
        assertThat(section.indexOf("internal test</td><td>0.550 ± 0.071</td><td>0.700 ± 0.000"))
                .isPositive().isLessThan(section.indexOf("clinic-b</td><td>0.550 ± 0.071</td><td>0.520 ± 0.000"));
        // what each arm loses on the way to the other site, and against whom it loses less
        assertThat(section).contains("drop from internal test to clinic-b", "0.230 ± 0.028",
                "<td class=l>REAL_CLASSIC</td><td class=l>REAL</td>", "-0.050 [-0.090, -0.010]", "loses less");
    }

    @Test
    void aReportMadeBeforeExternalTestsRendersAsBefore() {
        StudyReport old = report(null, null);
        assertThat(StudyReportRenderer.html(old)).doesNotContain("External test sets").contains("s&lt;1&gt;");
        assertThat(StudyReportRenderer.csv(old)).doesNotContain("external:");
    }

    @Test
    void thePageOpensWithItsContentsAndTheSamplesAndKeepsHashesOutOfCaptions() {
        String sha = "ab".repeat(32);
        StudyReport r = report(null, null, List.of(
                new Figure("recall-per-grade", "Per-grade recall of each arm", "cd".repeat(32), List.of("REAL"),
                        List.of(0, 1)),
                new Figure("samples", "Per grade: real, VAE and DVAE samples", sha, List.of("VAE", "DVAE"), List.of(0))));
        String html = StudyReportRenderer.html(r);

        java.util.regex.Matcher headings = java.util.regex.Pattern.compile("<h2 id=\"(section-\\d+)\">([^<]*)</h2>")
                .matcher(html);
        int n = 0;
        while (headings.find()) {
            n++;
            assertThat(html).contains("<li><a href=\"#" + headings.group(1) + "\">" + headings.group(2) + "</a></li>");
        }
        assertThat(n).as("numbered sections").isGreaterThanOrEqualTo(8);
        assertThat(html).doesNotContain("<h2>");
        int contents = html.indexOf("<nav>");
        int samples = html.indexOf("figures/samples.png");
        assertThat(contents).isPositive().isLessThan(samples);
        assertThat(samples).isLessThan(html.indexOf("<table")).isLessThan(html.indexOf("figures/recall-per-grade.png"));
        assertThat(html.split("figures/samples.png", -1)).as("the samples grid appears once").hasSize(2);
        java.util.regex.Matcher captions = java.util.regex.Pattern.compile("<figcaption>([^<]*)</figcaption>")
                .matcher(html);
        while (captions.find()) {
            assertThat(captions.group(1)).doesNotContain(sha, "sha256", "abc");
        }
        assertThat(html.substring(html.indexOf("Provenance</h2>"))).contains(sha, "cd".repeat(32));
    }

    @Test
    void balancedArmsShowWhatTheFilterKeptAndSayPlainlyWhenTheyDoNotBeatRebalancing() {
        List<org.retinasynth.generation.GradeFilter.FilterTally> tallies = List.of(
                new org.retinasynth.generation.GradeFilter.FilterTally(1, 30, 412, 29, 29, 29 / 412.0));
        ClassifierRun balanced = new ClassifierRun("REAL_DVAE_BALANCED", 0, 20, 29, new int[] {40, 39}, 1, 1,
                List.of(1.0), List.of(1.1), INTERNAL, List.of(), 1.5, null, Map.of(), null,
                new StudyReport.FilterRun("DVAE", "clf/REAL/s0", 0.8, 50, tallies));
        ArmSummary over = arm("REAL_OVERSAMPLED", 0.6, null);
        ArmSummary dvae = withOversampled(arm("REAL_DVAE_BALANCED", 0.61, null),
                new PairedDifference(0.01, -0.04, 0.06, 3));
        ArmSummary vae = withOversampled(arm("REAL_VAE_BALANCED", 0.7, null), new PairedDifference(0.1, 0.02, 0.18, 3));
        StudyReport r = new StudyReport("s", Map.of(), List.of(arm("REAL", 0.5, null), over, dvae, vae), List.of(),
                List.of(), List.of(), List.of(balanced), List.of(), List.of(), List.of(), List.of(), null);
        String html = StudyReportRenderer.html(r);

        assertThat(html).contains("REAL_DVAE_BALANCED does not beat plain rebalancing (REAL_OVERSAMPLED) on balanced"
                + " accuracy: +0.010 [-0.040, +0.060], the interval is not above 0.");
        assertThat(html).contains("REAL_VAE_BALANCED beats plain rebalancing (REAL_OVERSAMPLED) on balanced accuracy:"
                + " +0.100 [+0.020, +0.180], interval above 0.");
        String table = html.substring(html.indexOf("Grader-filtered synthesis"));
        assertThat(table).contains("<td class=l>clf/REAL/s0</td><td>1</td><td>30</td><td>412</td><td>29</td>"
                + "<td>0.070</td><td>1</td>");
        // without a balanced arm there is no filter section
        assertThat(StudyReportRenderer.html(report(null, null))).doesNotContain("Grader-filtered");
    }

    private static ArmSummary withOversampled(ArmSummary a, PairedDifference d) {
        return new ArmSummary(a.arm(), a.metrics(), a.differenceToReal(), a.recallPerGrade(),
                a.confusionSummedOverSeeds(), Map.of("balancedAccuracy", d));
    }
}
