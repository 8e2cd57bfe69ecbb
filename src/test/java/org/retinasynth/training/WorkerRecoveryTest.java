package org.retinasynth.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.testsupport.PostgresDatabases;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Workers on real PostgreSQL: a worker process killed with SIGKILL mid-training loses nothing
 * that was checkpointed, and the job finishes on another worker with its history intact; two
 * workers sharing one database never run the same job at once.
 */
class WorkerRecoveryTest {

    private static final String KEY = "rsk_worker-recovery-test-key-0123456789";

    @Test
    void aKilledWorkersJobResumesFromItsCheckpointElsewhere() throws Exception {
        PostgresDatabases.Coordinates db = PostgresDatabases.fresh();
        Path dataDir = Files.createTempDirectory("retinasynth-kill-");
        int port = freePort();
        Process worker = startProcess(db, dataDir, port);
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            awaitUp(http, port, worker);
            String dataset = field(post(http, port, "/api/v1/datasets/demo",
                    "{\"name\":\"kill\",\"countsPerGrade\":[6,6,6,6,6],\"imageSize\":64,\"workingSize\":28,\"seed\":3}"),
                    "id");
            String job = field(post(http, port, "/api/v1/training-jobs", "{\"datasetId\":\"" + dataset
                    + "\",\"modelType\":\"VAE\",\"epochs\":6,\"batchSize\":4,\"latentDim\":8,\"baseChannels\":8,"
                    + "\"seed\":9}"), "id");
            JdbcClient jdbc = JdbcClient.create(new org.springframework.jdbc.datasource.DriverManagerDataSource(
                    db.url(), db.username(), db.password()));
            long end = System.currentTimeMillis() + 120_000;
            while (checkpointEpoch(jdbc, job) < 2) {
                assertThat(System.currentTimeMillis()).as("no checkpoint of epoch 2 in time").isLessThan(end);
                assertThat(worker.isAlive()).isTrue();
                Thread.sleep(100);
            }
            List<Double> before = trainLosses(jdbc, job);
            worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hooks run
            assertThat(state(jdbc, job)).isEqualTo("RUNNING");

            try (ConfigurableApplicationContext survivor = context(db, dataDir)) {
                end = System.currentTimeMillis() + 180_000;
                while (!List.of("SUCCEEDED", "FAILED").contains(state(jdbc, job))) {
                    assertThat(System.currentTimeMillis()).as("the job was not taken up again").isLessThan(end);
                    Thread.sleep(200);
                }
            }
            assertThat(state(jdbc, job)).isEqualTo("SUCCEEDED");
            assertThat(jdbc.sql("select attempts from training_jobs where id = ?").param(job).query(Integer.class)
                    .single()).isEqualTo(2);
            List<Double> after = trainLosses(jdbc, job);
            assertThat(after).hasSize(6);
            assertThat(after.subList(0, before.size())).isEqualTo(before);
            assertThat(jdbc.sql("select count(distinct epoch) from training_epochs where job_id = ?").param(job)
                    .query(Integer.class).single()).isEqualTo(6);
        } finally {
            worker.destroyForcibly();
        }
    }

    @Test
    void twoWorkersOnOneDatabaseNeverRunAJobTwice() throws Exception {
        PostgresDatabases.Coordinates db = PostgresDatabases.fresh();
        Path dataDir = Files.createTempDirectory("retinasynth-two-");
        try (ConfigurableApplicationContext a = context(db, dataDir); ConfigurableApplicationContext b = context(db, dataDir)) {
            var owner = a.getBean(org.retinasynth.security.ApiKeyService.class).issue("two", false, "t").owner();
            var datasets = a.getBean(org.retinasynth.dataset.DatasetService.class);
            String dataset = datasets.createDemo(owner, new org.retinasynth.dataset.DatasetService.NewDataset("two",
                    null, 28, null, 1L, null, null), List.of(4, 4, 4, 4, 4), 64, 1).id();
            TrainingService training = b.getBean(TrainingService.class);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ids.add(training.create(owner, new TrainingSpec(dataset, ModelType.VAE, false, null, 2, 4, 1e-3,
                        TrainingSpec.Schedule.CONSTANT, 4, 4, 1, 1, 0, 0, i, null)).id());
            }
            JdbcClient jdbc = a.getBean(JdbcClient.class);
            long end = System.currentTimeMillis() + 180_000;
            while (jdbc.sql("select count(*) from training_jobs where state = 'SUCCEEDED'").query(Long.class).single() < 6) {
                assertThat(System.currentTimeMillis()).as("jobs did not all finish").isLessThan(end);
                Thread.sleep(200);
            }
            assertThat(jdbc.sql("select max(attempts) from training_jobs").query(Integer.class).single()).isEqualTo(1);
            assertThat(jdbc.sql("select count(*) from training_epochs").query(Long.class).single()).isEqualTo(12);
            assertThat(jdbc.sql("select count(distinct worker) from training_jobs").query(Long.class).single())
                    .as("both workers took jobs").isEqualTo(2);
        }
    }

    private static ConfigurableApplicationContext context(PostgresDatabases.Coordinates db, Path dataDir) {
        // Command-line arguments, not builder properties: those are defaults that application.yml overrides.
        return new SpringApplicationBuilder(RetinaSynthApplication.class).web(WebApplicationType.NONE)
                .run("--spring.datasource.url=" + db.url(), "--spring.datasource.username=" + db.username(),
                        "--spring.datasource.password=" + db.password(), "--retinasynth.data-dir=" + dataDir,
                        "--retinasynth.security.print-first-key=false", "--retinasynth.jobs.heartbeat-seconds=1",
                        "--retinasynth.jobs.missed-heartbeats=4");
    }

    private static Process startProcess(PostgresDatabases.Coordinates db, Path dataDir, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                RetinaSynthApplication.class.getName(), "--server.port=" + port,
                "--spring.datasource.url=" + db.url(), "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(), "--retinasynth.data-dir=" + dataDir,
                "--retinasynth.security.bootstrap-key=" + KEY, "--retinasynth.jobs.heartbeat-seconds=1",
                "--retinasynth.jobs.missed-heartbeats=4");
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(new File(dataDir.toFile(), "worker.log")).start();
    }

    private static void awaitUp(HttpClient http, int port, Process p) throws Exception {
        long end = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < end) {
            assertThat(p.isAlive()).as("worker process died on start").isTrue();
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("worker process did not start");
    }

    private static String post(HttpClient http, int port, String path, String json) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return r.body();
    }

    private static String field(String json, String name) {
        return com.jayway.jsonpath.JsonPath.read(json, "$." + name);
    }

    private static int checkpointEpoch(JdbcClient jdbc, String job) {
        return jdbc.sql("select checkpoint_epoch from training_jobs where id = ?").param(job).query(Integer.class).single();
    }

    private static String state(JdbcClient jdbc, String job) {
        return jdbc.sql("select state from training_jobs where id = ?").param(job).query(String.class).single();
    }

    private static List<Double> trainLosses(JdbcClient jdbc, String job) {
        return jdbc.sql("select train_loss from training_epochs where job_id = ? order by epoch").param(job)
                .query(Double.class).list();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
