package org.retinasynth.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.retinasynth.common.ContentHash;
import org.retinasynth.security.ApiKeyFilter;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.testsupport.IntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * The collector after a real workflow (phantom dataset, training, generation, study) with a grace
 * period of zero: every blob that any row of any table names, found by scanning every character
 * column rather than through {@link BlobReferences}'s list, still holds bytes hashing to its key,
 * so a writer that list missed fails here. Then the orphans of a killed upload and of a deleted
 * study are collected. Its own data directory and context, since grace zero would take another
 * test's blobs between their put and their row.
 */
@IntegrationTest
@SpringBootTest(properties = "retinasynth.gc.grace=0s")
@AutoConfigureMockMvc
class GcWorkflowTest {

    private static final Path DATA_DIR = temp();
    private static final Pattern KEY = Pattern.compile("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])");

    @Autowired
    MockMvc mvc;
    @Autowired
    ApiKeyService keys;
    @Autowired
    BlobStore blobs;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void ownStore(DynamicPropertyRegistry registry) {
        registry.add("retinasynth.data-dir", DATA_DIR::toString);
        registry.add("retinasynth.security.print-first-key", () -> "false");
    }

    @Test
    void everyNamedBlobSurvivesAndOrphansGo() throws Exception {
        String key = keys.issue("gc-" + UUID.randomUUID(), false, "test").key();
        String admin = keys.issue("gc-admin-" + UUID.randomUUID(), true, "test").key();
        String dataset = created(key, "/api/v1/datasets/demo", "{\"name\":\"gc\",\"countsPerGrade\":[12,12,12,12,12],"
                + "\"imageSize\":40,\"workingSize\":28,\"seed\":3,\"valFraction\":0.2,\"testFraction\":0.3}");
        String model = created(key, "/api/v1/training-jobs", "{\"datasetId\":\"" + dataset + "\",\"modelType\":\"VAE\","
                + "\"epochs\":1,\"batchSize\":8,\"latentDim\":8,\"baseChannels\":8,\"seed\":5}");
        awaitSucceeded(key, "/api/v1/training-jobs/" + model);
        String generation = created(key, "/api/v1/generations", "{\"modelId\":\"" + model + "\",\"counts\":[2,2,2,2,2],"
                + "\"seed\":1}");
        awaitSucceeded(key, "/api/v1/generations/" + generation);
        String study = created(key, "/api/v1/studies", "{\"datasetId\":\"" + dataset + "\",\"arms\":[\"REAL\",\"REAL_VAE\"],"
                + "\"seeds\":2,\"allowTwoSeeds\":true,\"generativePerSeed\":false,"
                + "\"generative\":{\"epochs\":1,\"batchSize\":16,\"latentDim\":8,\"baseChannels\":8},"
                + "\"classifier\":{\"epochs\":1,\"batchSize\":16,\"width\":16},"
                + "\"robustnessCorruptions\":[\"gaussian\"],\"iwaeSamples\":4}");
        awaitSucceeded(key, "/api/v1/studies/" + study);
        String report = json(key, "/api/v1/studies/" + study + "/report");
        List<String> figures = JsonPath.read(report, "$.figures[*].sha256");
        assertThat(figures).isNotEmpty();

        // a killed upload: bytes stored, no row ever committed
        String killed = blobs.put(("killed upload " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        Set<String> named = namedBlobs();
        assertThat(named).containsAll(figures).doesNotContain(killed);
        assertThat(named.size()).isGreaterThan(2 * 60 + 10); // every image twice, generated images, models, ...
        Thread.sleep(20);

        mvc.perform(as(key, post("/api/v1/admin/gc"))).andExpect(status().isForbidden())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        mvc.perform(as(admin, post("/api/v1/admin/gc").param("dryRun", "true"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.dryRun").value(true)).andExpect(jsonPath("$.candidates").value(1))
                .andExpect(jsonPath("$.deleted").value(0));
        assertThat(blobs.exists(killed)).isTrue();

        GcReport first = sweepOnAWorker(admin);
        assertThat(first.deleted()).isEqualTo(1);
        assertThat(blobs.exists(killed)).isFalse();
        assertIntact(named);

        // a deleted study: its rows go, and the figures its report named are named nowhere else
        mvc.perform(as(key, delete("/api/v1/studies/" + study))).andExpect(status().isNoContent());
        Set<String> stillNamed = namedBlobs();
        Set<String> orphaned = new HashSet<>(named);
        orphaned.removeAll(stillNamed);
        orphaned.removeIf(k -> !blobs.exists(k));
        // the study's own delete takes the blobs its rows name (the sample grid is a unit's); the
        // other figures are left to the collector
        List<String> leftFigures = figures.stream().filter(f -> !stillNamed.contains(f) && blobs.exists(f)).toList();
        assertThat(leftFigures).isNotEmpty();
        assertThat(orphaned).containsAll(leftFigures);
        Thread.sleep(20);
        GcReport second = sweepOnAWorker(admin);
        assertThat(second.deleted()).isEqualTo(orphaned.size());
        assertThat(orphaned).noneMatch(blobs::exists);
        assertIntact(stillNamed);
        assertThat(meters.get("retinasynth.gc.deleted.blobs").counter().count()).isGreaterThanOrEqualTo(1 + orphaned.size());
        assertThat(meters.get("retinasynth.gc.last.candidates").tag("mode", "dry-run").gauge().value()).isEqualTo(1);
    }

    /** POST dryRun=false hands the sweep to db-scheduler's recurring task; GET shows its report. */
    private GcReport sweepOnAWorker(String admin) throws Exception {
        String before = mvc.perform(as(admin, get("/api/v1/admin/gc"))).andReturn().getResponse().getContentAsString();
        mvc.perform(as(admin, post("/api/v1/admin/gc").param("dryRun", "false"))).andExpect(status().isAccepted());
        long end = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < end) {
            var r = mvc.perform(as(admin, get("/api/v1/admin/gc"))).andReturn().getResponse();
            String body = r.getContentAsString();
            if (r.getStatus() == 200 && !body.equals(before) && !JsonPath.<Boolean>read(body, "$.dryRun")) {
                return new GcReport(false, ((Number) JsonPath.read(body, "$.graceSeconds")).longValue(),
                        n(body, "scanned"), n(body, "scannedBytes"), n(body, "referenced"),
                        n(body, "youngerThanGraceKept"), n(body, "candidates"), n(body, "candidateBytes"),
                        n(body, "deleted"), n(body, "bytesFreed"), null, n(body, "durationMs"));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no sweep report within a minute");
    }

    /** Every 64-hex run in any character column of any table, and in every study report, that is a stored blob. */
    private Set<String> namedBlobs() {
        List<String[]> columns = jdbc.sql("""
                        select table_name, column_name from information_schema.columns
                        where lower(table_schema) = 'public' and upper(data_type) like 'CHARACTER%'""")
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
        Set<String> found = new HashSet<>();
        for (String[] c : columns) {
            for (String v : jdbc.sql("select " + c[1] + " from " + c[0] + " where " + c[1] + " is not null")
                    .query(String.class).list()) {
                keysIn(v, found);
            }
        }
        for (String report : jdbc.sql("select report_sha256 from studies where report_sha256 is not null")
                .query(String.class).list()) {
            keysIn(new String(blobs.get(report).orElseThrow(), StandardCharsets.UTF_8), found);
        }
        return found.stream().filter(blobs::exists).collect(Collectors.toSet());
    }

    private void assertIntact(Set<String> named) {
        assertThat(named).allSatisfy(k -> assertThat(blobs.get(k)).as(k)
                .hasValueSatisfying(b -> assertThat(ContentHash.sha256(b)).isEqualTo(k)));
    }

    private static void keysIn(String text, Set<String> into) {
        Matcher m = KEY.matcher(text);
        while (m.find()) {
            into.add(m.group());
        }
    }

    private static long n(String body, String field) {
        return ((Number) JsonPath.read(body, "$." + field)).longValue();
    }

    private String created(String key, String path, String json) throws Exception {
        var r = mvc.perform(as(key, post(path).contentType(MediaType.APPLICATION_JSON).content(json))).andReturn()
                .getResponse();
        assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(201);
        return JsonPath.read(r.getContentAsString(), "$.id");
    }

    private void awaitSucceeded(String key, String path) throws Exception {
        long end = System.currentTimeMillis() + 300_000;
        String job;
        do {
            job = json(key, path);
            String state = JsonPath.read(job, "$.state");
            if (List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(state)) {
                assertThat(state).as(job).isEqualTo("SUCCEEDED");
                return;
            }
            Thread.sleep(250);
        } while (System.currentTimeMillis() < end);
        throw new AssertionError("did not end: " + job);
    }

    private String json(String key, String path) throws Exception {
        return mvc.perform(as(key, get(path))).andReturn().getResponse().getContentAsString();
    }

    private static MockHttpServletRequestBuilder as(String key, MockHttpServletRequestBuilder r) {
        return r.header(ApiKeyFilter.HEADER, key);
    }

    private static Path temp() {
        try {
            return Files.createTempDirectory("retinasynth-gc-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
