package org.retinasynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinasynth.security.ApiKeyFilter;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.security.Owner;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.retinasynth.testsupport.IntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * One contract for every kind of job, through its HTTP routes: create, get, list and page, owner
 * isolation, cancel while queued and while running, delete, and a job taken over after its worker
 * died. The instance has the {@code api} role, so nothing runs unless the test runs it, the way a
 * worker would ({@link JobRunner}): every state is reached on purpose, not by timing.
 *
 * <p>Besides the service's kinds it runs against {@link Echoes}, a kind made of nothing but what a
 * new kind needs: a spec record, a body and its routes.
 */
@IntegrationTest
@SpringBootTest(properties = "retinasynth.role=api")
@Import(JobLifecycleContractTest.Echoes.class)
@AutoConfigureMockMvc
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobLifecycleContractTest {

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

    private String key;
    private String dataset;
    private String model;

    @DynamicPropertySource
    static void embeddedStore(DynamicPropertyRegistry registry) {
        registry.add("retinasynth.data-dir", DATA_DIR::toString);
        registry.add("retinasynth.security.print-first-key", () -> "false");
    }

    @BeforeAll
    void aDatasetAndATrainedModel() throws Exception {
        key = keys.issue("contract-" + UUID.randomUUID(), false, "test").key();
        dataset = JsonPath.read(body(post("/api/v1/datasets/demo"), "{\"name\":\"contract\",\"countsPerGrade\":"
                + "[10,10,10,10,10],\"imageSize\":40,\"workingSize\":28,\"seed\":4,\"valFraction\":0.2,\"testFraction\":0.3}",
                201), "$.id");
        model = create("training-jobs");
        runToTheEnd(model);
        assertThat(state("training-jobs", model)).isEqualTo("SUCCEEDED");
    }

    /** A request each kind queues rather than answers at once. */
    private String request(String kind) {
        return switch (kind) {
            case "training-jobs" -> "{\"datasetId\":\"" + dataset + "\",\"modelType\":\"VAE\",\"epochs\":1,"
                    + "\"batchSize\":8,\"latentDim\":4,\"baseChannels\":4,\"seed\":3}";
            case "generations" -> "{\"modelId\":\"" + model + "\",\"counts\":[60,60,60,60,60],\"seed\":5}";
            case "studies" -> "{\"datasetId\":\"" + dataset + "\",\"arms\":[\"REAL\"],\"seeds\":2,"
                    + "\"allowTwoSeeds\":true,\"models\":[\"DVAE\"],"
                    + "\"generative\":{\"epochs\":1,\"batchSize\":16,\"latentDim\":4,\"baseChannels\":4},"
                    + "\"classifier\":{\"epochs\":1,\"batchSize\":16},\"robustnessCorruptions\":[\"blur\"],"
                    + "\"iwaeSamples\":2}";
            case "echoes" -> "{\"text\":\"fundus\",\"steps\":3}";
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"training-jobs", "generations", "studies", "echoes"})
    void createListPageCancelQueuedDelete(String kind) throws Exception {
        String base = "/api/v1/" + kind;
        String a = create(kind);
        String b = create(kind);
        assertThat(state(kind, a)).isEqualTo("QUEUED");

        String page = body(get(base + "?page=0&size=1"), null, 200);
        assertThat(JsonPath.<List<?>>read(page, "$.items")).hasSize(1);
        assertThat(JsonPath.<Integer>read(page, "$.total")).isGreaterThanOrEqualTo(2);
        String queued = body(get(base + "?state=QUEUED&size=100"), null, 200);
        assertThat(JsonPath.<List<String>>read(queued, "$.items[*].id")).contains(a, b);

        mvc.perform(as(delete(base + "/" + a))).andExpect(status().isConflict());
        mvc.perform(as(post(base + "/" + a + "/cancel"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.state").value("CANCELLED"))
                .andExpect(jsonPath("$.error").value("cancelled before it started"));
        mvc.perform(as(post(base + "/" + a + "/cancel"))).andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("already ended as CANCELLED")));
        // a worker that picks the cancelled execution after all leaves it as it is
        assertThat(runner.execute(kind(a), a, "late-worker")).isTrue();
        assertThat(state(kind, a)).isEqualTo("CANCELLED");
        mvc.perform(as(delete(base + "/" + a))).andExpect(status().isNoContent());
        mvc.perform(as(get(base + "/" + a))).andExpect(status().isNotFound());
        assertThat(store.find(a)).isEmpty();

        String other = keys.issue("other-" + UUID.randomUUID(), false, "test").key();
        for (MockHttpServletRequestBuilder r : List.of(get(base + "/" + b), post(base + "/" + b + "/cancel"),
                delete(base + "/" + b))) {
            mvc.perform(r.header(ApiKeyFilter.HEADER, other)).andExpect(status().isNotFound());
        }
        assertThat(JsonPath.<Integer>read(mvc.perform(get(base).header(ApiKeyFilter.HEADER, other))
                .andReturn().getResponse().getContentAsString(), "$.total")).isZero();
        assertThat(state(kind, b)).isEqualTo("QUEUED");
        mvc.perform(as(post(base + "/" + b + "/cancel"))).andExpect(status().isOk());
    }

    @ParameterizedTest
    @ValueSource(strings = {"training-jobs", "generations", "studies", "echoes"})
    void aRunningJobStopsAtItsNextCheck(String kind) throws Exception {
        String id = create(kind);
        assertThat(store.markStarted(id, "cpu", "worker-a", null)).isTrue();
        mvc.perform(as(post("/api/v1/" + kind + "/" + id + "/cancel"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.state").value("RUNNING"))
                .andExpect(jsonPath("$.cancelRequested").value(true));
        mvc.perform(as(delete("/api/v1/" + kind + "/" + id))).andExpect(status().isConflict());
        runner.execute(kind(id), id, "worker-a");
        mvc.perform(as(get("/api/v1/" + kind + "/" + id))).andExpect(jsonPath("$.state").value("CANCELLED"))
                .andExpect(jsonPath("$.error").value("cancelled by the owner"));
        mvc.perform(as(delete("/api/v1/" + kind + "/" + id))).andExpect(status().isNoContent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"training-jobs", "generations", "studies", "echoes"})
    void aJobWhoseWorkerDiedIsTakenUpAndFinishes(String kind) throws Exception {
        String id = create(kind);
        // a worker took it and died: RUNNING, one attempt, nothing stored yet
        assertThat(store.markStarted(id, "cpu", "dead-worker", null)).isTrue();
        runToTheEnd(id);
        Job job = store.find(id).orElseThrow();
        assertThat(job.state()).as(String.valueOf(job.error())).isEqualTo(JobState.SUCCEEDED);
        assertThat(state(kind, id)).isEqualTo("SUCCEEDED");
        // a leaf job counts the new attempt; a study's own row only drives its units, each one an attempt
        if (!kind.equals("studies")) {
            assertThat(job.attempts()).isEqualTo(2);
            assertThat(job.worker()).isEqualTo("test-worker");
        } else {
            assertThat(store.children(id)).isNotEmpty().allMatch(u -> u.state() == JobState.SUCCEEDED
                    && u.attempts() == 1 && "test-worker".equals(u.worker()));
        }
        if (kind.equals("echoes")) {
            assertThat(JsonPath.<String>read(body(get("/api/v1/echoes/" + id), null, 200), "$.result"))
                    .isEqualTo("\"sudnuf\"");
        }
        mvc.perform(as(delete("/api/v1/" + kind + "/" + id))).andExpect(status().isNoContent());
        assertThat(store.children(id)).isEmpty();
    }

    /** A whole kind of job: its spec, its body and its routes; the job core does the rest. */
    @TestConfiguration
    static class Echoes {

        static final JobType TYPE = new JobType("echo-job", "echo", null);

        record Echo(String text, int steps) {
        }

        @Bean
        JobKind echoBody() {
            return new JobKind() {
                @Override
                public JobType type() {
                    return TYPE;
                }

                @Override
                public Outcome run(JobContext job) {
                    Echo echo = job.spec(Echo.class);
                    if (!job.start("cpu", (long) echo.steps())) {
                        return Outcome.DONE;
                    }
                    for (int step = 1; step <= echo.steps(); step++) {
                        job.checkCancelled();
                        job.progress(new Progress(step, echo.steps(), "echoing", null, null));
                    }
                    job.result(new StringBuilder(echo.text()).reverse().toString());
                    return Outcome.DONE;
                }
            };
        }

        @RestController
        @RequestMapping("/api/v1/echoes")
        static class Routes {

            private final JobService jobs;

            Routes(JobService jobs) {
                this.jobs = jobs;
            }

            @PostMapping
            @ResponseStatus(HttpStatus.CREATED)
            Job create(Owner owner, @RequestBody Echo echo) {
                return jobs.submit(owner, TYPE, echo);
            }

            @GetMapping
            Page<Job> list(Owner owner, @RequestParam(required = false) JobState state,
                           @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "20") int size) {
                return jobs.page(owner, TYPE, state, page, size);
            }

            @GetMapping("/{id}")
            Job get(Owner owner, @PathVariable String id) {
                return jobs.get(owner, TYPE, id);
            }

            @PostMapping("/{id}/cancel")
            Job cancel(Owner owner, @PathVariable String id) {
                jobs.cancel(owner, TYPE, id);
                return jobs.get(owner, TYPE, id);
            }

            @DeleteMapping("/{id}")
            @ResponseStatus(HttpStatus.NO_CONTENT)
            void delete(Owner owner, @PathVariable String id) {
                jobs.delete(owner, TYPE, id, List.of());
            }
        }
    }

    /** Runs a job the way workers would, its units included, until it ends. */
    private void runToTheEnd(String id) {
        Map<String, JobKind> byName = kinds.stream().collect(Collectors.toMap(k -> k.type().name(), Function.identity()));
        for (int look = 0; look < 50; look++) {
            for (Job unit : store.children(id)) {
                if (!unit.state().finished()) {
                    runner.execute(byName.get(unit.kind()), unit.id(), "test-worker");
                }
            }
            if (runner.execute(kind(id), id, "test-worker")) {
                return;
            }
        }
        throw new AssertionError("job " + id + " did not end");
    }

    private JobKind kind(String id) {
        String name = store.find(id).orElseThrow().kind();
        return kinds.stream().filter(k -> k.type().name().equals(name)).findFirst().orElseThrow();
    }

    private String create(String kind) throws Exception {
        var r = mvc.perform(as(post("/api/v1/" + kind)).contentType(MediaType.APPLICATION_JSON).content(request(kind)))
                .andReturn().getResponse();
        assertThat(r.getStatus()).as(r.getContentAsString()).isIn(201, 202);
        return JsonPath.read(r.getContentAsString(), "$.id");
    }

    private String state(String kind, String id) throws Exception {
        return JsonPath.read(body(get("/api/v1/" + kind + "/" + id), null, 200), "$.state");
    }

    private String body(MockHttpServletRequestBuilder request, String json, int expected) throws Exception {
        if (json != null) {
            request = request.contentType(MediaType.APPLICATION_JSON).content(json);
        }
        var r = mvc.perform(as(request)).andReturn().getResponse();
        assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(expected);
        return r.getContentAsString();
    }

    private MockHttpServletRequestBuilder as(MockHttpServletRequestBuilder r) {
        return r.header(ApiKeyFilter.HEADER, key);
    }

    private static Path temp() {
        try {
            return Files.createTempDirectory("retinasynth-contract-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
