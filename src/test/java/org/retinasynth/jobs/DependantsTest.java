package org.retinasynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.retinasynth.security.ApiKeyFilter;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.testsupport.IntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * Deleting what unfinished jobs need: a model that queued or running generations sample from, a
 * dataset that queued training jobs read. The answer is 409 naming them, or with cascade they are
 * cancelled first. The instance has the {@code api} role, so jobs run only when the test runs them
 * and every state is reached on purpose.
 */
@IntegrationTest
@SpringBootTest(properties = "retinasynth.role=api")
@AutoConfigureMockMvc
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DependantsTest {

    private static final Path DATA_DIR = temp();

    @Autowired
    MockMvc mvc;
    @Autowired
    ApiKeyService keys;
    @Autowired
    JobRunner runner;
    @Autowired
    JobStore store;
    @Autowired
    List<JobKind> kinds;
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;
    @Autowired
    org.retinasynth.storage.BlobStore blobs;

    private String key;

    @DynamicPropertySource
    static void embeddedStore(DynamicPropertyRegistry registry) {
        registry.add("retinasynth.data-dir", DATA_DIR::toString);
        registry.add("retinasynth.security.print-first-key", () -> "false");
    }

    @BeforeAll
    void owner() {
        key = keys.issue("dependants-" + UUID.randomUUID(), false, "test").key();
    }

    @Test
    void aModelInUseIsKeptUntilCascadeCancelsItsGenerations() throws Exception {
        String dataset = demo("model-in-use");
        String model = train(dataset);
        run(model);
        assertThat(store.find(model).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        String modelBlob = jdbc.sql("select model_sha256 from training_jobs where id = ?").param(model)
                .query(String.class).single();
        String queued = generation(model);
        String running = generation(model);
        assertThat(store.markStarted(running, "cpu", "worker-a", null)).isTrue();

        MockHttpServletResponse refused = send(delete("/api/v1/training-jobs/" + model));
        assertThat(refused.getStatus()).isEqualTo(409);
        assertThat(refused.getContentType()).isEqualTo("application/problem+json");
        assertThat(JsonPath.<List<String>>read(refused.getContentAsString(), "$.dependants[*].id"))
                .containsExactlyInAnyOrder(queued, running);
        assertThat(JsonPath.<List<String>>read(refused.getContentAsString(), "$.dependants[*].state"))
                .containsExactlyInAnyOrder("QUEUED", "RUNNING");
        assertThat(send(get("/api/v1/training-jobs/" + model)).getStatus()).isEqualTo(200);
        assertThat(send(get("/api/v1/training-jobs/" + model + "/model")).getStatus()).isEqualTo(200);
        // another owner still sees nothing at all
        String other = keys.issue("other-" + UUID.randomUUID(), false, "test").key();
        assertThat(mvc.perform(delete("/api/v1/training-jobs/" + model).header(ApiKeyFilter.HEADER, other))
                .andReturn().getResponse().getStatus()).isEqualTo(404);

        assertThat(send(delete("/api/v1/training-jobs/" + model + "?cascade=true")).getStatus()).isEqualTo(204);
        assertThat(send(get("/api/v1/training-jobs/" + model)).getStatus()).isEqualTo(404);
        assertThat(store.find(queued).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        // the generations' rows still name the model's archive, so deleting the job keeps its bytes
        // (the collector, which reads the same columns, would keep them too)
        assertThat(blobs.exists(modelBlob)).isTrue();
        Job stillRunning = store.find(running).orElseThrow();
        assertThat(stillRunning.state()).isEqualTo(JobState.RUNNING);
        assertThat(stillRunning.cancelRequested()).isTrue();
        // its worker's next look ends it as the owner asked, though its model is gone
        run(running);
        assertThat(store.find(running).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void aDatasetInUseIsKeptUntilCascadeCancelsItsJobs() throws Exception {
        String dataset = demo("dataset-in-use");
        String training = train(dataset);

        MockHttpServletResponse refused = send(delete("/api/v1/datasets/" + dataset));
        assertThat(refused.getStatus()).isEqualTo(409);
        assertThat(JsonPath.<List<String>>read(refused.getContentAsString(), "$.dependants[*].id"))
                .containsExactly(training);
        assertThat(JsonPath.<List<String>>read(refused.getContentAsString(), "$.dependants[*].kind"))
                .containsExactly("training-job");
        assertThat(send(get("/api/v1/datasets/" + dataset)).getStatus()).isEqualTo(200);

        assertThat(send(delete("/api/v1/datasets/" + dataset + "?cascade=true")).getStatus()).isEqualTo(204);
        assertThat(send(get("/api/v1/datasets/" + dataset)).getStatus()).isEqualTo(404);
        // the ended job keeps the dataset's id as provenance
        String job = send(get("/api/v1/training-jobs/" + training)).getContentAsString();
        assertThat(JsonPath.<String>read(job, "$.state")).isEqualTo("CANCELLED");
        assertThat(JsonPath.<String>read(job, "$.datasetId")).isEqualTo(dataset);
    }

    private String demo(String name) throws Exception {
        return JsonPath.read(created(post("/api/v1/datasets/demo"), "{\"name\":\"" + name + "\",\"countsPerGrade\":"
                + "[6,6,6,6,6],\"imageSize\":40,\"workingSize\":28,\"seed\":4}"), "$.id");
    }

    private String train(String dataset) throws Exception {
        return JsonPath.read(created(post("/api/v1/training-jobs"), "{\"datasetId\":\"" + dataset + "\","
                + "\"modelType\":\"VAE\",\"epochs\":1,\"batchSize\":8,\"latentDim\":4,\"baseChannels\":4,\"seed\":3}"),
                "$.id");
    }

    /** Large enough to be queued rather than made in the request. */
    private String generation(String model) throws Exception {
        return JsonPath.read(created(post("/api/v1/generations"),
                "{\"modelId\":\"" + model + "\",\"counts\":[60,60,60,60,60],\"seed\":5}"), "$.id");
    }

    private void run(String id) {
        String name = store.find(id).orElseThrow().kind();
        runner.execute(kinds.stream().filter(k -> k.type().name().equals(name)).findFirst().orElseThrow(), id,
                "test-worker");
    }

    private String created(MockHttpServletRequestBuilder request, String json) throws Exception {
        MockHttpServletResponse r = send(request.contentType(MediaType.APPLICATION_JSON).content(json));
        assertThat(r.getStatus()).as(r.getContentAsString()).isIn(201, 202);
        return r.getContentAsString();
    }

    private MockHttpServletResponse send(MockHttpServletRequestBuilder request) throws Exception {
        return mvc.perform(request.header(ApiKeyFilter.HEADER, key)).andReturn().getResponse();
    }

    private static Path temp() {
        try {
            return Files.createTempDirectory("retinasynth-dependants-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
