package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.springframework.http.MediaType;

/**
 * A grader-filtered arm end to end on tiny imbalanced phantoms: REAL, REAL_OVERSAMPLED and
 * REAL_DVAE_BALANCED over 2 seeds, one DVAE for the study.
 */
class StudyBalancedArmApiTest extends ApiTestSupport {

    private static final double THRESHOLD = 0.3;

    @Test
    void theBalancedArmReachesRebalancingsTargetWithGradedSamplesOrReportsTheShortfall() throws Exception {
        String key = newOwnerKey();
        String dataset = createDemoDataset(key, "{\"name\":\"balanced-demo\",\"countsPerGrade\":[24,12,8,16,10],"
                + "\"imageSize\":40,\"workingSize\":28,\"seed\":5,\"valFraction\":0.2,\"testFraction\":0.3}");
        String spec = "{\"datasetId\":\"" + dataset + "\",\"seeds\":2,\"allowTwoSeeds\":true,"
                + "\"generativePerSeed\":false,\"models\":[\"DVAE\"],"
                + "\"arms\":[\"REAL_DVAE_BALANCED\",\"REAL\",\"REAL_OVERSAMPLED\"],\"filterThreshold\":" + THRESHOLD
                + ",\"generative\":{\"epochs\":2,\"batchSize\":16,\"latentDim\":8,\"baseChannels\":8},"
                + "\"classifier\":{\"epochs\":2,\"batchSize\":16,\"width\":16},"
                + "\"robustnessCorruptions\":[\"gaussian\"],\"iwaeSamples\":2}";
        String created = mvc.perform(as(key, post("/api/v1/studies").contentType(MediaType.APPLICATION_JSON)
                .content(spec))).andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        String id = JsonPath.read(created, "$.id");
        String study = awaitEnd(key, "/api/v1/studies/" + id);
        assertThat(JsonPath.<String>read(study, "$.state")).as(study).isEqualTo("SUCCEEDED");
        String report = json(key, "/api/v1/studies/" + id + "/report");

        List<Integer> real = JsonPath.<List<List<Integer>>>read(report,
                "$.classifierRuns[?(@.arm=='REAL')].trainCountsPerGrade").get(0);
        int max = Collections.max(real);
        boolean anyShortfall = false;
        for (int seed = 0; seed < 2; seed++) {
            String run = "$.classifierRuns[?(@.arm=='REAL_DVAE_BALANCED' && @.seed==" + seed + ")]";
            List<Integer> counts = JsonPath.<List<List<Integer>>>read(report, run + ".trainCountsPerGrade").get(0);
            List<Integer> oversampled = JsonPath.<List<List<Integer>>>read(report,
                    "$.classifierRuns[?(@.arm=='REAL_OVERSAMPLED' && @.seed==" + seed + ")].trainCountsPerGrade")
                    .get(0);
            assertThat(oversampled).containsOnly(max);
            assertThat(JsonPath.<List<String>>read(report, run + ".filter.grader"))
                    .containsExactly("clf/REAL/s" + seed);
            assertThat(StudyApiTest.numbers(report, run + ".filter.threshold")).containsExactly(THRESHOLD);
            List<Map<String, Object>> tallies = JsonPath.<List<List<Map<String, Object>>>>read(report,
                    run + ".filter.grades").get(0);
            // one tally per grade below the largest, asking for exactly the gap to it
            assertThat(tallies).extracting(t -> (Integer) t.get("grade")).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, real.size()).filter(g -> real.get(g) < max).boxed().toList());
            int synthetic = 0;
            for (Map<String, Object> t : tallies) {
                int g = (Integer) t.get("grade");
                int requested = (Integer) t.get("requested");
                int drawn = (Integer) t.get("drawn");
                int passed = (Integer) t.get("passed");
                int accepted = (Integer) t.get("accepted");
                assertThat(requested).isEqualTo(max - real.get(g));
                assertThat(accepted).isBetween(0, requested).isLessThanOrEqualTo(passed);
                assertThat(passed).isLessThanOrEqualTo(drawn);
                assertThat(drawn).isLessThanOrEqualTo(50 * requested);
                assertThat(((Number) t.get("acceptanceRate")).doubleValue()).isEqualTo((double) passed / drawn);
                if (accepted < requested) {
                    // the budget, not an early stop, is the only reason to deliver fewer
                    assertThat(drawn).isEqualTo(50 * requested);
                    anyShortfall = true;
                }
                // the arm trains on the real images plus what was accepted: the oversampled target, less any shortfall
                assertThat(counts.get(g)).isEqualTo(real.get(g) + accepted);
                synthetic += accepted;
            }
            if (tallies.stream().allMatch(t -> t.get("accepted").equals(t.get("requested")))) {
                assertThat(counts).isEqualTo(oversampled);
            }
            assertThat(StudyApiTest.numbers(report, run + ".syntheticImages")).containsExactly((double) synthetic);
        }
        List<String> notes = JsonPath.read(report, "$.notes");
        boolean shortOf = anyShortfall;
        assertThat(notes).anyMatch(n -> n.contains("REAL_DVAE_BALANCED") && (shortOf
                ? n.contains("ran out before the target") : n.contains("Every grade reached its target")));
        assertThat(StudyApiTest.numbers(report, "$.provenance.syntheticFilter.threshold")).containsExactly(THRESHOLD);
        assertThat(JsonPath.<String>read(report, "$.provenance.syntheticFilter.grader")).contains("clf/REAL/sN");

        // paired to REAL and to plain rebalancing, and the verdict against rebalancing is said in words
        assertThat(StudyApiTest.numbers(report,
                "$.arms[?(@.arm=='REAL_DVAE_BALANCED')].differenceToReal.balancedAccuracy.mean")).hasSize(1);
        double low = StudyApiTest.numbers(report,
                "$.arms[?(@.arm=='REAL_DVAE_BALANCED')].differenceToOversampled.balancedAccuracy.low").get(0);
        assertThat(StudyApiTest.numbers(report,
                "$.arms[?(@.arm=='REAL_DVAE_BALANCED')].differenceToOversampled['recall[2]'].mean")).hasSize(1);
        String html = mvc.perform(as(key, get("/api/v1/studies/" + id + "/report.html"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(html).contains("Grader-filtered synthesis", "<td class=l>clf/REAL/s1</td>",
                low > 0 ? "REAL_DVAE_BALANCED beats plain rebalancing"
                        : "REAL_DVAE_BALANCED does not beat plain rebalancing (REAL_OVERSAMPLED)");
        String csv = mvc.perform(as(key, get("/api/v1/studies/" + id + "/report.csv"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(csv).contains("REAL_DVAE_BALANCED,0,filterAcceptanceRate,grade=");
    }
}
