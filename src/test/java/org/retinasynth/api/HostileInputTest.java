package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.retinasynth.testsupport.ApiTestSupport;
import org.retinasynth.testsupport.TestFiles;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.RequestBuilder;

/**
 * The hostile-input corpus, made here: each case must get its documented problem+json status and
 * leave the blob store byte-identical and the dataset's image count unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest extends ApiTestSupport {

    private String key;
    private String datasetId;

    @BeforeAll
    void aDatasetWithOneImage() throws Exception {
        key = newOwnerKey();
        datasetId = createDataset(key, "target");
        mvc.perform(upload(key, "/api/v1/datasets/" + datasetId + "/images")
                        .file(part("files", "kept.png", TestFiles.phantom(2, 64, 1, "png"))).param("grade", "2"))
                .andExpect(status().isCreated());
    }

    record Case(String name, int status, Function<HostileInputTest, RequestBuilder> request) {
        @Override
        public String toString() {
            return name;
        }
    }

    private RequestBuilder files(String labelsCsv, String... nameThenContent) {
        var b = upload(key, "/api/v1/datasets/" + datasetId + "/images");
        for (int i = 0; i < nameThenContent.length; i += 2) {
            b.file(part("files", nameThenContent[i], bytes(nameThenContent[i + 1])));
        }
        if (labelsCsv != null) {
            b.file(part("labels", "labels.csv", labelsCsv.getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private RequestBuilder file(String name, byte[] bytes, String grade) {
        return upload(key, "/api/v1/datasets/" + datasetId + "/images").file(part("files", name, bytes))
                .param("grade", grade);
    }

    private RequestBuilder zip(Map<String, byte[]> entries) {
        return upload(key, "/api/v1/datasets/" + datasetId + "/zip").file(part("file", "x.zip", TestFiles.zip(entries)));
    }

    private RequestBuilder npz(Map<String, TestFiles.Npy> arrays) {
        return upload(key, "/api/v1/datasets/" + datasetId + "/npz").file(part("file", "x.npz", TestFiles.npz(arrays)));
    }

    private RequestBuilder postJson(String path, String body) {
        return as(key, post(path).contentType(MediaType.APPLICATION_JSON).content(body));
    }

    /** "png:grade:seed" makes a phantom; anything else is taken as text. */
    private static byte[] bytes(String spec) {
        String[] p = spec.split(":");
        if (p.length == 3 && Arrays.asList("png", "jpg", "tiff").contains(p[0])) {
            return TestFiles.phantom(Integer.parseInt(p[1]), 64, Long.parseLong(p[2]), p[0]);
        }
        return spec.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> entries(Object... nameThenBytes) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenBytes.length; i += 2) {
            m.put((String) nameThenBytes[i], (byte[]) nameThenBytes[i + 1]);
        }
        return m;
    }

    private static byte[] gzip(byte[] b) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(out)) {
                g.write(b);
            }
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<Arguments> corpus() throws Exception {
        byte[] good = TestFiles.phantom(1, 64, 7, "png");
        byte[] jpeg = TestFiles.phantom(1, 64, 8, "jpg");
        byte[] tiff = TestFiles.phantom(1, 64, 9, "tiff");
        String dataset = "/api/v1/datasets";
        return Stream.of(
                new Case("zip entry with ../ traversal", 400, t -> t.zip(entries("0/a.png", good, "../../a.png", good))),
                new Case("zip entry with an absolute path", 400, t -> t.zip(entries("0/a.png", good, "/etc/a.png", good))),
                new Case("zip entry with a Windows drive path", 400, t -> t.zip(entries("C:\\x\\a.png", good))),
                new Case("nested zip", 400, t -> t.zip(entries("0/a.png", good, "more.zip",
                        TestFiles.zip(entries("0/b.png", good))))),
                new Case("gzip disguised as an image", 400, t -> t.zip(entries("0/a.png", gzip(new byte[1 << 20])))),
                new Case("zip bomb by ratio", 413, t -> t.zip(entries("0/zeros.png", new byte[50 << 20]))),
                new Case("decompression-bomb PNG in a zip", 413, t -> t.zip(entries("0/a.png", good, "1/huge.png",
                        uncheckedHugePng()))),
                new Case("decompression-bomb PNG as a file", 413, t -> t.file("huge.png", uncheckedHugePng(), "1")),
                new Case("truncated zip", 400, t -> t.upload(t.key, "/api/v1/datasets/" + t.datasetId + "/zip")
                        .file(part("file", "x.zip", Arrays.copyOf(TestFiles.zip(entries("0/a.png", good, "1/b.png", jpeg)),
                                900)))),
                new Case("not a zip at all", 415, t -> t.upload(t.key, "/api/v1/datasets/" + t.datasetId + "/zip")
                        .file(part("file", "x.zip", good))),
                new Case("truncated PNG", 422, t -> t.file("t.png", Arrays.copyOf(good, good.length / 2), "1")),
                new Case("truncated JPEG", 422, t -> t.file("t.jpg", Arrays.copyOf(jpeg, jpeg.length / 3), "1")),
                new Case("truncated TIFF", 422, t -> t.file("t.tif", Arrays.copyOf(tiff, 200), "1")),
                new Case("corrupt PNG (flipped bytes)", 422, t -> t.file("c.png", flipped(good), "1")),
                new Case("text with a .png extension", 422, t -> t.file("notes.png",
                        "<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8), "1")),
                new Case("file already in the dataset", 422, t -> t.file("kept.png", good, "2")),
                new Case("unknown grade in the CSV", 422, t -> t.files("filename,grade\na.png,7\n", "a.png", "png:1:3")),
                new Case("grade out of range as a parameter", 422, t -> t.file("a.png", good, "-1")),
                new Case("file missing from the CSV", 422, t -> t.files("filename,grade\nother.png,1\n", "a.png", "png:1:3")),
                new Case("CSV in UTF-16 (not UTF-8)", 400, t -> t.upload(t.key, "/api/v1/datasets/" + t.datasetId + "/images")
                        .file(part("files", "a.png", good))
                        .file(part("labels", "labels.csv", "filename,grade\na.png,1\n".getBytes(StandardCharsets.UTF_16)))),
                new Case("npz with float images", 400, t -> t.npz(Map.of(
                        "train_images", new TestFiles.Npy("<f4", new int[] {1, 2, 2}, new byte[16]),
                        "train_labels", new TestFiles.Npy("|u1", new int[] {1}, new byte[] {0})))),
                new Case("npz with a pickled object array", 400, t -> t.npz(Map.of(
                        "train_images", new TestFiles.Npy("|O", new int[] {1}, new byte[] {(byte) 0x80, 4, '.'}),
                        "train_labels", new TestFiles.Npy("|u1", new int[] {1}, new byte[] {0})))),
                new Case("npz with a wrong shape", 400, t -> t.npz(Map.of(
                        "train_images", new TestFiles.Npy("|u1", new int[] {2, 4}, new byte[8]),
                        "train_labels", new TestFiles.Npy("|u1", new int[] {2}, new byte[] {0, 1})))),
                new Case("malformed JSON", 400, t -> t.postJson(dataset, "{\"name\": ")),
                new Case("JSON of the wrong type", 400, t -> t.postJson(dataset, "{\"name\": \"x\", \"workingSize\": \"big\"}")),
                new Case("working size out of range", 400, t -> t.postJson(dataset, "{\"name\": \"x\", \"workingSize\": 4096}")),
                new Case("wrong content type", 415, t -> t.as(t.key, post(dataset).contentType(MediaType.TEXT_PLAIN)
                        .content("name=x"))),
                new Case("negative epochs", 400, t -> t.postJson("/api/v1/training-jobs", "{\"datasetId\":\"" + t.datasetId
                        + "\",\"modelType\":\"DVAE\",\"epochs\":-1}")),
                new Case("learning rate of 1e9", 400, t -> t.postJson("/api/v1/training-jobs", "{\"datasetId\":\""
                        + t.datasetId + "\",\"modelType\":\"VAE\",\"learningRate\":1e9}")),
                new Case("unknown model type", 400, t -> t.postJson("/api/v1/training-jobs", "{\"datasetId\":\""
                        + t.datasetId + "\",\"modelType\":\"GAN\"}")),
                new Case("misspelt field (epoch for epochs)", 400, t -> t.postJson("/api/v1/training-jobs",
                        "{\"datasetId\":\"" + t.datasetId + "\",\"modelType\":\"VAE\",\"epoch\":30}")),
                new Case("unknown field in a dataset", 400, t -> t.postJson(dataset, "{\"name\":\"x\",\"size\":64}")),
                new Case("page size out of range", 400, t -> t.as(t.key, get(dataset + "?size=100000")))
        ).map(Arguments::of);
    }

    private static byte[] flipped(byte[] png) {
        byte[] b = png.clone();
        for (int i = 60; i < b.length - 20; i += 7) {
            b[i] ^= 0x5A;
        }
        return b;
    }

    private static byte[] uncheckedHugePng() {
        try {
            return UploadApiTest.hugePng();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refusedWithProblemJsonAndNothingChanges(Case c) throws Exception {
        Map<String, String> before = storeSnapshot();
        String datasetBefore = json(key, "/api/v1/datasets/" + datasetId);
        var result = mvc.perform(c.request().apply(this))
                .andExpect(status().is(c.status()))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(c.status()))
                .andExpect(jsonPath("$.detail").isNotEmpty())
                .andReturn();
        assertThat(result.getResponse().getContentAsString()).doesNotContain("<script>");
        assertThat(storeSnapshot()).isEqualTo(before);
        String datasetAfter = json(key, "/api/v1/datasets/" + datasetId);
        assertThat((Integer) JsonPath.read(datasetAfter, "$.imageCount"))
                .isEqualTo((Integer) JsonPath.read(datasetBefore, "$.imageCount")).isEqualTo(1);
    }

    /** Every unknown name of a body is reported with its path and the nearest known name; nothing is queued. */
    @Test
    void unknownFieldsAreNamedWithTheirClosestKnownName() throws Exception {
        String jobsBefore = json(key, "/api/v1/training-jobs");
        String studiesBefore = json(key, "/api/v1/studies");
        mvc.perform(postJson("/api/v1/training-jobs", "{\"datasetId\":\"" + datasetId
                        + "\",\"modelType\":\"VAE\",\"epoch\":30,\"corruption\":{\"components\":[{\"name\":"
                        + "\"gaussian\",\"severity\":0.3,\"probability\":1,\"severty\":1}]}}"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail", containsString("'epoch' (did you mean 'epochs'?)")))
                .andExpect(jsonPath("$.errors[0].field").value("corruption.components[0].severty"))
                .andExpect(jsonPath("$.errors[0].suggestion").value("severity"))
                .andExpect(jsonPath("$.errors[1].field").value("epoch"))
                .andExpect(jsonPath("$.errors[1].suggestion").value("epochs"));
        mvc.perform(postJson("/api/v1/studies", "{\"datasetId\":\"" + datasetId + "\",\"seedz\":3,"
                        + "\"generative\":{\"epoch\":2},\"classifier\":{\"epochs\":1,\"xyzzy\":true}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors.length()").value(3))
                .andExpect(jsonPath("$.errors[0].field").value("classifier.xyzzy"))
                .andExpect(jsonPath("$.errors[0].suggestion").doesNotExist())
                .andExpect(jsonPath("$.errors[1].field").value("generative.epoch"))
                .andExpect(jsonPath("$.errors[1].suggestion").value("epochs"))
                .andExpect(jsonPath("$.errors[2].field").value("seedz"))
                .andExpect(jsonPath("$.errors[2].suggestion").value("seeds"));
        assertThat(json(key, "/api/v1/training-jobs")).isEqualTo(jobsBefore);
        assertThat(json(key, "/api/v1/studies")).isEqualTo(studiesBefore);
        // the same names spelt right are accepted (the window closes after each body)
        mvc.perform(postJson("/api/v1/datasets", "{\"name\":\"strict-ok\",\"workingSize\":32}"))
                .andExpect(status().isCreated());
    }
}
