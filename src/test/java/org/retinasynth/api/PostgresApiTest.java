package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinasynth.security.ApiKeyFilter;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.PostgresDatabases;
import org.retinasynth.testsupport.TestFiles;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/** The same API on real PostgreSQL: migrations, owner scoping, uploads and statistics. */
@IntegrationTest
@SpringBootTest
@AutoConfigureMockMvc
class PostgresApiTest {

    @Autowired
    MockMvc mvc;
    @Autowired
    ApiKeyService keys;
    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) throws Exception {
        PostgresDatabases.register(registry, "retinasynth-pg-");
    }

    @Test
    void runsOnPostgres() throws Exception {
        assertThat(jdbc.sql("select version()").query(String.class).single()).startsWith("PostgreSQL");
        assertThat(jdbc.sql("select count(*) from flyway_schema_history where success").query(Long.class).single())
                .isGreaterThanOrEqualTo(1);

        String key = keys.issue("pg-owner", false, "test").key();
        String other = keys.issue("pg-other", false, "test").key();
        String body = mvc.perform(post("/api/v1/datasets").header(ApiKeyFilter.HEADER, key)
                        .contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"pg\",\"splitSeed\":5}"))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        String id = JsonPath.read(body, "$.id");

        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int g = 0; g < 5; g++) {
            entries.put(g + "/img" + g + ".png", TestFiles.phantom(g, 64, g, "png"));
        }
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders
                        .multipart("/api/v1/datasets/" + id + "/zip")
                        .file(new MockMultipartFile("file", "set.zip", "application/zip", TestFiles.zip(entries)))
                        .header(ApiKeyFilter.HEADER, key))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.accepted").value(5));

        mvc.perform(get("/api/v1/datasets/" + id + "/stats").header(ApiKeyFilter.HEADER, key))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value(5))
                .andExpect(jsonPath("$.imbalanceRatio").value(1.0));
        mvc.perform(get("/api/v1/datasets/" + id + "/images?grade=3").header(ApiKeyFilter.HEADER, key))
                .andExpect(jsonPath("$.total").value(1));
        mvc.perform(get("/api/v1/datasets/" + id).header(ApiKeyFilter.HEADER, other))
                .andExpect(status().isNotFound());
    }
}
