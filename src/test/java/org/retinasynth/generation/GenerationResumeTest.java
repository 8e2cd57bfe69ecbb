package org.retinasynth.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.security.Owner;
import org.retinasynth.testsupport.ApiTestSupport;
import org.retinasynth.jobs.JobRunner;
import org.retinasynth.jobs.JobState;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A set taken over after its worker died ends with exactly the images an uninterrupted run makes. */
class GenerationResumeTest extends ApiTestSupport {

    @Autowired
    GenerationService generations;
    @Autowired
    GenerationRunner runner;
    @Autowired
    JobRunner jobs;
    @Autowired
    JdbcClient jdbc;

    @Test
    void aResumedSetMakesTheSameImages() throws Exception {
        ApiKeyService.IssuedKey issued = keys.issue("resume-" + System.nanoTime(), false, "test");
        String key = issued.key();
        Owner owner = issued.owner();
        String dataset = JsonPath.read(mvc.perform(as(key, post("/api/v1/datasets/demo")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"resume\",\"countsPerGrade\":"
                                + "[4,4,4,4,4],\"imageSize\":64,\"workingSize\":28,\"seed\":2}")))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString(), "$.id");
        String model = JsonPath.read(mvc.perform(as(key, post("/api/v1/training-jobs")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"datasetId\":\"" + dataset
                                + "\",\"modelType\":\"VAE\",\"epochs\":1,\"batchSize\":8,\"latentDim\":8,"
                                + "\"baseChannels\":8,\"seed\":3}")))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString(), "$.id");
        long end = System.currentTimeMillis() + 120_000;
        while (!json(key, "/api/v1/training-jobs/" + model).contains("\"SUCCEEDED\"")) {
            assertThat(System.currentTimeMillis()).isLessThan(end);
            Thread.sleep(100);
        }

        Generation g = generations.create(owner, new GenerationRequest(model, List.of(90, 70, 60, 50, 30), null,
                null, null, 1.0, 11L, null, null));
        assertThat(g.state()).isEqualTo(JobState.QUEUED);
        while (!generations.get(owner, g.id()).state().finished()) {
            assertThat(System.currentTimeMillis()).isLessThan(end);
            Thread.sleep(100);
        }
        assertThat(generations.get(owner, g.id()).state()).isEqualTo(JobState.SUCCEEDED);
        Map<Integer, String> uninterrupted = shas(g.id());
        assertThat(uninterrupted).hasSize(300);

        // as if the worker died after its second chunk: later rows gone, the job still RUNNING
        int chunk = g.plan().chunkSize();
        jdbc.sql("delete from generated_images where generation_id = ? and chunk >= 2").param(g.id()).update();
        jdbc.sql("update jobs set state = 'RUNNING', done = ?, finished_at = null where id = ?")
                .params(2 * chunk, g.id()).update();
        assertThat(shas(g.id())).hasSize(2 * chunk);

        assertThat(jobs.execute(runner, g.id(), "test-worker")).isTrue();
        Generation resumed = generations.get(owner, g.id());
        assertThat(resumed.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(resumed.job().attempts()).isEqualTo(2);
        assertThat(resumed.job().progress().done()).isEqualTo(300);
        assertThat(shas(g.id())).isEqualTo(uninterrupted);
    }

    private Map<Integer, String> shas(String id) {
        Map<Integer, String> m = new TreeMap<>();
        jdbc.sql("select idx, sha256 from generated_images where generation_id = ?").param(id)
                .query((rs, n) -> m.put(rs.getInt(1), rs.getString(2))).list();
        return m;
    }
}
