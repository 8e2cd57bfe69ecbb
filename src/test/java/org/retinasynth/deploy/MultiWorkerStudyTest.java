package org.retinasynth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.jobs.JobQueue;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.PostgresDatabases;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One study shared by two workers (as {@code --scale worker=2} or Helm's {@code worker.replicas: 2}):
 * an {@code api} instance and two {@code worker} instances on one PostgreSQL database and one blob
 * directory (the shared volume). Its units run on both workers, and its report equals, number for
 * number, the report of the same study run by a single worker, since every unit is seeded.
 */
@IntegrationTest
class MultiWorkerStudyTest {

    private static final String KEY = "rsk_multi-worker-study-test-key-0123456789";
    private static final String DATASET = "{\"name\":\"shared\",\"countsPerGrade\":[10,10,10,10,10],\"imageSize\":40,"
            + "\"workingSize\":28,\"seed\":9,\"valFraction\":0.2,\"testFraction\":0.3}";
    private static final String STUDY = "\"arms\":[\"REAL\",\"REAL_DVAE\"],\"seeds\":2,\"allowTwoSeeds\":true,"
            + "\"models\":[\"VAE\",\"DVAE\"],"
            + "\"generative\":{\"epochs\":1,\"batchSize\":16,\"latentDim\":8,\"baseChannels\":8},"
            + "\"classifier\":{\"epochs\":1,\"batchSize\":16},\"robustnessCorruptions\":[\"blur\"],\"iwaeSamples\":2,";
    /** Scored by every unit as an external test set: its numbers must not depend on the worker either. */
    private static final String EXTERNAL = "{\"name\":\"external\",\"countsPerGrade\":[4,4,4,4,4],\"imageSize\":40,"
            + "\"workingSize\":32,\"seed\":10}";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void twoWorkersShareOneStudyAndReportWhatOneWorkerReports() throws Exception {
        Path shared = Files.createTempDirectory("retinasynth-shared-");
        JsonNode twoWorkers;
        Set<String> workerNames = new HashSet<>();
        long t0 = System.nanoTime();
        PostgresDatabases.Coordinates db = PostgresDatabases.fresh();
        try (ConfigurableApplicationContext api = start("api", db, shared);
             ConfigurableApplicationContext first = start("worker", db, shared);
             ConfigurableApplicationContext second = start("worker", db, shared)) {
            workerNames.add(first.getBean(JobQueue.class).workerName());
            workerNames.add(second.getBean(JobQueue.class).workerName());
            t0 = System.nanoTime();
            twoWorkers = runStudy(url(api));
        }
        double twoSeconds = (System.nanoTime() - t0) / 1e9;

        @SuppressWarnings("unchecked")
        Map<String, String> unitWorkers = json.convertValue(twoWorkers.at("/provenance/unitWorkers"), Map.class);
        assertThat(unitWorkers).containsKeys("gen/VAE/s0", "gen/DVAE/s1", "clf/REAL/s0", "clf/REAL_DVAE/s1");
        assertThat(new HashSet<>(unitWorkers.values())).as("units ran on both workers: " + unitWorkers)
                .isEqualTo(workerNames);

        JsonNode oneWorker;
        PostgresDatabases.Coordinates alone = PostgresDatabases.fresh();
        long t1 = System.nanoTime();
        try (ConfigurableApplicationContext all = start("all", alone, Files.createTempDirectory("retinasynth-one-"))) {
            t1 = System.nanoTime();
            oneWorker = runStudy(url(all));
        }
        double oneSeconds = (System.nanoTime() - t1) / 1e9;
        System.out.printf("study wall time: 1 worker %.1f s, 2 workers %.1f s%n", oneSeconds, twoSeconds);

        assertThat(twoWorkers.at("/external/0/arms/0/metrics/balancedAccuracy/n").asInt()).isEqualTo(2);
        assertThat(results(twoWorkers)).isEqualTo(results(oneWorker));
    }

    /** Creates the phantom dataset and the study, waits for the report and returns it. */
    private JsonNode runStudy(String base) throws Exception {
        String dataset = JsonPath.read(send(base, "POST", "/api/v1/datasets/demo", DATASET, 201), "$.id");
        String external = JsonPath.read(send(base, "POST", "/api/v1/datasets/demo", EXTERNAL, 201), "$.id");
        String study = JsonPath.read(send(base, "POST", "/api/v1/studies",
                "{\"datasetId\":\"" + dataset + "\"," + STUDY + "\"externalTests\":[{\"datasetId\":\"" + external
                        + "\",\"name\":\"shifted\"}]}", 201), "$.id");
        String state = "QUEUED";
        String body = "";
        long end = System.currentTimeMillis() + 600_000;
        while (!List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(state)) {
            assertThat(System.currentTimeMillis()).as("study did not finish; last: " + body).isLessThan(end);
            Thread.sleep(500);
            body = send(base, "GET", "/api/v1/studies/" + study, null, 200);
            state = JsonPath.read(body, "$.state");
        }
        assertThat(state).as(body).isEqualTo("SUCCEEDED");
        return json.readTree(send(base, "GET", "/api/v1/studies/" + study + "/report", null, 200));
    }

    /** The report less what names this run (ids, workers, timings) rather than what it measured. */
    private static JsonNode results(JsonNode report) {
        JsonNode copy = report.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove(List.of("studyId", "provenance", "seconds", "source", "figures", "datasetId"));
        }
        node.forEach(MultiWorkerStudyTest::strip);
    }

    private static ConfigurableApplicationContext start(String role, PostgresDatabases.Coordinates db, Path dataDir) {
        List<String> args = new ArrayList<>(List.of("--retinasynth.role=" + role, "--server.port=0",
                "--spring.datasource.url=" + db.url(), "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(), "--retinasynth.data-dir=" + dataDir,
                "--retinasynth.security.bootstrap-key=" + KEY, "--retinasynth.security.print-first-key=false",
                "--retinasynth.jobs.poll-seconds=1",
                // Role all defaults to one core fewer than role worker; another thread count sums
                // in another order, so the two runs would differ in the last bits and then more.
                "--retinasynth.torch.intra-op-threads=1"));
        // Command-line arguments, not builder properties: those are defaults that application.yml overrides.
        return SpringApplication.run(RetinaSynthApplication.class, args.toArray(String[]::new));
    }

    private static String url(ConfigurableApplicationContext ctx) {
        return "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port");
    }

    private String send(String base, String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).header("X-API-Key", KEY)
                .timeout(Duration.ofSeconds(60));
        r = body == null ? r.method(method, HttpRequest.BodyPublishers.noBody())
                : r.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(method + " " + path + ": " + resp.body()).isEqualTo(expected);
        return resp.body();
    }
}
