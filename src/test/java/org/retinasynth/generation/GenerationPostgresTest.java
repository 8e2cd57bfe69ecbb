package org.retinasynth.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinasynth.security.ApiKeyFilter;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.PostgresDatabases;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/** Generation's SQL on real PostgreSQL: the V3 tables, the job path, shared blobs on delete. */
@IntegrationTest
@SpringBootTest
@AutoConfigureMockMvc
class GenerationPostgresTest {

    @Autowired
    MockMvc mvc;
    @Autowired
    ApiKeyService keys;
    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) throws Exception {
        PostgresDatabases.register(registry, "retinasynth-pg-gen-");
    }

    private MockHttpServletRequestBuilder json(String key, MockHttpServletRequestBuilder r, String body) {
        return r.header(ApiKeyFilter.HEADER, key).contentType(MediaType.APPLICATION_JSON).content(body);
    }

    private String await(String key, String path, List<String> states) throws Exception {
        long end = System.currentTimeMillis() + 120_000;
        while (true) {
            String body = mvc.perform(get(path).header(ApiKeyFilter.HEADER, key)).andReturn().getResponse()
                    .getContentAsString();
            if (states.contains(JsonPath.<String>read(body, "$.state")) || System.currentTimeMillis() > end) {
                return body;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void generatesRegistersAndDeletesOnPostgres() throws Exception {
        assertThat(jdbc.sql("select version()").query(String.class).single()).startsWith("PostgreSQL");
        String key = keys.issue("pg-gen", false, "test").key();
        String dataset = JsonPath.read(mvc.perform(json(key, post("/api/v1/datasets/demo"), "{\"name\":\"pg-gen\","
                        + "\"countsPerGrade\":[4,4,4,4,4],\"imageSize\":64,\"workingSize\":28,\"seed\":2}"))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString(), "$.id");
        String model = JsonPath.read(mvc.perform(json(key, post("/api/v1/training-jobs"), "{\"datasetId\":\"" + dataset
                        + "\",\"modelType\":\"VAE\",\"epochs\":1,\"batchSize\":8,\"latentDim\":8,\"baseChannels\":8,"
                        + "\"seed\":3}"))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString(), "$.id");
        assertThat(await(key, "/api/v1/training-jobs/" + model, List.of("SUCCEEDED", "FAILED"))).contains("SUCCEEDED");

        String queued = mvc.perform(json(key, post("/api/v1/generations"), "{\"modelId\":\"" + model
                        + "\",\"balance\":true,\"target\":70,\"seed\":1}"))
                .andExpect(status().isAccepted()).andReturn().getResponse().getContentAsString();
        String id = JsonPath.read(queued, "$.id");
        String done = await(key, "/api/v1/generations/" + id, List.of("SUCCEEDED", "FAILED", "CANCELLED"));
        assertThat(JsonPath.<String>read(done, "$.state")).as(done).isEqualTo("SUCCEEDED");
        int total = JsonPath.read(done, "$.total");
        assertThat(total).isGreaterThan(256);
        assertThat(jdbc.sql("select count(*) from generated_images where generation_id = ?").param(id)
                .query(Long.class).single()).isEqualTo(total);

        String registered = mvc.perform(json(key, post("/api/v1/generations/" + id + "/dataset"), "{\"name\":\"pg-syn\"}"))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        String ds = JsonPath.read(registered, "$.dataset.id");
        assertThat(JsonPath.<Integer>read(registered, "$.upload.accepted")).isEqualTo(total);
        mvc.perform(delete("/api/v1/generations/" + id).header(ApiKeyFilter.HEADER, key))
                .andExpect(status().isNoContent());
        // the dataset still reads every image it got from the deleted set
        mvc.perform(get("/api/v1/datasets/" + ds + "/grid.png").header(ApiKeyFilter.HEADER, key))
                .andExpect(status().isOk());
        String first = JsonPath.read(mvc.perform(get("/api/v1/datasets/" + ds + "/images?size=1")
                .header(ApiKeyFilter.HEADER, key)).andReturn().getResponse().getContentAsString(), "$.items[0].id");
        mvc.perform(get("/api/v1/datasets/" + ds + "/images/" + first + "/original").header(ApiKeyFilter.HEADER, key))
                .andExpect(status().isOk());
    }
}
