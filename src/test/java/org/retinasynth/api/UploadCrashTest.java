package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.retinasynth.common.ContentHash;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.MultipartBody;
import org.retinasynth.testsupport.ServiceProcess;
import org.retinasynth.testsupport.TestFiles;

/**
 * kill -9 of the embedded default (H2 + local blobs) while a large upload is being written: after a
 * restart the earlier upload is intact, the interrupted one is wholly absent (or, if it won the race,
 * wholly present), every referenced blob exists with the bytes its name promises, and no temp file is left.
 */
@IntegrationTest
class UploadCrashTest {

    private static HttpRequest.Builder uploadZip(ServiceProcess s, String dataset, byte[] zip) {
        return HttpRequest.newBuilder(s.uri("/api/v1/datasets/" + dataset + "/zip"))
                .header("Content-Type", MultipartBody.CONTENT_TYPE)
                .POST(MultipartBody.file("file", "set.zip", "application/zip", zip));
    }

    private static byte[] phantoms(int n, int size, long seed) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            entries.put((i % 5) + "/img_" + seed + "_" + i + ".png", TestFiles.phantom(i % 5, size, seed * 1000 + i, "png"));
        }
        return TestFiles.zip(entries);
    }

    private static long blobFiles(Path blobs) throws Exception {
        while (true) {
            try (Stream<Path> files = Files.walk(blobs)) {
                return files.filter(Files::isRegularFile).count();
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                    throw e;
                }
                // the service renamed a temp file while the walk listed it: count again
            }
        }
    }

    @Test
    void aKilledUploadLeavesEverythingElseIntact() throws Exception {
        Path dataDir = Files.createTempDirectory("retinasynth-crash-");
        Path blobs = dataDir.resolve("blobs");
        byte[] big = phantoms(400, 96, 2);
        String dataset;
        List<String> firstImages;
        int interruptedCount = 400;
        try (ServiceProcess first = ServiceProcess.start(dataDir, "first.log", "--retinasynth.role=api")) {
            dataset = JsonPath.read(first.postJson("/api/v1/datasets", "{\"name\":\"crash\",\"splitSeed\":1}"), "$.id");
            var r = first.send(uploadZip(first, dataset, phantoms(10, 64, 1)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            firstImages = JsonPath.read(first.send(HttpRequest.newBuilder(
                    first.uri("/api/v1/datasets/" + dataset + "/images?size=100"))).body(), "$.items[*].originalSha256");
            assertThat(firstImages).hasSize(10);

            long before = blobFiles(blobs);
            CompletableFuture<?> upload = CompletableFuture.runAsync(() -> {
                try {
                    first.send(uploadZip(first, dataset, big));
                } catch (Exception killed) {
                    // the connection dies with the process
                }
            });
            long end = System.currentTimeMillis() + 120_000;
            // kill as soon as the upload starts writing blobs: before its metadata commit
            while (blobFiles(blobs) <= before + 4 && !upload.isDone()) {
                assertThat(System.currentTimeMillis()).as("upload never started writing").isLessThan(end);
                Thread.sleep(2);
            }
            first.kill();
            upload.join();
        }

        try (ServiceProcess second = ServiceProcess.start(dataDir, "second.log", "--retinasynth.role=api")) {
            int count = JsonPath.read(second.send(HttpRequest.newBuilder(second.uri("/api/v1/datasets/" + dataset)))
                    .body(), "$.imageCount");
            assertThat(count).as("the interrupted upload is all or nothing").isIn(10, 10 + interruptedCount);
            String images = second.send(HttpRequest.newBuilder(
                    second.uri("/api/v1/datasets/" + dataset + "/images?size=200"))).body();
            List<String> originals = JsonPath.read(images, "$.items[*].originalSha256");
            List<String> processed = JsonPath.read(images, "$.items[*].processedSha256");
            assertThat(originals).containsAll(firstImages);
            for (String sha : Stream.concat(originals.stream(), processed.stream()).toList()) {
                Path blob = blobs.resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
                assertThat(blob).as("referenced blob " + sha).exists();
                assertThat(ContentHash.sha256(Files.readAllBytes(blob))).isEqualTo(sha);
            }
            try (Stream<Path> temps = Files.list(blobs.resolve("tmp"))) {
                assertThat(temps).as("half-written temp files are cleared at start").isEmpty();
            }
            // the service still takes uploads after the crash
            var again = second.send(uploadZip(second, dataset, phantoms(5, 64, 3)));
            assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
        }
    }
}
