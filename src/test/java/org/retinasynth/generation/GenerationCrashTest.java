package org.retinasynth.generation;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.ServiceProcess;

/**
 * kill -9 of the only worker in the middle of a generation job on the embedded default: after a
 * restart the job is taken up again, finishes with exactly the images asked for, and its ZIP holds them all.
 */
@IntegrationTest
class GenerationCrashTest {

    private static final String[] FAST_REVIVAL = {"--retinasynth.jobs.heartbeat-seconds=1",
            "--retinasynth.jobs.missed-heartbeats=4", "--retinasynth.generation.chunk-size=32"};

    private static String await(ServiceProcess s, String path, List<String> states, long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (true) {
            String body = s.send(HttpRequest.newBuilder(s.uri(path))).body();
            if (states.contains(JsonPath.<String>read(body, "$.state"))) {
                return body;
            }
            assertThat(System.currentTimeMillis()).as("timed out: " + body).isLessThan(end);
            Thread.sleep(50);
        }
    }

    @Test
    void aKilledGenerationJobResumesAndCompletes() throws Exception {
        Path dataDir = Files.createTempDirectory("retinasynth-gen-crash-");
        String generation;
        int total = 15_000; // big enough that an idle machine cannot finish before the kill
        try (ServiceProcess first = ServiceProcess.start(dataDir, "first.log", FAST_REVIVAL)) {
            String dataset = JsonPath.read(first.postJson("/api/v1/datasets/demo", "{\"name\":\"g\","
                    + "\"countsPerGrade\":[4,4,4,4,4],\"imageSize\":64,\"workingSize\":28,\"seed\":2}"), "$.id");
            String job = JsonPath.read(first.postJson("/api/v1/training-jobs", "{\"datasetId\":\"" + dataset
                    + "\",\"modelType\":\"VAE\",\"epochs\":1,\"batchSize\":8,\"latentDim\":8,\"baseChannels\":8,"
                    + "\"seed\":2}"), "$.id");
            assertThat(JsonPath.<String>read(await(first, "/api/v1/training-jobs/" + job,
                    List.of("SUCCEEDED", "FAILED"), 120_000), "$.state")).isEqualTo("SUCCEEDED");
            var r = first.send(HttpRequest.newBuilder(first.uri("/api/v1/generations"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"modelId\":\"" + job + "\",\"counts\":[3000,3000,3000,3000,3000],\"seed\":5}")));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            generation = JsonPath.read(r.body(), "$.id");
            long end = System.currentTimeMillis() + 120_000;
            while (true) {
                String body = first.send(HttpRequest.newBuilder(first.uri("/api/v1/generations/" + generation))).body();
                int done = JsonPath.read(body, "$.done");
                if (done > 0) {
                    assertThat(done).as("killed mid-job").isLessThan(total);
                    break;
                }
                assertThat(System.currentTimeMillis()).as("generation never started").isLessThan(end);
                Thread.sleep(5);
            }
            first.kill();
        }

        try (ServiceProcess second = ServiceProcess.start(dataDir, "second.log", FAST_REVIVAL)) {
            String body = await(second, "/api/v1/generations/" + generation,
                    List.of("SUCCEEDED", "FAILED", "CANCELLED"), 180_000);
            assertThat(JsonPath.<String>read(body, "$.state")).as(body).isEqualTo("SUCCEEDED");
            assertThat(JsonPath.<Integer>read(body, "$.done")).isEqualTo(total);
            assertThat(JsonPath.<Integer>read(body, "$.attempts")).isEqualTo(2);
            HttpResponse<byte[]> zip = second.getBytes("/api/v1/generations/" + generation + "/images.zip");
            assertThat(zip.statusCode()).isEqualTo(200);
            int pngs = 0;
            try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip.body()))) {
                for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    if (e.getName().endsWith(".png")) {
                        pngs++;
                    }
                }
            }
            assertThat(pngs).isEqualTo(total);
        }
    }
}
