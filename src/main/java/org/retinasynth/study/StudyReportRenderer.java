package org.retinasynth.study;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.retinasynth.metrics.PairedDifference;
import org.retinasynth.metrics.Summary;
import org.retinasynth.study.StudyReport.ArmSummary;
import org.retinasynth.study.StudyReport.ClassifierRun;
import org.retinasynth.study.StudyReport.Figure;
import org.retinasynth.study.StudyReport.GenerativeRun;
import org.retinasynth.study.StudyReport.QualityRow;
import org.retinasynth.study.StudyReport.RepresentationPoint;
import org.retinasynth.study.StudyReport.RepresentationSummary;
import org.retinasynth.study.StudyReport.RobustnessPoint;
import org.retinasynth.study.StudyReport.RobustnessSummary;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The report as CSV (long format, one value per row) and as an HTML page. The page is static
 * and every string is escaped. Served by the API it embeds its figures as data URIs (a browser
 * would not send the API key for linked images); saved to disk it links {@code figures/NAME.png}.
 */
public final class StudyReportRenderer {

    public static final List<String> CSV_HEADER = List.of("arm", "seed", "metric", "condition", "severity", "value");

    private static final ObjectMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private StudyReportRenderer() {
    }

    /** Per-seed values only: summaries can be recomputed from them, and nothing is reported twice. */
    public static String csv(StudyReport r) {
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
                .setHeader(CSV_HEADER.toArray(String[]::new)).get())) {
            for (ClassifierRun run : r.classifierRuns()) {
                for (String m : StudyReportBuilder.METRICS) {
                    csv.printRecord(run.arm(), run.seed(), m, "clean", 0, num(StudyReportBuilder.metric(run.test(), m)));
                }
                for (int g = 0; g < run.test().recall().length; g++) {
                    csv.printRecord(run.arm(), run.seed(), "recall_grade_" + g, "clean", 0, num(run.test().recall()[g]));
                }
                if (run.external() != null) {
                    for (StudyReport.ExternalScores e : run.external()) {
                        String c = "external:" + e.name();
                        for (String m : StudyReportBuilder.METRICS) {
                            csv.printRecord(run.arm(), run.seed(), m, c, 0, num(StudyReportBuilder.metric(e.scores(), m)));
                        }
                        for (int g = 0; g < e.scores().recall().length; g++) {
                            csv.printRecord(run.arm(), run.seed(), "recall_grade_" + g, c, 0,
                                    num(e.scores().recall()[g]));
                        }
                    }
                }
                if (run.filter() != null) {
                    for (org.retinasynth.generation.GradeFilter.FilterTally t : run.filter().grades()) {
                        String c = "grade=" + t.grade();
                        csv.printRecord(run.arm(), run.seed(), "filterRequested", c, "", t.requested());
                        csv.printRecord(run.arm(), run.seed(), "filterDrawn", c, "", t.drawn());
                        csv.printRecord(run.arm(), run.seed(), "filterAccepted", c, "", t.accepted());
                        csv.printRecord(run.arm(), run.seed(), "filterAcceptanceRate", c, "", num(t.acceptanceRate()));
                    }
                }
                for (RobustnessPoint p : run.robustness()) {
                    for (String m : StudyReportBuilder.ROBUSTNESS_METRICS) {
                        csv.printRecord(run.arm(), run.seed(), m, p.condition(), num(p.severity()),
                                num(StudyReportBuilder.metric(p, m)));
                    }
                }
            }
            for (GenerativeRun g : r.generativeRuns()) {
                csv.printRecord(g.model(), g.seed(), "testNegativeElbo", "clean", 0, num(g.testNegativeElbo()));
                csv.printRecord(g.model(), g.seed(), "testIwaeLogLikelihood", "clean", 0, num(g.testIwaeLogLikelihood()));
                java.util.Map<String, List<RepresentationPoint>> sets = new java.util.LinkedHashMap<>();
                sets.put("", g.representation());
                if (g.external() != null) {
                    g.external().forEach(e -> sets.put("external:" + e.name() + ":", e.points()));
                }
                for (var set : sets.entrySet()) {
                    for (RepresentationPoint p : set.getValue()) {
                        String c = set.getKey() + p.condition();
                        csv.printRecord(g.model(), g.seed(), "probeAccuracy", c, "", num(p.probeAccuracy()));
                        csv.printRecord(g.model(), g.seed(), "latentStability", c, "", num(p.latentStability()));
                        csv.printRecord(g.model(), g.seed(), "psnr", c, "", num(p.psnr()));
                        csv.printRecord(g.model(), g.seed(), "ssim", c, "", num(p.ssim()));
                    }
                }
            }
            for (QualityRow q : r.syntheticQuality()) {
                String c = "grade=" + q.grade();
                int qs = q.seed() == null ? 0 : q.seed();
                csv.printRecord(q.source(), qs, "frechetDistance", c, "", num(q.frechetDistance()));
                csv.printRecord(q.source(), qs, "precision", c, "", num(q.precision()));
                csv.printRecord(q.source(), qs, "recall", c, "", num(q.recall()));
                csv.printRecord(q.source(), qs, "density", c, "", num(q.density()));
                csv.printRecord(q.source(), qs, "coverage", c, "", num(q.coverage()));
                if (q.twoSampleAuc() != null) {
                    csv.printRecord(q.source(), qs, "twoSampleAuc", c, "", num(q.twoSampleAuc()));
                }
                if (q.memorisation() != null) {
                    csv.printRecord(q.source(), qs, "nearestTrainDistanceRatio", c, "", num(q.memorisation().ratio()));
                    csv.printRecord(q.source(), qs, "nearCopies", c, "", num(q.memorisation().nearCopies()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The page with figures linked as {@code figures/NAME.png}, for saving next to a figures folder. */
    public static String html(StudyReport r) {
        return html(r, null);
    }

    /** The page; with {@code figures} (name to PNG bytes) each figure is embedded as a data URI. */
    public static String html(StudyReport r, java.util.function.Function<String, byte[]> figures) {
        StringBuilder h = new StringBuilder(64_000);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Study ")
                .append(esc(r.studyId())).append("</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;"
                        + "margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
                        + "th{background:#f0f0f0}td.l,th.l{text-align:left}img{max-width:100%;border:1px solid #ddd}"
                        + "pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:12px}figure{margin:1em 0}"
                        + ".side{display:flex;flex-wrap:wrap;gap:0 1.5em;align-items:flex-start}")
                .append("</style></head><body>");
        h.append("<h1>Study ").append(esc(r.studyId())).append("</h1>");
        Object hash = r.provenance().get("datasetContentSha256");
        h.append("<p>Dataset ").append(esc(String.valueOf(r.provenance().get("datasetName")))).append(" (")
                .append(esc(String.valueOf(r.provenance().get("datasetId")))).append("), content sha256 <code>")
                .append(esc(String.valueOf(hash))).append("</code>; seeds ")
                .append(esc(String.valueOf(r.provenance().get("seeds")))).append("; generative models ")
                .append(esc(String.valueOf(r.provenance().get("generativeModels")))).append(".</p>");
        h.append(TOC);
        // the pictures first: a reader judges the synthetic images before any number about them
        r.figures().stream().filter(f -> f.name().equals("samples")).forEach(f -> figure(h, f, figures));

        h.append("<h2>Classification on the test split (mean ± sd over seeds)</h2><table><tr><th class=l>arm</th>");
        for (String m : StudyReportBuilder.METRICS) {
            h.append("<th>").append(esc(m)).append("</th>");
        }
        h.append("</tr>");
        for (ArmSummary a : r.arms()) {
            h.append("<tr><td class=l>").append(esc(a.arm())).append("</td>");
            for (String m : StudyReportBuilder.METRICS) {
                h.append("<td>").append(pm(a.metrics().get(m))).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table>");

        h.append("<h2>Paired difference to REAL (arm − REAL, same seed; mean [95% CI])</h2><table><tr>"
                + "<th class=l>arm</th>");
        for (String m : StudyReportBuilder.METRICS) {
            h.append("<th>").append(esc(m)).append("</th>");
        }
        h.append("</tr>");
        for (ArmSummary a : r.arms()) {
            if (a.differenceToReal().isEmpty()) {
                continue;
            }
            h.append("<tr><td class=l>").append(esc(a.arm())).append("</td>");
            for (String m : StudyReportBuilder.METRICS) {
                PairedDifference d = a.differenceToReal().get(m);
                h.append("<td>").append(d == null ? "" : esc(String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]",
                        d.mean(), d.low(), d.high()))).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table>");

        if (r.arms().stream().anyMatch(a -> a.differenceToOversampled() != null
                && !a.differenceToOversampled().isEmpty())) {
            h.append("<h2>Against plain rebalancing (arm − REAL_OVERSAMPLED, same seed; mean [95% CI])</h2>");
            differences(h, "arm", r.arms(), ArmSummary::differenceToOversampled);
            h.append("<ul>");
            for (ArmSummary a : r.arms()) {
                PairedDifference d = a.differenceToOversampled() == null ? null
                        : a.differenceToOversampled().get("balancedAccuracy");
                if (d != null) {
                    h.append("<li>").append(esc(verdict(a.arm(), d))).append("</li>");
                }
            }
            h.append("</ul>");
        }
        filtered(h, r);

        h.append("<h2>Per-grade recall (mean ± sd)</h2><table><tr><th class=l>arm</th>");
        int classes = r.arms().isEmpty() ? 0 : r.arms().get(0).recallPerGrade().size();
        for (int g = 0; g < classes; g++) {
            h.append("<th>grade ").append(g).append("</th>");
        }
        h.append("</tr>");
        for (ArmSummary a : r.arms()) {
            h.append("<tr><td class=l>").append(esc(a.arm())).append("</td>");
            a.recallPerGrade().forEach(s -> h.append("<td>").append(pm(s)).append("</td>"));
            h.append("</tr>");
        }
        h.append("</table>");

        h.append("<h2>Confusion matrices (rows: true grade, columns: predicted; summed over seeds)</h2>");
        confusionTables(h, r.arms(), classes);

        if (r.external() != null && !r.external().isEmpty()) {
            external(h, r);
        }

        h.append("<h2>Representation quality: VAE vs DVAE (test split; external:NAME rows on an external set)</h2><table><tr><th class=l>metric</th>"
                + "<th class=l>condition</th><th>VAE</th><th>DVAE</th><th>DVAE − VAE [95% CI]</th></tr>");
        for (RepresentationSummary s : r.representation()) {
            h.append("<tr><td class=l>").append(esc(s.metric())).append("</td><td class=l>").append(esc(s.condition()))
                    .append("</td><td>").append(pm(s.vae())).append("</td><td>").append(pm(s.dvae())).append("</td><td>")
                    .append(s.dvaeMinusVae() == null ? "" : esc(String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]",
                            s.dvaeMinusVae().mean(), s.dvaeMinusVae().low(), s.dvaeMinusVae().high())))
                    .append("</td></tr>");
        }
        h.append("</table>");

        h.append("<h2>Synthetic data quality (real test vs synthetic, classifier feature space)</h2><table><tr>"
                + "<th class=l>source</th><th class=l>grade</th><th>seed</th><th>n real</th><th>n synthetic</th><th>FD</th>"
                + "<th>precision</th><th>recall</th><th>density</th><th>coverage</th><th>two-sample AUC</th>"
                + "<th>nearest-train distance / real's</th><th>near copies</th></tr>");
        for (QualityRow q : r.syntheticQuality()) {
            h.append("<tr><td class=l>").append(esc(q.source())).append("</td><td class=l>").append(esc(q.grade()))
                    .append("</td><td>").append(q.seed() == null ? "0" : q.seed().toString())
                    .append("</td><td>").append(q.realCount()).append("</td><td>").append(q.fakeCount())
                    .append("</td><td>").append(f(q.frechetDistance())).append("</td><td>").append(f(q.precision()))
                    .append("</td><td>").append(f(q.recall())).append("</td><td>").append(f(q.density()))
                    .append("</td><td>").append(f(q.coverage()))
                    .append("</td><td>").append(q.twoSampleAuc() == null ? "" : f(q.twoSampleAuc()))
                    .append("</td><td>").append(q.memorisation() == null ? "" : f(q.memorisation().ratio()))
                    .append("</td><td>").append(q.memorisation() == null ? "" : f(q.memorisation().nearCopies()))
                    .append("</td></tr>");
        }
        h.append("</table>");

        h.append("<h2>Robustness: accuracy vs severity (mean ± sd over seeds)</h2><table><tr><th class=l>arm</th>"
                + "<th class=l>condition</th><th>0</th><th>0.2</th><th>0.4</th><th>0.6</th><th>0.8</th><th>1.0</th>"
                + "</tr>");
        for (ArmSummary a : r.arms()) {
            Map<String, Map<Double, RobustnessSummary>> byCondition = new java.util.LinkedHashMap<>();
            RobustnessSummary clean = null;
            for (RobustnessSummary s : r.robustness()) {
                if (!s.arm().equals(a.arm()) || !s.metric().equals("accuracy")) {
                    continue;
                }
                if (s.condition().equals("clean")) {
                    clean = s;
                } else {
                    byCondition.computeIfAbsent(s.condition(), k -> new java.util.TreeMap<>()).put(s.severity(), s);
                }
            }
            for (var e : byCondition.entrySet()) {
                h.append("<tr><td class=l>").append(esc(a.arm())).append("</td><td class=l>").append(esc(e.getKey()))
                        .append("</td><td>").append(clean == null ? "" : pm(clean.value())).append("</td>");
                e.getValue().values().forEach(s -> h.append("<td>").append(pm(s.value())).append("</td>"));
                h.append("</tr>");
            }
        }
        h.append("</table><p>Balanced accuracy and macro-F1 under every condition are in the JSON and CSV.</p>");

        if (r.robustness().stream().anyMatch(s -> s.differenceToReal() != null)) {
            robustnessDifferences(h, r);
        }

        h.append("<h2>Figures</h2>");
        r.figures().stream().filter(f -> !f.name().equals("samples")).forEach(f -> figure(h, f, figures));
        h.append("<h2>Notes</h2><ul>");
        r.notes().forEach(n -> h.append("<li>").append(esc(n)).append("</li>"));
        h.append("</ul><h2>Provenance</h2><pre>").append(esc(PRETTY.writeValueAsString(r.provenance())))
                .append("</pre><table><tr><th class=l>figure</th><th class=l>arms</th><th class=l>seeds</th>"
                        + "<th class=l>sha256</th></tr>");
        r.figures().forEach(f -> h.append("<tr><td class=l>").append(esc(f.name())).append("</td><td class=l>")
                .append(esc(String.valueOf(f.arms()))).append("</td><td class=l>").append(esc(String.valueOf(f.seeds())))
                .append("</td><td class=l><code>").append(esc(f.sha256())).append("</code></td></tr>"));
        h.append("</table></body></html>\n");
        return withContents(h.toString());
    }

    private static final String TOC = "<!--contents-->";
    private static final Pattern HEADING = Pattern.compile("<h2>(.*?)</h2>");

    /** Numbers every section heading and puts a linked table of contents where {@link #TOC} stands. */
    private static String withContents(String page) {
        StringBuilder toc = new StringBuilder("<nav><strong>Contents</strong><ol>");
        StringBuilder out = new StringBuilder(page.length() + 4096);
        Matcher m = HEADING.matcher(page);
        int n = 0;
        while (m.find()) {
            String id = "section-" + (++n);
            toc.append("<li><a href=\"#").append(id).append("\">").append(m.group(1)).append("</a></li>");
            m.appendReplacement(out, Matcher.quoteReplacement("<h2 id=\"" + id + "\">" + m.group(1) + "</h2>"));
        }
        m.appendTail(out);
        toc.append("</ol></nav>");
        int at = out.indexOf(TOC);
        return at < 0 ? out.toString() : out.replace(at, at + TOC.length(), toc.toString()).toString();
    }

    /** One figure; its caption says what it shows, and its hashes stay in the provenance table. */
    private static void figure(StringBuilder h, Figure fig, java.util.function.Function<String, byte[]> figures) {
        String src = figures == null ? "figures/" + fig.name() + ".png"
                : "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(figures.apply(fig.name()));
        h.append("<figure id=\"figure-").append(esc(fig.name())).append("\"><img src=\"").append(esc(src))
                .append("\" alt=\"").append(esc(fig.caption())).append("\"><figcaption>").append(esc(fig.caption()))
                .append(" (seeds ").append(esc(String.valueOf(fig.seeds()))).append(")</figcaption></figure>");
    }

    /** One small table per arm, side by side. */
    private static void confusionTables(StringBuilder h, List<ArmSummary> arms, int classes) {
        h.append("<div class=side>");
        for (ArmSummary a : arms) {
            h.append("<table><tr><th class=l>").append(esc(a.arm())).append("</th>");
            for (int g = 0; g < classes; g++) {
                h.append("<th>").append(g).append("</th>");
            }
            h.append("</tr>");
            for (int t = 0; t < classes; t++) {
                h.append("<tr><th>").append(t).append("</th>");
                for (int p = 0; p < classes; p++) {
                    h.append("<td>").append(a.confusionSummedOverSeeds()[t][p]).append("</td>");
                }
                h.append("</tr>");
            }
            h.append("</table>");
        }
        h.append("</div>");
    }

    /** Each external set beside the internal test split: scores, paired differences, recall, confusion. */
    private static void external(StringBuilder h, StudyReport r) {
        h.append("<h2>External test sets</h2><p>Other datasets, resized to the study's working size. They were never"
                + " used for training, for choosing an epoch or for any other model selection: each finished"
                + " classifier was only scored on them. Each row pair puts an arm's score on the internal test split"
                + " beside its score on the external set (mean ± sd over seeds).</p>");
        Map<String, ArmSummary> internal = new java.util.LinkedHashMap<>();
        r.arms().forEach(a -> internal.put(a.arm(), a));
        for (StudyReport.ExternalSummary e : r.external()) {
            h.append("<h3>").append(esc(e.name())).append("</h3><p>Dataset ").append(esc(e.datasetId())).append(", ")
                    .append(e.images()).append(" images (per grade ")
                    .append(esc(java.util.Arrays.toString(e.countsPerGrade()))).append("), content sha256 <code>")
                    .append(esc(e.contentSha256())).append("</code>.</p><table><tr><th class=l>arm</th>"
                            + "<th class=l>test set</th>");
            for (String m : StudyReportBuilder.METRICS) {
                h.append("<th>").append(esc(m)).append("</th>");
            }
            h.append("</tr>");
            for (ArmSummary a : e.arms()) {
                ArmSummary in = internal.get(a.arm());
                for (ArmSummary row : in == null ? List.of(a) : List.of(in, a)) {
                    h.append("<tr><td class=l>").append(esc(a.arm())).append("</td><td class=l>")
                            .append(row == a ? esc(e.name()) : "internal test").append("</td>");
                    for (String m : StudyReportBuilder.METRICS) {
                        h.append("<td>").append(pm(row.metrics().get(m))).append("</td>");
                    }
                    h.append("</tr>");
                }
            }
            h.append("</table>");
            differences(h, "Paired difference to REAL on " + e.name() + " (arm − REAL, same seed; mean [95% CI])",
                    e.arms(), ArmSummary::differenceToReal);
            if (e.arms().stream().anyMatch(a -> a.differenceToOversampled() != null
                    && !a.differenceToOversampled().isEmpty())) {
                differences(h, "Paired difference to REAL_OVERSAMPLED on " + e.name()
                        + " (arm − REAL_OVERSAMPLED, same seed; mean [95% CI])", e.arms(),
                        ArmSummary::differenceToOversampled);
            }
            int classes = e.countsPerGrade().length;
            h.append("<table><tr><th class=l>per-grade recall on ").append(esc(e.name())).append("</th>");
            for (int g = 0; g < classes; g++) {
                h.append("<th>grade ").append(g).append("</th>");
            }
            h.append("</tr>");
            for (ArmSummary a : e.arms()) {
                h.append("<tr><td class=l>").append(esc(a.arm())).append("</td>");
                a.recallPerGrade().forEach(s -> h.append("<td>").append(pm(s)).append("</td>"));
                h.append("</tr>");
            }
            h.append("</table>");
            transfer(h, e);
            h.append("<p>Confusion on ").append(esc(e.name()))
                    .append(" (rows true grade, columns predicted; summed over seeds):</p>");
            confusionTables(h, e.arms(), classes);
        }
    }

    /** The internal-to-external drop per arm, and each arm's drop against the arms it should beat. */
    private static void transfer(StringBuilder h, StudyReport.ExternalSummary e) {
        if (e.transfer() == null || e.transfer().isEmpty()) {
            return;
        }
        List<String> metrics = StudyReportBuilder.ROBUSTNESS_METRICS;
        h.append("<table><tr><th class=l>drop from internal test to ").append(esc(e.name()))
                .append(" (internal − external, mean ± sd)</th>");
        metrics.forEach(m -> h.append("<th>").append(esc(m)).append("</th>"));
        h.append("</tr>");
        for (StudyReport.Transfer t : e.transfer()) {
            h.append("<tr><td class=l>").append(esc(t.arm())).append("</td>");
            metrics.forEach(m -> h.append("<td>").append(pm(t.drop().get(m))).append("</td>"));
            h.append("</tr>");
        }
        h.append("</table><table><tr><th class=l>drop minus the drop of (same seed; mean [95% CI]; below 0 ="
                + " loses less)</th><th class=l>compared with</th>");
        metrics.forEach(m -> h.append("<th>").append(esc(m)).append("</th>"));
        h.append("<th class=l>balanced accuracy</th></tr>");
        for (StudyReport.Transfer t : e.transfer()) {
            t.dropMinus().forEach((other, d) -> {
                h.append("<tr><td class=l>").append(esc(t.arm())).append("</td><td class=l>").append(esc(other))
                        .append("</td>");
                metrics.forEach(m -> {
                    PairedDifference x = d.get(m);
                    h.append("<td>").append(esc(String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", x.mean(), x.low(),
                            x.high()))).append("</td>");
                });
                PairedDifference ba = d.get("balancedAccuracy");
                h.append("<td class=l>").append(ba.high() < 0 ? "loses less" : ba.low() > 0 ? "loses more"
                        : "no difference shown").append("</td></tr>");
            });
        }
        h.append("</table>");
    }

    /** One arm against REAL_OVERSAMPLED on balanced accuracy, in words: it beats it only if the interval is above 0. */
    static String verdict(String arm, PairedDifference d) {
        String numbers = String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", d.mean(), d.low(), d.high());
        return d.low() > 0
                ? arm + " beats plain rebalancing (REAL_OVERSAMPLED) on balanced accuracy: " + numbers
                + ", interval above 0."
                : arm + " does not beat plain rebalancing (REAL_OVERSAMPLED) on balanced accuracy: " + numbers
                + ", the interval is not above 0.";
    }

    /** Per arm, seed and grade: what the grader filter of a *_BALANCED arm asked for, drew and kept. */
    private static void filtered(StringBuilder h, StudyReport r) {
        List<ClassifierRun> runs = r.classifierRuns().stream().filter(c -> c.filter() != null).toList();
        if (runs.isEmpty()) {
            return;
        }
        StudyReport.FilterRun first = runs.get(0).filter();
        h.append("<h2>Grader-filtered synthesis (*_BALANCED arms)</h2><p>Samples kept only if the same seed's REAL"
                + " classifier gives their intended grade probability ≥ ").append(f(first.threshold()))
                .append("; at most ").append(first.drawsPerImage()).append(" draws per image requested.</p>")
                .append("<table><tr><th class=l>arm</th><th class=l>model</th><th>seed</th><th class=l>grader</th>"
                        + "<th>grade</th><th>requested</th><th>drawn</th><th>accepted</th><th>acceptance rate</th>"
                        + "<th>shortfall</th></tr>");
        for (ClassifierRun c : runs) {
            for (org.retinasynth.generation.GradeFilter.FilterTally t : c.filter().grades()) {
                h.append("<tr><td class=l>").append(esc(c.arm())).append("</td><td class=l>")
                        .append(esc(c.filter().model())).append("</td><td>").append(c.seed())
                        .append("</td><td class=l>").append(esc(c.filter().grader())).append("</td><td>")
                        .append(t.grade()).append("</td><td>").append(t.requested()).append("</td><td>")
                        .append(t.drawn()).append("</td><td>").append(t.accepted()).append("</td><td>")
                        .append(f(t.acceptanceRate())).append("</td><td>").append(t.shortfall()).append("</td></tr>");
            }
        }
        h.append("</table>");
    }

    private static void differences(StringBuilder h, String title, List<ArmSummary> arms,
                                    java.util.function.Function<ArmSummary, Map<String, PairedDifference>> of) {
        h.append("<table><tr><th class=l>").append(esc(title)).append("</th>");
        for (String m : StudyReportBuilder.METRICS) {
            h.append("<th>").append(esc(m)).append("</th>");
        }
        h.append("</tr>");
        for (ArmSummary a : arms) {
            Map<String, PairedDifference> d = of.apply(a);
            if (d == null || d.isEmpty()) {
                continue;
            }
            h.append("<tr><td class=l>").append(esc(a.arm())).append("</td>");
            for (String m : StudyReportBuilder.METRICS) {
                PairedDifference x = d.get(m);
                h.append("<td>").append(x == null ? "" : esc(String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]",
                        x.mean(), x.low(), x.high()))).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table>");
    }

    private static void robustnessDifferences(StringBuilder h, StudyReport r) {
        h.append("<h2>Robustness: accuracy paired difference to REAL (arm − REAL, same seed; mean [95% CI])</h2>"
                + "<table><tr><th class=l>arm</th><th class=l>condition</th><th>0</th><th>0.2</th><th>0.4</th>"
                + "<th>0.6</th><th>0.8</th><th>1.0</th></tr>");
        for (ArmSummary a : r.arms()) {
            Map<String, Map<Double, PairedDifference>> byCondition = new java.util.LinkedHashMap<>();
            PairedDifference clean = null;
            for (RobustnessSummary s : r.robustness()) {
                if (!s.arm().equals(a.arm()) || !s.metric().equals("accuracy") || s.differenceToReal() == null) {
                    continue;
                }
                if (s.condition().equals("clean")) {
                    clean = s.differenceToReal();
                } else {
                    byCondition.computeIfAbsent(s.condition(), k -> new java.util.TreeMap<>())
                            .put(s.severity(), s.differenceToReal());
                }
            }
            for (var e : byCondition.entrySet()) {
                h.append("<tr><td class=l>").append(esc(a.arm())).append("</td><td class=l>").append(esc(e.getKey()))
                        .append("</td><td>").append(clean == null ? "" : diff(clean)).append("</td>");
                e.getValue().values().forEach(d -> h.append("<td>").append(diff(d)).append("</td>"));
                h.append("</tr>");
            }
        }
        h.append("</table>");
    }

    private static String diff(PairedDifference d) {
        return esc(String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", d.mean(), d.low(), d.high()));
    }

    private static String pm(Summary s) {
        if (s == null) {
            return "";
        }
        return s.n() < 2 || !Double.isFinite(s.sd()) ? f(s.mean())
                : String.format(Locale.ROOT, "%.3f ± %.3f", s.mean(), s.sd());
    }

    private static String f(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : esc(Double.toString(v));
    }

    private static String num(double v) {
        return Double.toString(v);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
