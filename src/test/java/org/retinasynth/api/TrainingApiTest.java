package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.springframework.http.MediaType;

class TrainingApiTest extends ApiTestSupport {

    private String demo(String key, String name, int perGrade) throws Exception {
        return createDemoDataset(key, "{\"name\":\"" + name + "\",\"countsPerGrade\":[" + perGrade + "," + perGrade + ","
                + perGrade + "," + perGrade + "," + perGrade + "],\"imageSize\":64,\"workingSize\":28,"
                + "\"seed\":11}");
    }

    private String submit(String key, String json) throws Exception {
        String body = mvc.perform(as(key, post("/api/v1/training-jobs").contentType(MediaType.APPLICATION_JSON)
                        .content(json)))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        return JsonPath.read(body, "$.id");
    }

    private String awaitState(String key, String id, List<String> states, long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        String job;
        do {
            job = json(key, "/api/v1/training-jobs/" + id);
            if (states.contains(JsonPath.<String>read(job, "$.state"))) {
                return job;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < end);
        throw new AssertionError("job did not reach " + states + ": " + job);
    }

    @Test
    void trainsADvaeAndKeepsHistoryPicturesAndModel() throws Exception {
        String key = newOwnerKey();
        String dataset = demo(key, "train-demo", 8);
        String id = submit(key, "{\"datasetId\":\"" + dataset + "\",\"modelType\":\"DVAE\",\"epochs\":3,"
                + "\"batchSize\":8,\"latentDim\":8,\"baseChannels\":8,\"corruptedCopies\":2,\"seed\":5,"
                + "\"corruption\":{\"components\":[{\"name\":\"gaussian\",\"severity\":0.5,\"probability\":1.0}]}}");
        String job = awaitState(key, id, List.of("SUCCEEDED", "FAILED"), 120_000);
        assertThat(JsonPath.<String>read(job, "$.state")).as(job).isEqualTo("SUCCEEDED");
        assertThat(JsonPath.<String>read(job, "$.device")).isIn("cpu", "cuda:0");
        assertThat(JsonPath.<Integer>read(job, "$.epoch")).isEqualTo(3);

        String metrics = json(key, "/api/v1/training-jobs/" + id + "/metrics");
        List<Double> train = JsonPath.read(metrics, "$[*].trainLoss");
        assertThat(train).hasSize(3);
        assertThat(train.get(2)).isLessThan(train.get(0));
        assertThat(JsonPath.<List<Double>>read(metrics, "$[*].valPsnrCorrupted")).allMatch(p -> p > 5);

        for (String picture : new String[] {"loss.png", "reconstructions.png"}) {
            byte[] png = mvc.perform(as(key, get("/api/v1/training-jobs/" + id + "/" + picture)))
                    .andExpect(status().isOk()).andExpect(content().contentType(MediaType.IMAGE_PNG))
                    .andReturn().getResponse().getContentAsByteArray();
            assertThat(javax.imageio.ImageIO.read(new ByteArrayInputStream(png))).isNotNull();
        }

        byte[] model = mvc.perform(as(key, get("/api/v1/training-jobs/" + id + "/model")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
        String config = null;
        String prior = null;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(model))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals("model.json")) {
                    config = new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                } else if (e.getName().equals("prior.json")) {
                    prior = new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        // the finished model keeps the prior fitted to its training posteriors: one Gaussian per grade
        assertThat(prior).isNotNull();
        assertThat(JsonPath.<List<Object>>read(prior, "$.mixtures")).hasSize(5);
        assertThat(config).isNotNull().contains("datasetContentSha256").contains(dataset).contains("\"seed\"");

        mvc.perform(as(newOwnerKey(), get("/api/v1/training-jobs/" + id))).andExpect(status().isNotFound());
        mvc.perform(as(key, post("/api/v1/training-jobs/" + id + "/cancel"))).andExpect(status().isConflict());
        mvc.perform(as(key, get("/api/v1/training-jobs?datasetId=" + dataset + "&state=SUCCEEDED&model=DVAE")))
                .andExpect(jsonPath("$.total").value(1));
        mvc.perform(as(key, delete("/api/v1/training-jobs/" + id))).andExpect(status().isNoContent());
        mvc.perform(as(key, get("/api/v1/training-jobs/" + id))).andExpect(status().isNotFound());
    }

    @Test
    void cancelStopsARunningJobWithinABatch() throws Exception {
        String key = newOwnerKey();
        String dataset = demo(key, "cancel-demo", 6);
        String id = submit(key, "{\"datasetId\":\"" + dataset + "\",\"modelType\":\"VAE\",\"epochs\":500,"
                + "\"batchSize\":4,\"latentDim\":8,\"baseChannels\":8,\"seed\":1}");
        awaitState(key, id, List.of("RUNNING"), 60_000);
        mvc.perform(as(key, post("/api/v1/training-jobs/" + id + "/cancel")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.cancelRequested").value(true));
        long asked = System.currentTimeMillis();
        String job = awaitState(key, id, List.of("CANCELLED", "FAILED", "SUCCEEDED"), 30_000);
        assertThat(JsonPath.<String>read(job, "$.state")).isEqualTo("CANCELLED");
        assertThat(System.currentTimeMillis() - asked).isLessThan(10_000);
        mvc.perform(as(key, get("/api/v1/training-jobs/" + id + "/model"))).andExpect(status().isConflict());
    }

    @Test
    void refusesBadSpecs() throws Exception {
        String key = newOwnerKey();
        String dataset = createDataset(key, "empty-for-training");
        mvc.perform(as(key, post("/api/v1/training-jobs").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"datasetId\":\"" + dataset + "\",\"modelType\":\"DVAE\",\"epochs\":0,"
                                + "\"batchSize\":1,\"corruptedCopies\":99}")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail", containsString("epochs")))
                .andExpect(jsonPath("$.detail", containsString("corruption")))
                .andExpect(jsonPath("$.detail", containsString("corruptedCopies")));
        mvc.perform(as(key, post("/api/v1/training-jobs").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"datasetId\":\"" + dataset + "\",\"modelType\":\"DVAE\",\"corruption\":"
                                + "{\"components\":[{\"name\":\"nope\",\"severity\":0.3,\"probability\":1}]}}")))
                .andExpect(status().isBadRequest());
        mvc.perform(as(key, post("/api/v1/training-jobs").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"datasetId\":\"" + dataset + "\",\"modelType\":\"GAN\"}")))
                .andExpect(status().isBadRequest());
        mvc.perform(as(key, post("/api/v1/training-jobs").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"datasetId\":\"" + dataset + "\",\"modelType\":\"VAE\"}")))
                .andExpect(status().isConflict());
        mvc.perform(as(key, post("/api/v1/training-jobs").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"datasetId\":\"missing\",\"modelType\":\"VAE\"}")))
                .andExpect(status().isNotFound());
    }
}
