package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.retinasynth.dataset.PhantomGenerator;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.testsupport.ApiTestSupport;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MvcResult;

class GenerationApiTest extends ApiTestSupport {

    private static final int SIZE = 28;
    private static final int LATENT = 8;
    /** Uneven on purpose, so that balancing has something to do. */
    private static final int[] PER_GRADE = {9, 4, 6, 3, 5};

    /** One tiny conditional and one unconditional model, trained once for the whole class. */
    private static String key;
    private static String dataset;
    private static String conditional;
    private static String unconditional;

    private synchronized void models() throws Exception {
        if (key != null) {
            return;
        }
        String k = newOwnerKey();
        dataset = createDemoDataset(k, "{\"name\":\"gen-demo\",\"countsPerGrade\":" + Arrays.toString(PER_GRADE)
                + ",\"imageSize\":64,\"workingSize\":" + SIZE + ",\"seed\":3}");
        conditional = train(k, true);
        unconditional = train(k, false);
        key = k;
    }

    private String train(String k, boolean cond) throws Exception {
        String body = mvc.perform(as(k, post("/api/v1/training-jobs").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"datasetId\":\"" + dataset + "\",\"modelType\":\"VAE\",\"epochs\":1,"
                                + "\"batchSize\":8,\"latentDim\":" + LATENT + ",\"baseChannels\":8,\"seed\":5,"
                                + "\"conditional\":" + cond + "}")))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        String id = JsonPath.read(body, "$.id");
        String job = awaitState(k, "/api/v1/training-jobs/" + id, List.of("SUCCEEDED", "FAILED"), 120_000);
        assertThat(JsonPath.<String>read(job, "$.state")).as(job).isEqualTo("SUCCEEDED");
        return id;
    }

    private String awaitState(String k, String path, List<String> states, long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        String job;
        do {
            job = json(k, path);
            if (states.contains(JsonPath.<String>read(job, "$.state"))) {
                return job;
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < end);
        throw new AssertionError("did not reach " + states + ": " + job);
    }

    private MvcResult generate(String k, String json, int expectedStatus) throws Exception {
        return mvc.perform(as(k, post("/api/v1/generations").contentType(MediaType.APPLICATION_JSON).content(json)))
                .andExpect(status().is(expectedStatus)).andReturn();
    }

    private String generated(String json) throws Exception {
        return generate(key, json, 201).getResponse().getContentAsString();
    }

    /** file name -> bytes of the streamed ZIP. */
    private Map<String, byte[]> zip(String k, String id) throws Exception {
        MvcResult started = mvc.perform(as(k, get("/api/v1/generations/" + id + "/images.zip")))
                .andExpect(request().asyncStarted()).andReturn();
        byte[] bytes = mvc.perform(asyncDispatch(started)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsByteArray();
        Map<String, byte[]> files = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                files.put(e.getName(), in.readAllBytes());
            }
        }
        return files;
    }

    private static BufferedImage png(byte[] bytes) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        assertThat(img).isNotNull();
        return img;
    }

    private static int[] perGradeFolder(Map<String, byte[]> files, int grades) {
        int[] n = new int[grades];
        files.keySet().stream().filter(f -> f.endsWith(".png"))
                .forEach(f -> n[Integer.parseInt(f.substring(0, f.indexOf('/')))]++);
        return n;
    }

    private List<Integer> trainCounts(String k, String datasetId) throws Exception {
        return JsonPath.read(json(k, "/api/v1/datasets/" + datasetId + "/stats"), "$.countsBySplit.train");
    }

    @Test
    void countsPerGradeAreExactAndTheSameSeedGivesTheSameBytes() throws Exception {
        models();
        int[] counts = {3, 0, 2, 1, 4};
        String request = "{\"modelId\":\"" + conditional + "\",\"counts\":" + Arrays.toString(counts)
                + ",\"temperature\":0.8,\"seed\":42}";
        String first = generated(request);
        assertThat(JsonPath.<String>read(first, "$.state")).isEqualTo("SUCCEEDED");
        assertThat(JsonPath.<Integer>read(first, "$.done")).isEqualTo(Arrays.stream(counts).sum());
        assertThat(JsonPath.<String>read(first, "$.provenance.modelSha256")).hasSize(64);
        assertThat(JsonPath.<String>read(first, "$.provenance.datasetContentSha256")).hasSize(64);
        assertThat(JsonPath.<Object>read(first, "$.provenance.engine.libtorchVersion")).isNotNull();
        Map<String, byte[]> a = zip(key, JsonPath.read(first, "$.id"));
        assertThat(perGradeFolder(a, 5)).containsExactly(counts);
        for (Map.Entry<String, byte[]> e : a.entrySet()) {
            if (e.getKey().endsWith(".png")) {
                BufferedImage img = png(e.getValue());
                assertThat(img.getWidth()).isEqualTo(SIZE);
                assertThat(img.getHeight()).isEqualTo(SIZE);
            }
        }
        String manifest = new String(a.get("manifest.csv"), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(manifest.lines().findFirst().orElseThrow()).startsWith("file,grade,split");
        assertThat(manifest.lines().skip(1)).hasSize(Arrays.stream(counts).sum())
                .allMatch(l -> l.contains(conditional) && l.contains(",42,"));

        Map<String, byte[]> again = zip(key, JsonPath.read(generated(request), "$.id"));
        Map<String, byte[]> otherSeed = zip(key, JsonPath.read(generated(request.replace("\"seed\":42", "\"seed\":43")), "$.id"));
        for (String f : a.keySet()) {
            if (f.endsWith(".png")) {
                assertThat(again.get(f)).as(f).isEqualTo(a.get(f));
            }
        }
        assertThat(a.keySet().stream().filter(f -> f.endsWith(".png"))
                .filter(f -> Arrays.equals(a.get(f), otherSeed.get(f))).count()).isZero();

        // a model keeps the prior fitted to its training posteriors and samples from it unless told otherwise
        assertThat(JsonPath.<String>read(first, "$.prior")).isEqualTo("FITTED");
        String standard = generated(request.replace("}", ",\"prior\":\"STANDARD\"}"));
        assertThat(JsonPath.<String>read(standard, "$.provenance.prior")).isEqualTo("STANDARD");
        Map<String, byte[]> fromStandard = zip(key, JsonPath.read(standard, "$.id"));
        assertThat(a.keySet().stream().filter(f -> f.endsWith(".png"))
                .filter(f -> Arrays.equals(a.get(f), fromStandard.get(f))).count()).isZero();
    }

    @Test
    void balanceTopsEveryGradeUpToTheLargestOrToATarget() throws Exception {
        models();
        List<Integer> train = trainCounts(key, dataset);
        int max = train.stream().mapToInt(Integer::intValue).max().orElseThrow();
        String g = generated("{\"modelId\":\"" + conditional + "\",\"balance\":true,\"seed\":1}");
        assertThat(JsonPath.<String>read(g, "$.mode")).isEqualTo("BALANCE");
        assertThat(JsonPath.<List<Integer>>read(g, "$.trainCounts")).isEqualTo(train);
        List<Integer> counts = JsonPath.read(g, "$.countsPerGrade");
        for (int i = 0; i < train.size(); i++) {
            assertThat(train.get(i) + counts.get(i)).isEqualTo(max);
        }
        assertThat(perGradeFolder(zip(key, JsonPath.read(g, "$.id")), 5))
                .containsExactly(counts.stream().mapToInt(Integer::intValue).toArray());

        int target = max + 3;
        String t = generated("{\"modelId\":\"" + conditional + "\",\"balance\":true,\"target\":" + target
                + ",\"seed\":1}");
        List<Integer> topped = JsonPath.read(t, "$.countsPerGrade");
        for (int i = 0; i < train.size(); i++) {
            assertThat(train.get(i) + topped.get(i)).isEqualTo(target);
        }
        int min = train.stream().mapToInt(Integer::intValue).min().orElseThrow();
        generate(key, "{\"modelId\":\"" + conditional + "\",\"balance\":true,\"target\":" + min + "}", 409);
    }

    @Test
    void theZipUploadsAgainAsADatasetAndRegisteringKeepsEveryImageInTrain() throws Exception {
        models();
        int[] counts = {2, 3, 0, 1, 2};
        String g = generated("{\"modelId\":\"" + conditional + "\",\"counts\":" + Arrays.toString(counts)
                + ",\"seed\":9}");
        String id = JsonPath.read(g, "$.id");
        Map<String, byte[]> files = zip(key, id);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        String target = JsonPath.read(mvc.perform(as(key, post("/api/v1/datasets").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"reupload-" + id + "\",\"workingSize\":" + SIZE + "}")))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString(), "$.id");
        mvc.perform(upload(key, "/api/v1/datasets/" + target + "/zip").file(part("file", "gen.zip", bytes.toByteArray())))
                .andExpect(status().isCreated()).andExpect(jsonPath("$.accepted").value(Arrays.stream(counts).sum()))
                .andExpect(jsonPath("$.rejected").value(0));
        assertSplits(target, counts);

        String registered = mvc.perform(as(key, post("/api/v1/generations/" + id + "/dataset")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"synthetic-" + id + "\"}")))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        String ds = JsonPath.read(registered, "$.dataset.id");
        assertThat(JsonPath.<Integer>read(registered, "$.dataset.workingSize")).isEqualTo(SIZE);
        assertThat(JsonPath.<String>read(registered, "$.dataset.description")).contains("Synthetic", id, conditional,
                "seed 9");
        assertSplits(ds, counts);

        // the generated set keeps its images when the dataset made from it goes, and the other way round
        mvc.perform(as(key, delete("/api/v1/datasets/" + ds))).andExpect(status().isNoContent());
        assertThat(zip(key, id)).hasSameSizeAs(files);
        mvc.perform(as(key, delete("/api/v1/generations/" + id))).andExpect(status().isNoContent());
        mvc.perform(as(key, get("/api/v1/generations/" + id))).andExpect(status().isNotFound());
        mvc.perform(as(key, get("/api/v1/datasets/" + target + "/grid.png"))).andExpect(status().isOk());
    }

    private void assertSplits(String datasetId, int[] counts) throws Exception {
        String stats = json(key, "/api/v1/datasets/" + datasetId + "/stats");
        assertThat(JsonPath.<List<Integer>>read(stats, "$.countsByGrade"))
                .containsExactlyElementsOf(Arrays.stream(counts).boxed().toList());
        assertThat(JsonPath.<List<Integer>>read(stats, "$.countsBySplit.train"))
                .containsExactlyElementsOf(Arrays.stream(counts).boxed().toList());
        assertThat(JsonPath.<List<Integer>>read(stats, "$.countsBySplit.test")).allMatch(n -> n == 0);
        assertThat(JsonPath.<List<Integer>>read(stats, "$.countsBySplit.val")).allMatch(n -> n == 0);
    }

    @Test
    void gridsDecodeForAllGradesAndForOne() throws Exception {
        models();
        String id = JsonPath.read(generated("{\"modelId\":\"" + conditional + "\",\"counts\":[2,2,2,2,2]}"), "$.id");
        byte[] all = mvc.perform(as(key, get("/api/v1/generations/" + id + "/grid.png")))
                .andExpect(status().isOk()).andExpect(content().contentType(MediaType.IMAGE_PNG))
                .andReturn().getResponse().getContentAsByteArray();
        byte[] one = mvc.perform(as(key, get("/api/v1/generations/" + id + "/grid.png?grade=3")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
        assertThat(png(one).getHeight() * 5).isLessThan(png(all).getHeight() + 5 * 8);
        assertThat(png(one).getHeight()).isLessThan(png(all).getHeight());
        mvc.perform(as(key, get("/api/v1/generations/" + id + "/grid.png?grade=7"))).andExpect(status().isBadRequest());
    }

    @Test
    void denoiseAndEncodeOneImage() throws Exception {
        models();
        byte[] photo = SampleGrid.png(PhantomGenerator.withBlackBorder(new PhantomGenerator(77).render(2, 64), 96, 64));
        byte[] out = mvc.perform(upload(key, "/api/v1/models/" + conditional + "/denoise").file(part("image", "eye.png", photo))
                        .param("grade", "2"))
                .andExpect(status().isOk()).andExpect(content().contentType(MediaType.IMAGE_PNG))
                .andReturn().getResponse().getContentAsByteArray();
        assertThat(png(out).getWidth()).isEqualTo(SIZE);
        assertThat(png(out).getHeight()).isEqualTo(SIZE);

        String enc = mvc.perform(upload(key, "/api/v1/models/" + conditional + "/encode").file(part("image", "eye.png", photo))
                        .param("grade", "2"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(JsonPath.<Integer>read(enc, "$.latentDim")).isEqualTo(LATENT);
        assertThat(JsonPath.<List<Double>>read(enc, "$.mean")).hasSize(LATENT);
        assertThat(JsonPath.<List<Double>>read(enc, "$.variance")).hasSize(LATENT).allMatch(v -> v > 0);
        mvc.perform(upload(key, "/api/v1/models/" + unconditional + "/encode").file(part("image", "eye.png", photo)))
                .andExpect(status().isOk()).andExpect(jsonPath("$.mean.length()").value(LATENT));

        mvc.perform(upload(key, "/api/v1/models/" + conditional + "/denoise").file(part("image", "eye.png", photo)))
                .andExpect(status().isBadRequest());
        mvc.perform(upload(key, "/api/v1/models/" + conditional + "/denoise")
                        .file(part("image", "notes.txt", "hello, not an image".getBytes())).param("grade", "1"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        byte[] truncated = Arrays.copyOf(photo, photo.length / 2);
        mvc.perform(upload(key, "/api/v1/models/" + conditional + "/encode")
                        .file(part("image", "cut.png", truncated)).param("grade", "1"))
                .andExpect(status().isBadRequest());
        mvc.perform(upload(newOwnerKey(), "/api/v1/models/" + conditional + "/denoise").file(part("image", "eye.png", photo))
                        .param("grade", "2"))
                .andExpect(status().isNotFound());
    }

    @Test
    void aLargeRequestRunsAsAJobAndCompletes() throws Exception {
        models();
        String body = generate(key, "{\"modelId\":\"" + conditional + "\",\"counts\":[100,60,60,40,40],\"seed\":4}", 202)
                .getResponse().getContentAsString();
        assertThat(JsonPath.<String>read(body, "$.state")).isEqualTo("QUEUED");
        String id = JsonPath.read(body, "$.id");
        String done = awaitState(key, "/api/v1/generations/" + id, List.of("SUCCEEDED", "FAILED", "CANCELLED"), 120_000);
        assertThat(JsonPath.<String>read(done, "$.state")).as(done).isEqualTo("SUCCEEDED");
        assertThat(JsonPath.<Integer>read(done, "$.done")).isEqualTo(300);
        assertThat(JsonPath.<Integer>read(done, "$.total")).isEqualTo(300);
        assertThat(JsonPath.<Double>read(done, "$.imagesPerSecond")).isPositive();
        assertThat(perGradeFolder(zip(key, id), 5)).containsExactly(100, 60, 60, 40, 40);
        mvc.perform(as(key, post("/api/v1/generations/" + id + "/cancel"))).andExpect(status().isConflict());
        mvc.perform(as(key, get("/api/v1/generations?modelId=" + conditional + "&state=SUCCEEDED")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.items[?(@.id == '" + id + "')]").exists());
    }

    @Test
    void cancelEndsAQueuedOrRunningSetAndDeleteRemovesIt() throws Exception {
        models();
        String body = generate(key, "{\"modelId\":\"" + conditional + "\",\"counts\":[10000,10000,10000,10000,10000]}",
                202).getResponse().getContentAsString();
        String id = JsonPath.read(body, "$.id");
        mvc.perform(as(key, delete("/api/v1/generations/" + id))).andExpect(status().isConflict());
        mvc.perform(as(key, post("/api/v1/generations/" + id + "/cancel"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.cancelRequested").value(true));
        String ended = awaitState(key, "/api/v1/generations/" + id, List.of("CANCELLED", "SUCCEEDED", "FAILED"), 30_000);
        assertThat(JsonPath.<String>read(ended, "$.state")).isEqualTo("CANCELLED");
        assertThat(JsonPath.<Integer>read(ended, "$.done")).isLessThan(50_000);
        mvc.perform(as(key, get("/api/v1/generations/" + id + "/images.zip"))).andExpect(status().isConflict());
        mvc.perform(as(key, delete("/api/v1/generations/" + id))).andExpect(status().isNoContent());
        mvc.perform(as(key, get("/api/v1/generations/" + id))).andExpect(status().isNotFound());
    }

    @Test
    void unconditionalModelsGenerateATotalOnly() throws Exception {
        models();
        String g = generated("{\"modelId\":\"" + unconditional + "\",\"count\":5,\"seed\":2}");
        Map<String, byte[]> files = zip(key, JsonPath.read(g, "$.id"));
        assertThat(files.keySet().stream().filter(f -> f.startsWith("unlabelled/") && f.endsWith(".png"))).hasSize(5);
        generate(key, "{\"modelId\":\"" + unconditional + "\",\"counts\":[1,1,1,1,1]}", 409);
        generate(key, "{\"modelId\":\"" + unconditional + "\",\"balance\":true}", 409);
        generate(key, "{\"modelId\":\"" + conditional + "\",\"count\":5}", 409);
        mvc.perform(as(key, post("/api/v1/generations/" + JsonPath.read(g, "$.id") + "/dataset")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"no-grades\"}")))
                .andExpect(status().isConflict());
    }

    @Test
    void aFilteredSetKeepsWhatItsGraderPassesAndRecordsTheGraderAndTheAcceptancePerGrade() throws Exception {
        models();
        int[] counts = {6, 3, 4, 0, 5};
        String request = "{\"modelId\":\"" + conditional + "\",\"counts\":" + Arrays.toString(counts)
                + ",\"seed\":9,\"filter\":{\"threshold\":0.15,\"graderEpochs\":2}}";
        String[] ids = new String[2];
        String[] done = new String[2];
        for (int run = 0; run < 2; run++) {
            // small as it is, a filtered set is a job: its grader trains first
            String body = generate(key, request, 202).getResponse().getContentAsString();
            ids[run] = JsonPath.read(body, "$.id");
            done[run] = awaitState(key, "/api/v1/generations/" + ids[run], List.of("SUCCEEDED", "FAILED", "CANCELLED"),
                    120_000);
            assertThat(JsonPath.<String>read(done[run], "$.state")).as(done[run]).isEqualTo("SUCCEEDED");
        }
        String g = done[0];
        assertThat(StudyApiTest.numbers(g, "$.provenance.filter.threshold")).containsExactly(0.15);
        assertThat(JsonPath.<Integer>read(g, "$.provenance.filter.grader.epochs")).isEqualTo(2);
        assertThat(JsonPath.<Integer>read(g, "$.provenance.filter.grader.seed")).isEqualTo(9);
        assertThat(JsonPath.<String>read(g, "$.provenance.filter.grader.trainedOn")).contains("training split");
        assertThat(JsonPath.<String>read(g, "$.provenance.filter.graderSha256")).matches("[0-9a-f]{64}");
        assertThat(StudyApiTest.numbers(g, "$.provenance.filter.graderValidationBalancedAccuracy"))
                .allSatisfy(x -> assertThat(x).isBetween(0.0, 1.0));
        List<Map<String, Object>> perGrade = JsonPath.read(g, "$.provenance.filter.perGrade");
        // one tally per grade asked for; a grade asked for nothing is never drawn from
        assertThat(perGrade).extracting(t -> (Integer) t.get("grade")).containsExactly(0, 1, 2, 4);
        int[] accepted = new int[5];
        for (Map<String, Object> t : perGrade) {
            int grade = (Integer) t.get("grade");
            int drawn = (Integer) t.get("drawn");
            int passed = (Integer) t.get("passed");
            accepted[grade] = (Integer) t.get("accepted");
            assertThat(t.get("requested")).isEqualTo(counts[grade]);
            assertThat(accepted[grade]).isBetween(0, counts[grade]).isLessThanOrEqualTo(passed);
            assertThat(drawn).isBetween(passed, 50 * counts[grade]);
            if (accepted[grade] < counts[grade]) {
                assertThat(drawn).as("only a spent budget delivers fewer").isEqualTo(50 * counts[grade]);
            }
            assertThat(((Number) t.get("acceptanceRate")).doubleValue()).isEqualTo((double) passed / drawn);
        }
        // the set holds exactly the accepted images, in their grades' folders
        Map<String, byte[]> files = zip(key, ids[0]);
        assertThat(perGradeFolder(files, 5)).containsExactly(accepted);
        // a low threshold under a 2-epoch grader: some pass, so the comparison below compares images
        assertThat(Arrays.stream(accepted).sum()).isPositive();
        // the same request and seed: a grader that scores alike, the same tallies and bytes
        assertThat(StudyApiTest.numbers(done[1], "$.provenance.filter.graderValidationBalancedAccuracy"))
                .isEqualTo(StudyApiTest.numbers(g, "$.provenance.filter.graderValidationBalancedAccuracy"));
        assertThat(JsonPath.<List<Object>>read(done[1], "$.provenance.filter.perGrade")).isEqualTo(perGrade);
        Map<String, byte[]> again = zip(key, ids[1]);
        assertThat(again.keySet()).isEqualTo(files.keySet());
        files.keySet().stream().filter(f -> f.endsWith(".png"))
                .forEach(f -> assertThat(again.get(f)).as(f).isEqualTo(files.get(f)));

        // an unconditional model's images have no grade to check; a threshold must lie in (0, 1)
        mvc.perform(as(key, post("/api/v1/generations").contentType(MediaType.APPLICATION_JSON).content(
                        "{\"modelId\":\"" + unconditional + "\",\"count\":3,\"filter\":{}}")))
                .andExpect(status().isUnprocessableEntity())
                .andExpect(jsonPath("$.code").value("filter_unconditional"));
        generate(key, "{\"modelId\":\"" + conditional + "\",\"counts\":[1,1,1,1,1],\"filter\":{\"threshold\":1.0}}",
                400);
    }

    @Test
    void refusesBadRequestsOtherOwnersAndModelsThatHaveNotSucceeded() throws Exception {
        models();
        for (String bad : List.of("{\"modelId\":\"M\",\"counts\":[-1,2,2,2,2]}", "{\"modelId\":\"M\",\"counts\":[0,0,0,0,0]}",
                "{\"modelId\":\"M\",\"counts\":[1,1]}", "{\"modelId\":\"M\",\"counts\":[1,1,1,1,1],\"temperature\":9}",
                "{\"modelId\":\"M\",\"counts\":[1,1,1,1,1],\"temperature\":-0.5}",
                "{\"modelId\":\"M\",\"counts\":[1,1,1,1,1],\"count\":3}", "{\"modelId\":\"M\"}",
                "{\"modelId\":\"M\",\"counts\":[1,1,1,1,1],\"target\":4}", "{\"modelId\":\"M\",\"counts\":[1,1,1,1,1000000]}",
                "{\"modelId\":\"M\",\"counts\":[1,1,1,1,1],\"prior\":\"GAUSSIAN\"}")) {
            mvc.perform(as(key, post("/api/v1/generations").contentType(MediaType.APPLICATION_JSON)
                            .content(bad.replace("M", conditional))))
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        }
        mvc.perform(as(key, post("/api/v1/generations").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"modelId\":\"" + conditional + "\",\"counts\":[1,1,1,1,1],\"temperature\":7}")))
                .andExpect(jsonPath("$.detail", containsString("temperature")));

        String other = newOwnerKey();
        generate(other, "{\"modelId\":\"" + conditional + "\",\"counts\":[1,1,1,1,1]}", 404);
        String mine = JsonPath.read(generated("{\"modelId\":\"" + conditional + "\",\"counts\":[1,0,0,0,0]}"), "$.id");
        mvc.perform(as(other, get("/api/v1/generations/" + mine))).andExpect(status().isNotFound());
        mvc.perform(as(other, get("/api/v1/generations/" + mine + "/grid.png"))).andExpect(status().isNotFound());
        mvc.perform(as(other, get("/api/v1/generations/" + mine + "/images.zip"))).andExpect(status().isNotFound());
        mvc.perform(as(other, delete("/api/v1/generations/" + mine))).andExpect(status().isNotFound());

        String running = JsonPath.read(mvc.perform(as(key, post("/api/v1/training-jobs")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"datasetId\":\"" + dataset
                                + "\",\"modelType\":\"VAE\",\"epochs\":500,\"batchSize\":4,\"latentDim\":8,"
                                + "\"baseChannels\":8,\"seed\":1}")))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString(), "$.id");
        generate(key, "{\"modelId\":\"" + running + "\",\"counts\":[1,1,1,1,1]}", 409);
        mvc.perform(upload(key, "/api/v1/models/" + running + "/encode").file(part("image", "x.png",
                SampleGrid.png(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB))))).andExpect(status().isConflict());
        mvc.perform(as(key, post("/api/v1/training-jobs/" + running + "/cancel"))).andExpect(status().isOk());
        awaitState(key, "/api/v1/training-jobs/" + running, List.of("CANCELLED", "FAILED", "SUCCEEDED"), 30_000);
    }
}
