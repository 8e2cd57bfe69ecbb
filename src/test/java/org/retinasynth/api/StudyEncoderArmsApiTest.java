package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.springframework.http.MediaType;

/**
 * Classifiers that start from the study's DVAE encoder (fine-tuned and frozen) beside REAL from
 * scratch: a tiny study on 28 px phantoms with one DVAE per seed and an external phantom set.
 */
class StudyEncoderArmsApiTest extends ApiTestSupport {

    private static final List<String> ENCODER_ARMS = List.of("ENCODER_DVAE", "FROZEN_DVAE");

    private String phantoms(String key, long seed, int workingSize) throws Exception {
        return createDemoDataset(key, "{\"name\":\"phantoms-" + java.util.UUID.randomUUID()
                + "\",\"countsPerGrade\":[12,12,12,12,12],\"imageSize\":40,\"workingSize\":" + workingSize
                + ",\"seed\":" + seed + ",\"valFraction\":0.2,\"testFraction\":0.3}");
    }

    @Test
    void encoderArmsAreScoredLikeRealAndComparedWithIt() throws Exception {
        String key = newOwnerKey();
        String dataset = phantoms(key, 5, 28);
        String shifted = phantoms(key, 98, 32);
        String body = "{\"datasetId\":\"" + dataset + "\",\"arms\":[\"REAL\",\"ENCODER_DVAE\",\"FROZEN_DVAE\"],"
                + "\"models\":[\"DVAE\"],\"seeds\":2,\"allowTwoSeeds\":true,\"generativePerSeed\":true,"
                + "\"generative\":{\"epochs\":1,\"batchSize\":16,\"latentDim\":8,\"baseChannels\":8},"
                + "\"classifier\":{\"epochs\":2,\"batchSize\":16,\"width\":16},"
                + "\"robustnessCorruptions\":[\"gaussian\"],\"iwaeSamples\":2,"
                + "\"externalTests\":[{\"datasetId\":\"" + shifted + "\",\"name\":\"shifted\"}]}";
        String created = mvc.perform(as(key, post("/api/v1/studies").contentType(MediaType.APPLICATION_JSON)
                .content(body))).andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        String id = JsonPath.read(created, "$.id");
        String study = awaitEnd(key, "/api/v1/studies/" + id);
        assertThat(JsonPath.<String>read(study, "$.state")).as(study).isEqualTo("SUCCEEDED");
        String report = json(key, "/api/v1/studies/" + id + "/report");

        assertThat(JsonPath.<List<Object>>read(report, "$.classifierRuns")).hasSize(3 * 2);
        int valImages = JsonPath.<List<Integer>>read(report, "$.provenance.splitCountsPerGrade.val").stream()
                .mapToInt(Integer::intValue).sum();
        Set<String> encoderShas = new HashSet<>();
        for (String arm : ENCODER_ARMS) {
            for (int seed = 0; seed < 2; seed++) {
                String run = "$.classifierRuns[?(@.arm=='" + arm + "' && @.seed==" + seed + ")]";
                // provenance: the same seed's DVAE, by unit and by the hash of the weights copied
                assertThat(JsonPath.<List<String>>read(report, run + ".encoder.model")).containsExactly("DVAE");
                assertThat(JsonPath.<List<String>>read(report, run + ".encoder.unit"))
                        .containsExactly("gen/DVAE/s" + seed);
                assertThat(JsonPath.<List<Boolean>>read(report, run + ".encoder.frozen"))
                        .containsExactly(arm.startsWith("FROZEN"));
                String sha = JsonPath.<List<String>>read(report, run + ".encoder.modelSha256").get(0);
                assertThat(sha).matches("[0-9a-f]{64}");
                encoderShas.add(seed + sha);
                // scored by the same code as REAL: test split, every robustness point, the external set
                assertThat(one(report, run + ".test.balancedAccuracy")).isBetween(0.0, 1.0);
                assertThat(JsonPath.<List<String>>read(report, run + ".robustness[*].condition"))
                        .isEqualTo(JsonPath.<List<String>>read(report,
                                "$.classifierRuns[?(@.arm=='REAL' && @.seed==" + seed + ")].robustness[*].condition"));
                assertThat(JsonPath.<List<Integer>>read(report, run + ".external[0].images")).containsExactly(60);
                assertThat(one(report, run + ".external[0].scores.balancedAccuracy")).isBetween(0.0, 1.0);
                // read only the training split to fit, the validation split to select, the external set to score
                assertThat(JsonPath.<List<Map<String, Integer>>>read(report, run + ".imagesRead.training").get(0))
                        .containsOnlyKeys("dataset/train");
                assertThat(JsonPath.<List<Map<String, Integer>>>read(report, run + ".imagesRead.selection").get(0))
                        .containsExactly(Map.entry("dataset/val", valImages));
                assertThat(JsonPath.<List<Map<String, Integer>>>read(report, run + ".imagesRead.scoring").get(0))
                        .containsEntry("external/shifted", 60);
            }
        }
        // the two seeds' DVAEs are different models; both arms of a seed started from the same one
        assertThat(encoderShas).hasSize(2);
        assertThat(JsonPath.<List<Object>>read(report, "$.classifierRuns[?(@.arm=='REAL')].encoder"))
                .allSatisfy(e -> assertThat(e).isNull());
        assertThat(JsonPath.<List<Object>>read(report, "$.provenance.classifierEncoders")).hasSize(4);
        for (String phase : List.of("training", "selection")) {
            assertThat(JsonPath.<List<Map<String, Integer>>>read(report, "$..imagesRead." + phase))
                    .hasSize(6 + 2).allSatisfy(m -> assertThat(m).doesNotContainKey("external/shifted"));
        }

        // paired differences to REAL: internal test, external set, and a point of the corruption curve
        for (String arm : ENCODER_ARMS) {
            assertThat(one(report, "$.arms[?(@.arm=='" + arm + "')].differenceToReal.balancedAccuracy.mean"))
                    .isCloseTo(meanDifference(report, arm, ".test.balancedAccuracy"), Offset.offset(1e-9));
            assertThat(one(report, "$.external[0].arms[?(@.arm=='" + arm + "')].differenceToReal.balancedAccuracy"
                    + ".mean")).isCloseTo(meanDifference(report, arm, ".external[0].scores.balancedAccuracy"),
                    Offset.offset(1e-9));
            String point = "[?(@.condition=='gaussian' && @.severity==0.6)]";
            String curve = "$.robustness[?(@.arm=='" + arm + "' && @.condition=='gaussian' && @.severity==0.6"
                    + " && @.metric=='accuracy')].differenceToReal";
            assertThat(one(report, curve + ".mean")).isCloseTo(meanDifference(report, arm, ".robustness" + point
                    + ".accuracy"), Offset.offset(1e-9));
            assertThat(one(report, curve + ".low")).isLessThanOrEqualTo(one(report, curve + ".high"));
        }
        // REAL is the reference: no difference to itself
        assertThat(JsonPath.<List<Map<String, Object>>>read(report, "$.robustness[?(@.arm=='REAL')]"))
                .isNotEmpty().allSatisfy(r -> assertThat(r.get("differenceToReal")).isNull());

        String html = mvc.perform(as(key, get("/api/v1/studies/" + id + "/report.html"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(html).contains("Robustness: accuracy paired difference to REAL").contains("FROZEN_DVAE")
                .contains("classifierEncoders");
    }

    /** Mean over seeds of arm minus REAL of the value at {@code path} under each classifier run. */
    private static double meanDifference(String report, String arm, String path) {
        double d = 0;
        for (int seed = 0; seed < 2; seed++) {
            d += one(report, "$.classifierRuns[?(@.arm=='" + arm + "' && @.seed==" + seed + ")]" + path)
                    - one(report, "$.classifierRuns[?(@.arm=='REAL' && @.seed==" + seed + ")]" + path);
        }
        return d / 2;
    }

    private static double one(String json, String path) {
        List<Double> l = StudyApiTest.numbers(json, path);
        assertThat(l).as(path).hasSize(1);
        return l.get(0);
    }
}
