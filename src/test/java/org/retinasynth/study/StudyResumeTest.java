package org.retinasynth.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinasynth.jobs.JobQueue;
import org.retinasynth.testsupport.ApiTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A study taken up again (as after a worker died) keeps the units it had finished and recomputes only
 * the missing one, on the same training set because every unit is seeded.
 */
class StudyResumeTest extends ApiTestSupport {

    @Autowired
    JobQueue queue;

    @Autowired
    StudyRepository repository;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aResumedStudySkipsFinishedUnitsAndRedoesTheMissingOne() throws Exception {
        String key = newOwnerKey();
        String dataset = createDemoDataset(key, "{\"name\":\"resume\",\"countsPerGrade\":[10,10,10,10,10],\"imageSize\":40,"
                + "\"workingSize\":28,\"seed\":5,\"valFraction\":0.2,\"testFraction\":0.3}");
        String created = mvc.perform(as(key, post("/api/v1/studies").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"datasetId\":\"" + dataset + "\",\"arms\":[\"REAL\",\"REAL_DVAE\"],\"seeds\":2,"
                                + "\"allowTwoSeeds\":true,\"generativePerSeed\":false,"
                                + "\"generative\":{\"epochs\":1,\"batchSize\":16,\"latentDim\":8,\"baseChannels\":8},"
                                + "\"classifier\":{\"epochs\":1,\"batchSize\":16},"
                                + "\"robustnessCorruptions\":[\"blur\"],\"iwaeSamples\":2}")))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        String id = JsonPath.read(created, "$.id");
        long end = System.currentTimeMillis() + 180_000;
        while (!repository.find(id).orElseThrow().state().finished() && System.currentTimeMillis() < end) {
            Thread.sleep(200);
        }
        assertThat(repository.find(id).orElseThrow().state().name()).isEqualTo("SUCCEEDED");
        Map<String, StudyRepository.Unit> before = repository.units(id);
        assertThat(before).containsKeys("gen/VAE/all", "gen/DVAE/all", "clf/REAL/s0", "clf/REAL/s1",
                "clf/REAL_DVAE/s0", "clf/REAL_DVAE/s1", "quality");

        // as if the worker had died after all but one unit: back to RUNNING, one unit lost
        jdbc.sql("update jobs set state = 'RUNNING', finished_at = null where id = ?").param(id).update();
        jdbc.sql("update studies set report_sha256 = null where id = ?").param(id).update();
        jdbc.sql("delete from study_units where study_id = ? and unit_key = 'clf/REAL_DVAE/s1'").param(id).update();
        List<Object> stamps = jdbc.sql("select created_at from study_units where study_id = ? order by unit_key")
                .param(id).query((rs, n) -> rs.getObject(1)).list();
        queue.enqueue(StudyRunner.TYPE, id);
        end = System.currentTimeMillis() + 180_000;
        while (!repository.find(id).orElseThrow().state().finished() && System.currentTimeMillis() < end) {
            Thread.sleep(200);
        }

        Study resumed = repository.find(id).orElseThrow();
        assertThat(resumed.state().name()).as(String.valueOf(resumed.error())).isEqualTo("SUCCEEDED");
        // the lost unit ran again as a child job of its own (quality scores are written by the REAL units);
        // nothing else was queued again
        assertThat(jdbc.sql("select count(*) from jobs where parent_id = ?").param(id).query(Long.class).single())
                .isEqualTo(before.keySet().stream().filter(k -> !k.startsWith("quality")).count() + 1);
        Map<String, StudyRepository.Unit> after = repository.units(id);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        // the kept units were not rewritten
        List<Object> kept = jdbc.sql("""
                        select created_at from study_units where study_id = ? and unit_key <> 'clf/REAL_DVAE/s1'
                        order by unit_key""").param(id).query((rs, n) -> rs.getObject(1)).list();
        assertThat(kept).isEqualTo(stamps);
        // the redone unit trained on the same set: the reloaded DVAE's seeded samples, the same real images
        String redone = after.get("clf/REAL_DVAE/s1").resultJson();
        String original = before.get("clf/REAL_DVAE/s1").resultJson();
        for (String field : List.of("$.trainCountsPerGrade", "$.syntheticImages", "$.realImages")) {
            assertThat(JsonPath.<Object>read(redone, field)).isEqualTo(JsonPath.read(original, field));
        }
        assertThat(resumed.reportSha256()).isNotNull();
    }
}
