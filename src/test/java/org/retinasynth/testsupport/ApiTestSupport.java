package org.retinasynth.testsupport;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.retinasynth.security.ApiKeyFilter;
import org.retinasynth.security.ApiKeyService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;

/**
 * HTTP-level tests on the embedded default (file-based H2 and a blob store in a temp folder).
 * All subclasses share one application context; each test makes its own owners.
 */
@IntegrationTest
@SpringBootTest
@AutoConfigureMockMvc
public abstract class ApiTestSupport {

    protected static final Path DATA_DIR = tempDir();

    @Autowired
    protected MockMvc mvc;

    @Autowired
    protected ApiKeyService keys;

    @DynamicPropertySource
    static void embeddedStore(DynamicPropertyRegistry registry) {
        registry.add("retinasynth.data-dir", DATA_DIR::toString);
        registry.add("retinasynth.security.print-first-key", () -> "false");
    }

    /** A new owner with a fresh key. */
    protected String newOwnerKey() {
        return keys.issue("owner-" + UUID.randomUUID(), false, "test").key();
    }

    protected MockHttpServletRequestBuilder as(String key, MockHttpServletRequestBuilder request) {
        return request.header(ApiKeyFilter.HEADER, key);
    }

    protected String createDataset(String key, String name) throws Exception {
        MvcResult r = mvc.perform(as(key, post("/api/v1/datasets").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"" + name + "\",\"splitSeed\":1}"))).andReturn();
        if (r.getResponse().getStatus() != 201) {
            throw new AssertionError("create failed: " + r.getResponse().getContentAsString());
        }
        return JsonPath.read(r.getResponse().getContentAsString(), "$.id");
    }

    /** A phantom dataset from {@code POST /datasets/demo} with the given request body; returns its id. */
    protected String createDemoDataset(String key, String json) throws Exception {
        MvcResult r = mvc.perform(as(key, post("/api/v1/datasets/demo").contentType(MediaType.APPLICATION_JSON)
                .content(json))).andReturn();
        if (r.getResponse().getStatus() != 201) {
            throw new AssertionError("demo dataset failed: " + r.getResponse().getContentAsString());
        }
        return JsonPath.read(r.getResponse().getContentAsString(), "$.id");
    }

    protected MockMultipartHttpServletRequestBuilder upload(String key, String path) {
        MockMultipartHttpServletRequestBuilder b = org.springframework.test.web.servlet.request.MockMvcRequestBuilders
                .multipart(path);
        b.header(ApiKeyFilter.HEADER, key);
        return b;
    }

    protected static MockMultipartFile part(String name, String filename, byte[] bytes) {
        return new MockMultipartFile(name, filename, MediaType.APPLICATION_OCTET_STREAM_VALUE, bytes);
    }

    /** Polls a job (its path) until it has finished, for at most five minutes; returns its last body. */
    protected String awaitEnd(String key, String path) throws Exception {
        long end = System.currentTimeMillis() + 300_000;
        String job;
        do {
            job = json(key, path);
            if (java.util.List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(
                    com.jayway.jsonpath.JsonPath.<String>read(job, "$.state"))) {
                return job;
            }
            Thread.sleep(250);
        } while (System.currentTimeMillis() < end);
        throw new AssertionError("job did not end: " + job);
    }

    protected String json(String key, String path) throws Exception {
        return mvc.perform(as(key, get(path))).andReturn().getResponse().getContentAsString();
    }

    /** Every file under the blob store with its content hash, for byte-identical before/after checks. */
    /** Every stored file (temp files included) with the sha256 of its bytes: equal snapshots mean a byte-identical store. */
    protected static java.util.Map<String, String> storeSnapshot() {
        try (var files = Files.walk(DATA_DIR.resolve("blobs"))) {
            return files.filter(Files::isRegularFile)
                    .collect(java.util.stream.Collectors.toMap(p -> DATA_DIR.relativize(p).toString(), p -> {
                        try {
                            return org.retinasynth.common.ContentHash.sha256(Files.readAllBytes(p));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("retinasynth-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
