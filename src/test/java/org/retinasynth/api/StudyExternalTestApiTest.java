package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.assertj.core.data.Offset;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.retinasynth.testsupport.TestFiles;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultActions;

/**
 * External test sets in a study: a tiny study on 28 px phantoms scored on a second phantom set
 * (another generator seed, rendered and kept at 32 px, so it is resized), and the specs refused
 * before any unit runs.
 */
class StudyExternalTestApiTest extends ApiTestSupport {

    private static final List<String> ARMS = List.of("REAL", "REAL_OVERSAMPLED");

    private String phantoms(String key, long seed, int workingSize) throws Exception {
        return createDemoDataset(key, "{\"name\":\"phantoms-" + java.util.UUID.randomUUID() + "\",\"countsPerGrade\":[12,12,12,12,12],"
                + "\"imageSize\":40,\"workingSize\":" + workingSize + ",\"seed\":" + seed
                + ",\"valFraction\":0.2,\"testFraction\":0.3}");
    }

    private static String spec(String dataset, String externalTests) {
        return "{\"datasetId\":\"" + dataset + "\",\"arms\":[\"REAL\",\"REAL_OVERSAMPLED\"],\"models\":[\"VAE\"],"
                + "\"seeds\":2,\"allowTwoSeeds\":true,\"generativePerSeed\":false,"
                + "\"generative\":{\"epochs\":1,\"batchSize\":16,\"latentDim\":8,\"baseChannels\":8},"
                + "\"classifier\":{\"epochs\":1,\"batchSize\":16,\"width\":16},"
                + "\"robustnessCorruptions\":[\"gaussian\"],\"iwaeSamples\":2,\"externalTests\":" + externalTests + "}";
    }

    private ResultActions create(String key, String body) throws Exception {
        return mvc.perform(as(key, post("/api/v1/studies").contentType(MediaType.APPLICATION_JSON).content(body)));
    }

