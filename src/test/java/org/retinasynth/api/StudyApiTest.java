package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.springframework.http.MediaType;

/** A whole study over HTTP on tiny phantoms: 2 seeds, 1-2 epochs, one corruption in the robustness protocol. */
class StudyApiTest extends ApiTestSupport {

    private static final List<String> ARMS = List.of("REAL", "REAL_CLASSIC", "REAL_OVERSAMPLED", "REAL_VAE",
            "REAL_DVAE", "SYNTHETIC_ONLY");

    private String demo(String key) throws Exception {
        return createDemoDataset(key, "{\"name\":\"study-demo\",\"countsPerGrade\":[12,12,12,12,12],\"imageSize\":40,"
                + "\"workingSize\":28,\"seed\":3,\"valFraction\":0.2,\"testFraction\":0.3}");
    }

    private static String spec(String dataset) {
        return "{\"datasetId\":\"" + dataset + "\",\"seeds\":2,\"allowTwoSeeds\":true,\"generativePerSeed\":false,"
                + "\"generative\":{\"epochs\":1,\"batchSize\":16,\"latentDim\":8,\"baseChannels\":8},"
                + "\"classifier\":{\"epochs\":2,\"batchSize\":16,\"width\":16,\"earlyStoppingPatience\":1},"
                + "\"robustnessCorruptions\":[\"gaussian\"],\"iwaeSamples\":4}";
    }

