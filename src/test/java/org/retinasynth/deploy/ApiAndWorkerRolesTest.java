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
import java.util.List;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.jobs.JobQueue;
import org.retinasynth.storage.MinioBlobStoreContractTest;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.PostgresDatabases;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;

/**
 * The split deployment of docker-compose and the Helm chart, in one JVM: an {@code api} context and
 * a {@code worker} context, each with its own data directory (as on two nodes), sharing only one
 * PostgreSQL database and one S3 bucket (S3Proxy in this JVM). The API queues a training job it
 * never runs; the worker runs it; the API then serves the model the worker wrote. With a Docker
 * engine present, PostgreSQL and the bucket are containers (PostgreSQL, MinIO) instead.
 */
@IntegrationTest
class ApiAndWorkerRolesTest {

    private static final String KEY = "rsk_api-worker-roles-test-key-0123456789";

    @RegisterExtension
    static final S3ProxyExtension S3 = S3ProxyExtension.builder()
            .withCredentials(AuthenticationType.AWS_V2_OR_V4, "roles-access", "roles-secret").build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static MinIOContainer minio;

    @AfterAll
    static void stopMinio() {
        if (minio != null) {
            minio.stop();
        }
    }

    @Test
    void apiQueuesTheWorkerTrainsAndTheApiServesTheResult() throws Exception {
        PostgresDatabases.Coordinates db = PostgresDatabases.fresh();
        if (DockerClientFactory.instance().isDockerAvailable()) {
            minio = new MinIOContainer(MinioBlobStoreContractTest.IMAGE);
            minio.start();
        }
        try (ConfigurableApplicationContext api = start("api", db)) {
            String apiUrl = url(api);
            String dataset = JsonPath.read(send(apiUrl, "POST", "/api/v1/datasets/demo",
                    "{\"name\":\"roles\",\"countsPerGrade\":[4,4,4,4,4],\"imageSize\":48,\"workingSize\":28,\"seed\":5}",
                    201), "$.id");
            String job = JsonPath.read(send(apiUrl, "POST", "/api/v1/training-jobs", "{\"datasetId\":\"" + dataset
                    + "\",\"modelType\":\"DVAE\",\"corruption\":{\"components\":[{\"name\":\"gaussian\",\"severity\":0.3,\"probability\":1.0}]},\"epochs\":2,\"batchSize\":4,\"latentDim\":4,\"baseChannels\":4,"
                    + "\"seed\":3}", 201), "$.id");

            Thread.sleep(3_000); // several poll intervals: a job-running instance would have picked it up
            assertThat((String) JsonPath.read(send(apiUrl, "GET", "/api/v1/training-jobs/" + job, null, 200),
                    "$.state")).as("the api role never runs jobs").isEqualTo("QUEUED");

            try (ConfigurableApplicationContext worker = start("worker", db)) {
                String workerUrl = url(worker);
                assertThat(status(workerUrl, "/actuator/health/readiness")).isEqualTo(200);
                assertThat(status(workerUrl, "/actuator/prometheus")).isEqualTo(200);
                assertThat(status(workerUrl, "/api/v1/datasets")).as("a worker serves no API").isEqualTo(404);
                assertThat(status(workerUrl, "/v3/api-docs")).isEqualTo(404);

                String state = "QUEUED";
                String body = "";
                long end = System.currentTimeMillis() + 180_000;
                while (!List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(state)) {
                    assertThat(System.currentTimeMillis()).as("job did not finish; last: " + body).isLessThan(end);
                    Thread.sleep(250);
                    body = send(apiUrl, "GET", "/api/v1/training-jobs/" + job, null, 200);
                    state = JsonPath.read(body, "$.state");
                }
                assertThat(state).as(body).isEqualTo("SUCCEEDED");
                assertThat((String) JsonPath.read(body, "$.worker"))
                        .isEqualTo(worker.getBean(JobQueue.class).workerName())
                        .isNotEqualTo(api.getBean(JobQueue.class).workerName());
            }
            // The worker is gone: the model it wrote is served by the API from the shared bucket.
            HttpResponse<byte[]> model = http.send(request(apiUrl, "/api/v1/training-jobs/" + job + "/model")
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(model.statusCode()).isEqualTo(200);
            assertThat(model.body()).startsWith('P', 'K');
            assertThat(status(apiUrl, "/v3/api-docs")).isEqualTo(200);
            assertThat(status(apiUrl, "/actuator/health/liveness")).isEqualTo(200);
        }
    }

    private static ConfigurableApplicationContext start(String role, PostgresDatabases.Coordinates db)
            throws Exception {
        Path dataDir = Files.createTempDirectory("retinasynth-" + role + "-");
        List<String> args = new ArrayList<>(List.of("--retinasynth.role=" + role, "--server.port=0",
                "--spring.datasource.url=" + db.url(), "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(), "--retinasynth.data-dir=" + dataDir,
                "--retinasynth.security.bootstrap-key=" + KEY, "--retinasynth.security.print-first-key=false",
                "--retinasynth.jobs.poll-seconds=1", "--retinasynth.storage.type=s3",
                "--retinasynth.storage.s3.bucket=shared", "--retinasynth.storage.s3.prefix=site/",
                "--retinasynth.storage.s3.create-bucket=true"));
        if (minio != null) {
            args.addAll(List.of("--retinasynth.storage.s3.endpoint=" + minio.getS3URL(),
                    "--retinasynth.storage.s3.access-key=" + minio.getUserName(),
                    "--retinasynth.storage.s3.secret-key=" + minio.getPassword()));
        } else {
            args.addAll(List.of("--retinasynth.storage.s3.endpoint=" + S3.getUri(),
                    "--retinasynth.storage.s3.access-key=" + S3.getAccessKey(),
                    "--retinasynth.storage.s3.secret-key=" + S3.getSecretKey()));
        }
        // Command-line arguments, not builder properties: those are defaults that application.yml overrides.
        return SpringApplication.run(RetinaSynthApplication.class, args.toArray(String[]::new));
    }

    private static String url(ConfigurableApplicationContext ctx) {
        return "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port");
    }

    private static HttpRequest.Builder request(String base, String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("X-API-Key", KEY).timeout(Duration.ofSeconds(30));
    }

    private String send(String base, String method, String path, String json, int expected) throws Exception {
        HttpRequest.Builder r = request(base, path);
        r = json == null ? r.method(method, HttpRequest.BodyPublishers.noBody())
                : r.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(method + " " + path + ": " + resp.body()).isEqualTo(expected);
        return resp.body();
    }

    private int status(String base, String path) throws Exception {
        return http.send(request(base, path).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