    @Test
    void scoresEveryArmAndSeedOnTheExternalSetWhichNoUnitTrainsOn() throws Exception {
        String key = newOwnerKey();
        String dataset = phantoms(key, 3, 28);
        String shifted = phantoms(key, 97, 32);
        String created = create(key, spec(dataset, "[{\"datasetId\":\"" + shifted + "\",\"name\":\"shifted\"}]"))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        assertThat(JsonPath.<String>read(created, "$.spec.externalTests[0].name")).isEqualTo("shifted");
        String id = JsonPath.read(created, "$.id");
        // the external set is needed until the study ends, like its training dataset
        mvc.perform(as(key, org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete(
                        "/api/v1/datasets/" + shifted))).andExpect(status().isConflict())
                .andExpect(jsonPath("$.dependants[0].id").value(id));
        String study = awaitEnd(key, "/api/v1/studies/" + id);
        assertThat(JsonPath.<String>read(study, "$.state")).as(study).isEqualTo("SUCCEEDED");
        String report = json(key, "/api/v1/studies/" + id + "/report");

        List<Map<String, Object>> runs = JsonPath.read(report, "$.classifierRuns");
        assertThat(runs).hasSize(ARMS.size() * 2);
        int trainImages = JsonPath.<List<Integer>>read(report, "$.provenance.splitCountsPerGrade.train").stream()
                .mapToInt(Integer::intValue).sum();
        int valImages = JsonPath.<List<Integer>>read(report, "$.provenance.splitCountsPerGrade.val").stream()
                .mapToInt(Integer::intValue).sum();
        for (String arm : ARMS) {
            for (int seed = 0; seed < 2; seed++) {
                String run = "$.classifierRuns[?(@.arm=='" + arm + "' && @.seed==" + seed + ")]";
                // all 60 phantoms of the external set, scored with every metric the internal test gets
                assertThat(JsonPath.<List<Integer>>read(report, run + ".external[0].images")).containsExactly(60);
                for (String m : List.of("accuracy", "balancedAccuracy", "macroF1", "macroAuc")) {
                    assertThat(StudyApiTest.numbers(report, run + ".external[0].scores." + m)).hasSize(1)
                            .allSatisfy(x -> assertThat(x).isBetween(0.0, 1.0));
                }
                assertThat(JsonPath.<List<List<Double>>>read(report, run + ".external[0].scores.recall").get(0))
                        .hasSize(5);
                List<List<List<Integer>>> confusion = JsonPath.read(report, run + ".external[0].scores.confusion");
                assertThat(confusion.get(0).stream().flatMap(List::stream).mapToInt(Integer::intValue).sum())
                        .isEqualTo(60);

                // what the unit read: training and selection only from the training dataset, the external
                // set only when scoring, and all of it then
                Map<String, Integer> training = JsonPath.<List<Map<String, Integer>>>read(report,
                        run + ".imagesRead.training").get(0);
                assertThat(training).containsOnlyKeys("dataset/train");
                assertThat(training.get("dataset/train")).isPositive().isLessThanOrEqualTo(trainImages);
                assertThat(JsonPath.<List<Map<String, Integer>>>read(report, run + ".imagesRead.selection").get(0))
                        .containsExactly(Map.entry("dataset/val", valImages));
                Map<String, Integer> scoring = JsonPath.<List<Map<String, Integer>>>read(report,
                        run + ".imagesRead.scoring").get(0);
                assertThat(scoring).containsEntry("external/shifted", 60).containsKey("dataset/test");
            }
        }
        // no unit of the study, classifier or generative model, read the external set to fit or select
        for (String phase : List.of("training", "selection")) {
            List<Map<String, Integer>> reads = JsonPath.read(report, "$..imagesRead." + phase);
            assertThat(reads).hasSize(4 + 1).allSatisfy(m -> assertThat(m).doesNotContainKey("external/shifted"));
        }

        // the VAE: trained on the training split only, its representation also measured on the external set
        assertThat(JsonPath.<Map<String, Integer>>read(report, "$.generativeRuns[0].imagesRead.training"))
                .isEqualTo(Map.of("dataset/train", trainImages));
        assertThat(JsonPath.<Map<String, Integer>>read(report, "$.generativeRuns[0].imagesRead.scoring"))
                .containsEntry("external/shifted", 60);
        assertThat(JsonPath.<List<String>>read(report, "$.generativeRuns[0].external[0].points[*].condition"))
                .containsExactly("clean", "gaussian:0.3");
        assertThat(StudyApiTest.numbers(report, "$.generativeRuns[0].external[0].points[*].probeAccuracy"))
                .hasSize(2).allSatisfy(x -> assertThat(x).isBetween(0.0, 1.0));
        assertThat(StudyApiTest.numbers(report, "$.generativeRuns[0].external[0].points[?(@.condition=='clean')]"
                + ".latentStability")).containsExactly(0.0);
        assertThat(StudyApiTest.numbers(report, "$.representation[?(@.metric=='psnr' && "
                + "@.condition=='external:shifted:gaussian:0.3')].vae.mean")).hasSize(1)
                .allSatisfy(x -> assertThat(x).isFinite());

        // one content hash, the same in every run and in provenance
        String hash = JsonPath.read(report, "$.provenance.externalTests[0].contentSha256");
        assertThat(hash).hasSize(64);
        assertThat(JsonPath.<List<String>>read(report, "$.classifierRuns[*].external[0].contentSha256"))
                .hasSize(4).containsOnly(hash);
        assertThat(JsonPath.<String>read(report, "$.external[0].contentSha256")).isEqualTo(hash);
        assertThat(JsonPath.<String>read(report, "$.provenance.externalTests[0].datasetId")).isEqualTo(shifted);

        // summaries over seeds, and paired differences to REAL and to REAL_OVERSAMPLED, as for the internal test
        for (String arm : ARMS) {
            assertThat(JsonPath.<List<Integer>>read(report, "$.external[0].arms[?(@.arm=='" + arm
                    + "')].metrics.balancedAccuracy.n")).containsExactly(2);
        }
        double diff = 0;
        for (int seed = 0; seed < 2; seed++) {
            diff += one(report, "$.classifierRuns[?(@.arm=='REAL_OVERSAMPLED' && @.seed==" + seed
                    + ")].external[0].scores.balancedAccuracy") - one(report, "$.classifierRuns[?(@.arm=='REAL' && "
                    + "@.seed==" + seed + ")].external[0].scores.balancedAccuracy");
        }
        String toReal = "$.external[0].arms[?(@.arm=='REAL_OVERSAMPLED')].differenceToReal.balancedAccuracy";
        assertThat(one(report, toReal + ".mean")).isCloseTo(diff / 2, Offset.offset(1e-9));
        assertThat(one(report, toReal + ".low")).isLessThanOrEqualTo(one(report, toReal + ".mean"));
        assertThat(one(report, toReal + ".high")).isGreaterThanOrEqualTo(one(report, toReal + ".mean"));
        assertThat(one(report, "$.external[0].arms[?(@.arm=='REAL')].differenceToOversampled.balancedAccuracy.mean"))
                .isCloseTo(-diff / 2, Offset.offset(1e-9));
        assertThat(JsonPath.<List<Object>>read(report, "$.external[0].arms[?(@.arm=='REAL')].recallPerGrade[*]"))
                .hasSize(5);
        assertThat(JsonPath.<List<String>>read(report, "$.notes[*]")).anySatisfy(n -> assertThat(n)
                .contains("never used for training").contains("shifted"));

        // CSV: every run's external scores, under their own condition
        String csv = mvc.perform(as(key, get("/api/v1/studies/" + id + "/report.csv"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv)).getRecords();
        List<CSVRecord> external = rows.stream().filter(r -> r.get("condition").equals("external:shifted")).toList();
        assertThat(external).hasSize(4 * (5 + 5));
        assertThat(rows.stream().filter(r -> r.get("arm").equals("VAE")
                && r.get("condition").startsWith("external:shifted:"))).hasSize(2 * 4);
        CSVRecord realBa = external.stream().filter(r -> r.get("arm").equals("REAL") && r.get("seed").equals("1")
                && r.get("metric").equals("balancedAccuracy")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(realBa.get("value"))).isEqualTo(one(report,
                "$.classifierRuns[?(@.arm=='REAL' && @.seed==1)].external[0].scores.balancedAccuracy"));

        // HTML: the section beside the internal test, and the figure
        String html = mvc.perform(as(key, get("/api/v1/studies/" + id + "/report.html"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(html).contains("External test sets", "never used for training", hash,
                "Paired difference to REAL on shifted", "Paired difference to REAL_OVERSAMPLED on shifted");
        assertThat(JsonPath.<List<String>>read(report, "$.figures[*].name")).contains("external-balanced-accuracy");
        byte[] png = mvc.perform(as(key, get("/api/v1/studies/" + id + "/figures/external-balanced-accuracy.png")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void refusesExternalSetsThatAreNotExternal() throws Exception {
        String key = newOwnerKey();
        String dataset = phantoms(key, 3, 28);

        // unknown, or another owner's: not found
        create(key, spec(dataset, "[{\"datasetId\":\"nope\",\"name\":\"x\"}]")).andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        String stranger = newOwnerKey();
        String theirs = phantoms(stranger, 5, 28);
        create(key, spec(dataset, "[{\"datasetId\":\"" + theirs + "\",\"name\":\"x\"}]"))
                .andExpect(status().isNotFound());

        // the training dataset itself
        create(key, spec(dataset, "[{\"datasetId\":\"" + dataset + "\",\"name\":\"self\"}]"))
                .andExpect(status().isUnprocessableContent())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("external_is_training"))
                .andExpect(jsonPath("$.externalTest").value("self"));

        // the same phantoms again (same generator seed) in another dataset: every image is a training or
        // validation image too
        String copy = phantoms(key, 3, 28);
        Map<String, List<Integer>> bySplit = JsonPath.read(json(key, "/api/v1/datasets/" + dataset + "/stats"),
                "$.countsBySplit");
        int seen = 0;
        for (String split : List.of("train", "val")) {
            seen += bySplit.get(split).stream().mapToInt(Integer::intValue).sum();
        }
        create(key, spec(dataset, "[{\"datasetId\":\"" + copy + "\",\"name\":\"copy\"}]"))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.code").value("external_overlap"))
                .andExpect(jsonPath("$.overlapCount").value(seen))
                .andExpect(jsonPath("$.overlappingImages[0].externalImageId").isString())
                .andExpect(jsonPath("$.overlappingImages[0].trainingImage").value(Matchers.matchesPattern(
                        "(train|val)/.+")))
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("copy")));

        // grades the study's five classes do not have
        String sixClasses = sixClassDataset(key);
        create(key, spec(dataset, "[{\"datasetId\":\"" + sixClasses + "\",\"name\":\"six\"}]"))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.code").value("external_grades"))
                .andExpect(jsonPath("$.grades[0]").value(5));

        // nothing to score on
        String empty = createDataset(key, "empty");
        create(key, spec(dataset, "[{\"datasetId\":\"" + empty + "\",\"name\":\"empty\"}]"))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.code").value("external_too_small"))
                .andExpect(jsonPath("$.images").value(0));

        // a malformed list is a bad request, and nothing above created a study
        create(key, spec(dataset, "[{\"datasetId\":\"" + dataset + "\",\"name\":\"a b\"}]"))
                .andExpect(status().isBadRequest());
        assertThat(JsonPath.<List<Object>>read(json(key, "/api/v1/studies"), "$.items")).isEmpty();
    }

    /** A dataset with a sixth class and two images of it, beside two of grade 0. */
    private String sixClassDataset(String key) throws Exception {
        String created = mvc.perform(as(key, post("/api/v1/datasets").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"six\",\"splitSeed\":1,\"classNames\":[\"a\",\"b\",\"c\",\"d\",\"e\","
                                + "\"f\"]}")))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        String id = JsonPath.read(created, "$.id");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("filename,grade\n");
        for (int i = 0; i < 4; i++) {
            int grade = i < 2 ? 0 : 5;
            String name = "img" + i + ".png";
            entries.put(name, TestFiles.phantom(Math.min(grade, 4), 48, 500L + i, "png"));
            csv.append(name).append(',').append(grade).append('\n');
        }
        entries.put("labels.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/zip").file(part("file", "six.zip",
                TestFiles.zip(entries)))).andExpect(status().isCreated()).andExpect(jsonPath("$.accepted").value(4));
        return id;
    }

    private static double one(String json, String path) {
        List<Double> l = StudyApiTest.numbers(json, path);
        assertThat(l).as(path).hasSize(1);
        return l.get(0);
    }
}
