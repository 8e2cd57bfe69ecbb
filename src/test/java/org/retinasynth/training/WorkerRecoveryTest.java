package org.retinasynth.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinasynth.model.ModelType;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.PostgresDatabases;
import org.retinasynth.testsupport.ServiceProcess;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Workers on real PostgreSQL: a worker process killed with SIGKILL mid-training loses nothing
 * that was checkpointed, and the job finishes on another worker with its history intact; two
 * workers sharing one database never run the same job at once.
 */
@IntegrationTest
class WorkerRecoveryTest {

    @Test
    void aKilledWorkersJobResumesFromItsCheckpointElsewhere() throws Exception {
        PostgresDatabases.Coordinates db = PostgresDatabases.fresh();
        Path dataDir = Files.createTempDirectory("retinasynth-kill-");
        String[] settings = {"--spring.datasource.url=" + db.url(), "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(), "--retinasynth.jobs.heartbeat-seconds=1",
                "--retinasynth.jobs.missed-heartbeats=4"};
        ServiceProcess worker = ServiceProcess.start(dataDir, "worker.log", settings);
        try {
            String dataset = field(worker.postJson("/api/v1/datasets/demo",
                    "{\"name\":\"kill\",\"countsPerGrade\":[6,6,6,6,6],\"imageSize\":64,\"workingSize\":28,\"seed\":3}"),
                    "id");
            String spec = "{\"datasetId\":\"" + dataset + "\",\"modelType\":\"VAE\",\"epochs\":6,\"batchSize\":4,"
                    + "\"latentDim\":8,\"baseChannels\":8,\"seed\":9}";
            String job = field(worker.postJson("/api/v1/training-jobs", spec), "id");
            JdbcClient jdbc = JdbcClient.create(new org.springframework.jdbc.datasource.DriverManagerDataSource(
                    db.url(), db.username(), db.password()));
            long end = System.currentTimeMillis() + 120_000;
            while (checkpointEpoch(jdbc, job) < 2) {
                assertThat(System.currentTimeMillis()).as("no checkpoint of epoch 2 in time").isLessThan(end);
                assertThat(worker.isAlive()).isTrue();
                Thread.sleep(100);
            }
            worker.kill();
            List<Double> before = trainLosses(jdbc, job);
            // read after the kill: the checkpoint the survivor resumes from. One read before it can already
            // be replaced, its blob orphaned when the kill lands between recording the new one and deleting
            // the old (collected by the blob GC, not by the job)
            String earlyCheckpoint = jdbc.sql("select checkpoint_sha256 from training_jobs where id = ?").param(job)
                    .query(String.class).single();
            assertThat(state(jdbc, job)).isEqualTo("RUNNING");

            // the survivor and the uninterrupted reference run in fresh worker processes like the first one,
            // not in this test JVM, whose libtorch has served every integration test before this one
            try (ServiceProcess survivor = ServiceProcess.start(dataDir, "survivor.log", settings)) {
                awaitEnd(jdbc, job, "the job was not taken up again");
            }
            String again;
            try (ServiceProcess reference = ServiceProcess.start(dataDir, "reference.log", settings)) {
                again = field(reference.postJson("/api/v1/training-jobs", spec), "id");
                awaitEnd(jdbc, again, "the uninterrupted job did not finish");
            }
            assertThat(state(jdbc, job)).isEqualTo("SUCCEEDED");
            assertThat(state(jdbc, again)).isEqualTo("SUCCEEDED");
            assertThat(jdbc.sql("select attempts from jobs where id = ?").param(job).query(Integer.class)
                    .single()).isEqualTo(2);
            List<Double> after = trainLosses(jdbc, job);
            assertThat(after).hasSize(6);
            assertThat(after.subList(0, before.size())).isEqualTo(before);
            assertThat(jdbc.sql("select count(distinct epoch) from training_epochs where job_id = ?").param(job)
                    .query(Integer.class).single()).isEqualTo(6);
            // the checkpoint carries Adam's moments and the step count (which seeds the noise): the
            // resumed epochs are, to the last bit, the epochs the job would have trained had it never stopped
            assertThat(after).as("resumed vs uninterrupted").isEqualTo(trainLosses(jdbc, again));
            // an earlier epoch's checkpoint is deleted once a later one is recorded; the last one stays
            assertThat(blobExists(dataDir, earlyCheckpoint)).isFalse();
            assertThat(blobExists(dataDir, jdbc.sql("select checkpoint_sha256 from training_jobs where id = ?")
                    .param(job).query(String.class).single())).isTrue();
        } finally {
            worker.kill();
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
            // long enough in all (several seconds) that the other worker's 1 s poll finds a queued job even
            // though the two workers' libtorch work in this one JVM takes turns
            for (int i = 0; i < 6; i++) {
                ids.add(training.create(owner, new TrainingSpec(dataset, ModelType.VAE, false, null, 6, 4, 1e-3,
                        TrainingSpec.Schedule.CONSTANT, 4, 4, 1, 1, 0, 0, i, null, null, null, null, null, null)).id());
            }
            JdbcClient jdbc = a.getBean(JdbcClient.class);
            long end = System.currentTimeMillis() + 180_000;
            while (jdbc.sql("select count(*) from jobs where kind = 'training-job' and state = 'SUCCEEDED'").query(Long.class).single() < 6) {
                assertThat(System.currentTimeMillis()).as("jobs did not all finish").isLessThan(end);
                Thread.sleep(200);
            }
            assertThat(jdbc.sql("select max(attempts) from jobs").query(Integer.class).single()).isEqualTo(1);
            assertThat(jdbc.sql("select count(*) from training_epochs").query(Long.class).single()).isEqualTo(36);
            assertThat(jdbc.sql("select count(distinct worker) from jobs").query(Long.class).single())
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

    private static void awaitEnd(JdbcClient jdbc, String job, String failure) throws InterruptedException {
        long end = System.currentTimeMillis() + 180_000;
        while (!List.of("SUCCEEDED", "FAILED").contains(state(jdbc, job))) {
            assertThat(System.currentTimeMillis()).as(failure).isLessThan(end);
            Thread.sleep(200);
        }
    }

    private static boolean blobExists(Path dataDir, String sha) throws java.io.IOException {
        try (var files = Files.walk(dataDir)) {
            return files.anyMatch(f -> f.getFileName().toString().equals(sha));
        }
    }

    private static String field(String json, String name) {
        return com.jayway.jsonpath.JsonPath.read(json, "$." + name);
    }

    private static int checkpointEpoch(JdbcClient jdbc, String job) {
        return jdbc.sql("select checkpoint_epoch from training_jobs where id = ?").param(job).query(Integer.class).single();
    }

    private static String state(JdbcClient jdbc, String job) {
        return jdbc.sql("select state from jobs where id = ?").param(job).query(String.class).single();
    }

    private static List<Double> trainLosses(JdbcClient jdbc, String job) {
        return jdbc.sql("select train_loss from training_epochs where job_id = ? order by epoch").param(job)
                .query(Double.class).list();
    }

}
