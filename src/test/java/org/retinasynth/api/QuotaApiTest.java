package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.retinasynth.testsupport.TestFiles;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;

class QuotaApiTest extends ApiTestSupport {

    @Test
    void anUploadOrJobPastAQuotaIsRefusedAndStoresNothingWhileAnotherOwnerIsUnaffected() throws Exception {
        String admin = keys.issue("quota-admin-" + UUID.randomUUID(), true, "test").key();
        String nameA = "quota-a-" + UUID.randomUUID();
        String a = keys.issue(nameA, false, "test").key();
        String b = newOwnerKey();
        mvc.perform(as(a, put("/api/v1/owners/" + nameA + "/quotas").contentType(MediaType.APPLICATION_JSON)
                .content("{\"images\":1}"))).andExpect(status().isForbidden());
        mvc.perform(as(admin, put("/api/v1/owners/" + nameA + "/quotas").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"images\":3,\"activeJobs\":0}")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.limits.images").value(3))
                .andExpect(jsonPath("$.limits.activeJobs").value(0))
                .andExpect(jsonPath("$.limits.imagesPerGeneration").value(50000));

        String datasetA = createDataset(a, "quota");
        mvc.perform(twoImages(a, datasetA, "x")).andExpect(status().isCreated());
        var storeBefore = storeSnapshot();
        String refused = mvc.perform(twoImages(a, datasetA, "y")).andExpect(status().isConflict())
                .andExpect(jsonPath("$.code").value("quota_exceeded"))
                .andExpect(jsonPath("$.quota").value("images"))
                .andExpect(jsonPath("$.limit").value(3))
                .andExpect(jsonPath("$.use").value(2))
                .andExpect(jsonPath("$.requested").value(2))
                .andReturn().getResponse().getContentAsString();
        assertThat(refused).contains("nothing was stored");
        assertThat(storeSnapshot()).isEqualTo(storeBefore);
        assertThat(JsonPath.<Integer>read(json(a, "/api/v1/datasets/" + datasetA), "$.imageCount")).isEqualTo(2);

        mvc.perform(as(a, post("/api/v1/training-jobs").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"datasetId\":\"" + datasetA + "\",\"modelType\":\"VAE\",\"epochs\":1,"
                                + "\"batchSize\":2,\"latentDim\":4,\"baseChannels\":4}")))
                .andExpect(status().isConflict()).andExpect(jsonPath("$.quota").value("activeJobs"))
                .andExpect(jsonPath("$.use").value(0));
        assertThat(JsonPath.<Integer>read(json(a, "/api/v1/training-jobs"), "$.total")).isZero();

        // B has the defaults and its own use; A's is untouched by B's uploads
        String datasetB = createDataset(b, "quota");
        mvc.perform(twoImages(b, datasetB, "x")).andExpect(status().isCreated());
        mvc.perform(twoImages(b, datasetB, "y")).andExpect(status().isCreated());
        String usageB = json(b, "/api/v1/usage");
        assertThat(JsonPath.<Integer>read(usageB, "$.usage.images")).isEqualTo(4);
        assertThat(JsonPath.<Integer>read(usageB, "$.limits.images")).isEqualTo(1_000_000);
        assertThat(JsonPath.<Number>read(usageB, "$.usage.storedBytes").longValue()).isPositive();
        String usageA = json(a, "/api/v1/usage");
        assertThat(JsonPath.<Integer>read(usageA, "$.usage.images")).isEqualTo(2);
        assertThat(JsonPath.<Integer>read(usageA, "$.limits.images")).isEqualTo(3);
        mvc.perform(as(b, get("/api/v1/owners/" + nameA + "/quotas"))).andExpect(status().isNotFound());
        mvc.perform(as(admin, get("/api/v1/owners/" + nameA + "/quotas")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.usage.images").value(2));
    }

    private MockMultipartHttpServletRequestBuilder twoImages(String key, String dataset, String prefix) {
        MockMultipartHttpServletRequestBuilder r = upload(key, "/api/v1/datasets/" + dataset + "/images");
        r.file(part("files", prefix + "1.png", TestFiles.phantom(0, 64, 1, "png")))
                .file(part("files", prefix + "2.png", TestFiles.phantom(1, 64, 2, "png")))
                .param("grade", "1");
        return r;
    }
}