    @Test
    void runsAStudyEndToEndAndReportsEveryArmAndSeed() throws Exception {
        String key = newOwnerKey();
        String dataset = demo(key);
        String created = mvc.perform(as(key, post("/api/v1/studies").contentType(MediaType.APPLICATION_JSON)
                        .content(spec(dataset))))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        String id = JsonPath.read(created, "$.id");

        // the report of an unfinished study is a conflict, and another owner sees nothing
        mvc.perform(as(key, get("/api/v1/studies/" + id + "/report"))).andExpect(status().isConflict())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        String stranger = newOwnerKey();
        mvc.perform(as(stranger, get("/api/v1/studies/" + id))).andExpect(status().isNotFound());
        mvc.perform(as(stranger, get("/api/v1/studies/" + id + "/report.html"))).andExpect(status().isNotFound());

        String study = awaitEnd(key, "/api/v1/studies/" + id);
        assertThat(JsonPath.<String>read(study, "$.state")).as(study).isEqualTo("SUCCEEDED");
        mvc.perform(as(stranger, get("/api/v1/studies/" + id + "/report"))).andExpect(status().isNotFound());

        String report = json(key, "/api/v1/studies/" + id + "/report");
        List<Map<String, Object>> runs = JsonPath.read(report, "$.classifierRuns");
        assertThat(runs).hasSize(ARMS.size() * 2);
        for (String arm : ARMS) {
            assertThat(runs.stream().filter(r -> r.get("arm").equals(arm)).map(r -> r.get("seed")))
                    .containsExactlyInAnyOrder(0, 1);
        }
        for (String m : List.of("accuracy", "balancedAccuracy", "macroF1", "macroAuc")) {
            List<Double> v = numbers(report, "$.classifierRuns[*].test." + m);
            assertThat(v).hasSize(ARMS.size() * 2).allSatisfy(x -> assertThat(x).isBetween(0.0, 1.0));
        }
        List<Double> kappa = numbers(report, "$.classifierRuns[*].test.quadraticWeightedKappa");
        assertThat(kappa).allSatisfy(x -> assertThat(x).isBetween(-1.0, 1.0));
        // 1 corruption + equipment shift, 5 severities each
        List<Object> robustness = JsonPath.read(report, "$.classifierRuns[0].robustness");
        assertThat(robustness).hasSize(10);
        List<Integer> realCounts = JsonPath.read(report, "$.classifierRuns[?(@.arm=='REAL')].realImages");
        List<Integer> synth = JsonPath.read(report, "$.classifierRuns[?(@.arm=='REAL_DVAE')].syntheticImages");
        assertThat(synth).containsOnly(realCounts.get(0));
        // plain rebalancing: every grade repeated up to the largest, nothing synthetic
        List<List<Integer>> oversampled = JsonPath.read(report,
                "$.classifierRuns[?(@.arm=='REAL_OVERSAMPLED')].trainCountsPerGrade");
        List<Integer> real = JsonPath.<List<List<Integer>>>read(report,
                "$.classifierRuns[?(@.arm=='REAL')].trainCountsPerGrade").get(0);
        assertThat(oversampled).allSatisfy(c -> assertThat(c).containsOnly(java.util.Collections.max(real)));
        assertThat(JsonPath.<List<Integer>>read(report, "$.classifierRuns[?(@.arm=='REAL_OVERSAMPLED')].syntheticImages"))
                .containsOnly(0);
        // every generative model gets a two-sample test and a memorisation check
        assertThat(numbers(report, "$.syntheticQuality[?(@.grade=='all' && @.source=='DVAE')].twoSampleAuc"))
                .hasSize(2).allSatisfy(x -> assertThat(x).isBetween(0.0, 1.0));
        assertThat(numbers(report, "$.syntheticQuality[?(@.grade=='all' && @.source=='VAE')].memorisation.ratio"))
                .hasSize(2).allSatisfy(x -> assertThat(x).isPositive());
        // and every quality figure is scored per seed, then summarised over the seeds
        assertThat(JsonPath.<List<Integer>>read(report, "$.syntheticQuality[?(@.grade=='all' && @.source=='DVAE')].seed"))
                .containsExactlyInAnyOrder(0, 1);
        assertThat(JsonPath.<List<Integer>>read(report,
                "$.syntheticQualityOverSeeds[?(@.grade=='all' && @.source=='DVAE')].metrics.frechetDistance.n"))
                .containsExactly(2);
        // the synthetic arms are also compared with that baseline, grade by grade
        assertThat(numbers(report, "$.arms[?(@.arm=='REAL_DVAE')].differenceToOversampled['recall[1]'].mean"))
                .hasSize(1).allSatisfy(x -> assertThat(x).isFinite());

        // each arm's paired difference is the mean of its per-seed differences to REAL
        for (String arm : List.of("REAL_CLASSIC", "REAL_VAE", "REAL_DVAE", "SYNTHETIC_ONLY")) {
            double diff = 0;
            for (int seed = 0; seed < 2; seed++) {
                diff += one(report, "$.classifierRuns[?(@.arm=='" + arm + "' && @.seed==" + seed
                        + ")].test.accuracy") - one(report, "$.classifierRuns[?(@.arm=='REAL' && @.seed=="
                        + seed + ")].test.accuracy");
            }
            double reported = one(report, "$.arms[?(@.arm=='" + arm + "')].differenceToReal.accuracy.mean");
            assertThat(reported).isCloseTo(diff / 2, org.assertj.core.data.Offset.offset(1e-9));
            double low = one(report, "$.arms[?(@.arm=='" + arm + "')].differenceToReal.accuracy.low");
            double high = one(report, "$.arms[?(@.arm=='" + arm + "')].differenceToReal.accuracy.high");
            assertThat(low).isLessThanOrEqualTo(reported);
            assertThat(high).isGreaterThanOrEqualTo(reported);
        }

        // representation: VAE and DVAE side by side, finite, in range
        List<Map<String, Object>> gen = JsonPath.read(report, "$.generativeRuns");
        assertThat(gen).extracting(g -> g.get("model")).containsExactlyInAnyOrder("VAE", "DVAE");
        List<Double> probe = numbers(report, "$.generativeRuns[*].representation[*].probeAccuracy");
        assertThat(probe).isNotEmpty().allSatisfy(x -> assertThat(x).isBetween(0.0, 1.0));
        List<Double> stability = numbers(report, "$.generativeRuns[*].representation[?(@.condition=='clean')]"
                + ".latentStability");
        assertThat(stability).containsOnly(0.0);
        List<Double> elbo = numbers(report, "$.generativeRuns[*].testNegativeElbo");
        assertThat(elbo).allSatisfy(x -> assertThat(x).isFinite());

        // synthetic quality: overall rows for both generators and the real-train floor
        List<String> sources = JsonPath.read(report, "$.syntheticQuality[?(@.grade=='all' && @.seed==0)].source");
        assertThat(sources).containsExactlyInAnyOrder("REAL_TRAIN", "VAE", "DVAE");
        List<Double> fd = numbers(report, "$.syntheticQuality[*].frechetDistance");
        assertThat(fd).allSatisfy(x -> assertThat(x).isGreaterThanOrEqualTo(0.0));
        assertThat(JsonPath.<String>read(report, "$.provenance.datasetContentSha256")).hasSize(64);

        // CSV: long format, every value numeric, one row per run x metric at least
        String csv = mvc.perform(as(key, get("/api/v1/studies/" + id + "/report.csv"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv)).getRecords();
        assertThat(rows.get(0).getParser().getHeaderNames()).containsExactly("arm", "seed", "metric", "condition",
                "severity", "value");
        assertThat(rows).hasSizeGreaterThan(10 * (5 + 5 + 30));
        Map<String, Integer> perArm = new HashMap<>();
        for (CSVRecord r : rows) {
            Double.parseDouble(r.get("value"));
            perArm.merge(r.get("arm"), 1, Integer::sum);
        }
        assertThat(perArm.keySet()).containsAll(ARMS);

        // HTML: strict policy, tables, every figure embedded; each figure the report lists is served as a PNG
        var html = mvc.perform(as(key, get("/api/v1/studies/" + id + "/report.html"))).andExpect(status().isOk())
                .andExpect(header().string("Content-Security-Policy", org.hamcrest.Matchers.containsString(
                        "default-src 'none'")))
                .andReturn().getResponse().getContentAsString();
        assertThat(html).contains("<table", "REAL_DVAE", "Paired difference", "Provenance");
        List<String> figures = JsonPath.read(report, "$.figures[*].name");
        assertThat(figures).hasSizeGreaterThanOrEqualTo(3 + 2 + 1 + 1 + 1 + 1 + 1)
                .contains("samples", "recall-per-grade", "robustness-equipment_shift", "confusion");
        Matcher img = java.util.regex.Pattern.compile("<img src=\"data:image/png;base64,").matcher(html);
        assertThat(img.results().count()).isEqualTo(figures.size());
        for (String name : figures) {
            byte[] png = mvc.perform(as(key, get("/api/v1/studies/" + id + "/figures/" + name + ".png")))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        }
        mvc.perform(as(key, get("/api/v1/studies/" + id + "/figures/nope.png"))).andExpect(status().isNotFound());

        mvc.perform(as(key, get("/api/v1/studies"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.items[0].id").value(id));
        mvc.perform(as(stranger, delete("/api/v1/studies/" + id))).andExpect(status().isNotFound());
        mvc.perform(as(key, delete("/api/v1/studies/" + id))).andExpect(status().isNoContent());
        mvc.perform(as(key, get("/api/v1/studies/" + id))).andExpect(status().isNotFound());
    }

    @Test
    void rejectsABadSpecWithEveryProblem() throws Exception {
        String key = newOwnerKey();
        String dataset = demo(key);
        mvc.perform(as(key, post("/api/v1/studies").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"datasetId\":\"" + dataset + "\",\"seeds\":2,\"arms\":[\"REAL_VAE\"],"
                                + "\"syntheticRatio\":-1,\"robustnessCorruptions\":[\"nope\"]}")))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.allOf(
                        org.hamcrest.Matchers.containsString("seeds"), org.hamcrest.Matchers.containsString("REAL"),
                        org.hamcrest.Matchers.containsString("syntheticRatio"),
                        org.hamcrest.Matchers.containsString("nope"))));
        mvc.perform(as(newOwnerKey(), post("/api/v1/studies").contentType(MediaType.APPLICATION_JSON)
                .content(spec(dataset)))).andExpect(status().isNotFound());
    }

    @Test
    void cancelsAStudyAndThenDeletesIt() throws Exception {
        String key = newOwnerKey();
        String created = mvc.perform(as(key, post("/api/v1/studies").contentType(MediaType.APPLICATION_JSON)
                .content(spec(demo(key))))).andExpect(status().isCreated()).andReturn().getResponse()
                .getContentAsString();
        String id = JsonPath.read(created, "$.id");
        mvc.perform(as(key, delete("/api/v1/studies/" + id))).andExpect(status().isConflict());
        mvc.perform(as(key, post("/api/v1/studies/" + id + "/cancel"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.cancelRequested").value(true));
        assertThat(JsonPath.<String>read(awaitEnd(key, "/api/v1/studies/" + id), "$.state")).isEqualTo("CANCELLED");
        mvc.perform(as(key, post("/api/v1/studies/" + id + "/cancel"))).andExpect(status().isConflict());
        mvc.perform(as(key, get("/api/v1/studies/" + id + "/report.csv"))).andExpect(status().isConflict());
        mvc.perform(as(key, delete("/api/v1/studies/" + id))).andExpect(status().isNoContent());
    }

    private static double one(String json, String path) {
        List<Double> l = numbers(json, path);
        assertThat(l).as(path).hasSize(1);
        return l.get(0);
    }

    /** JSON numbers as doubles, whichever Number type the parser chose. */
    static List<Double> numbers(String json, String path) {
        Object v = JsonPath.read(json, path);
        List<?> l = v instanceof List<?> list ? list : List.of(v);
        return l.stream().map(x -> ((Number) x).doubleValue()).toList();
    }
}
