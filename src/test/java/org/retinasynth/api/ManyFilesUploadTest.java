package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.dataset.PhantomGenerator;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.MultipartBody;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A folder of photos in one request, through the real servlet container: MockMvc never parses
 * multipart the way Tomcat does, and Tomcat's default of 10 parts per request refused the real
 * 592-photo set's first batch with 413 while every MockMvc upload test passed.
 */
@IntegrationTest
class ManyFilesUploadTest {

    private static final String KEY = "rsk_many-files-upload-test-key-0123456789";

    @Test
    void twoHundredFilesInOneRequestAreStored() throws Exception {
        try (ConfigurableApplicationContext app = SpringApplication.run(RetinaSynthApplication.class,
                "--server.port=0", "--retinasynth.role=api",
                "--retinasynth.data-dir=" + Files.createTempDirectory("retinasynth-many-"),
                "--retinasynth.security.bootstrap-key=" + KEY, "--retinasynth.security.print-first-key=false")) {
            String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/datasets"))
                    .header("X-API-Key", KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"many\",\"workingSize\":28}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String id = JsonPath.read(created.body(), "$.id");

            PhantomGenerator phantoms = new PhantomGenerator(5);
            Map<String, byte[]> files = new LinkedHashMap<>();
            for (int i = 0; i < 200; i++) {
                files.put("photo_" + i + ".png", SampleGrid.png(phantoms.render(i % 5, 32)));
            }
            HttpResponse<String> upload = http.send(HttpRequest.newBuilder(
                            URI.create(base + "/api/v1/datasets/" + id + "/images?grade=2"))
                    .header("X-API-Key", KEY).header("Content-Type", MultipartBody.CONTENT_TYPE)
                    .POST(MultipartBody.files("files", files, "image/png")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
            assertThat((Integer) JsonPath.read(upload.body(), "$.accepted")).isEqualTo(200);
        }
    }
}
