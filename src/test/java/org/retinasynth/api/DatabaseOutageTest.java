package org.retinasynth.api;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.retinasynth.security.ApiKeyFilter;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.PostgresDatabases;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * PostgreSQL goes away (connections refused, open ones killed): requests get 503 problem+json with
 * Retry-After and readiness goes DOWN; when it comes back the service recovers with no restart.
 */
@IntegrationTest
@SpringBootTest
@AutoConfigureMockMvc
class DatabaseOutageTest {

    static PostgresDatabases.Coordinates db;

    @Autowired
    MockMvc mvc;
    @Autowired
    ApiKeyService keys;

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) throws Exception {
        db = PostgresDatabases.register(registry, "retinasynth-outage-");
        registry.add("spring.datasource.hikari.connection-timeout", () -> "1000");
        registry.add("retinasynth.role", () -> "api");
        registry.add("management.endpoint.health.group.readiness.include", () -> "readinessState,db");
    }

    private static void allowConnections(Connection admin, boolean allow) throws Exception {
        String name = db.url().substring(db.url().lastIndexOf('/') + 1);
        try (Statement s = admin.createStatement()) {
            s.execute("alter database " + name + " with allow_connections " + allow);
            if (!allow) {
                s.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + name
                        + "' and pid <> pg_backend_pid()");
            }
        }
    }

    @Test
    void answers503WhileTheDatabaseIsDownAndRecoversByItself() throws Exception {
        String key = keys.issue("outage", false, "test").key();
        mvc.perform(get("/api/v1/datasets").header(ApiKeyFilter.HEADER, key)).andExpect(status().isOk());

        // from the server's maintenance database: PostgreSQL will not lock out the database one is connected to
        String server = db.url().substring(0, db.url().lastIndexOf('/'));
        try (Connection admin = DriverManager.getConnection(server + "/postgres", db.username(), db.password())) {
            allowConnections(admin, false);
            try {
                mvc.perform(get("/api/v1/datasets").header(ApiKeyFilter.HEADER, key))
                        .andExpect(status().isServiceUnavailable())
                        .andExpect(header().exists("Retry-After"))
                        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                        .andExpect(jsonPath("$.status").value(503));
                mvc.perform(get("/actuator/health/readiness")).andExpect(status().isServiceUnavailable());
                mvc.perform(get("/actuator/health/liveness")).andExpect(status().isOk());
            } finally {
                allowConnections(admin, true);
            }
        }

        // the pool reconnects on its own: readiness comes back within a bounded time, no restart
        long end = System.currentTimeMillis() + 30_000;
        while (mvc.perform(get("/actuator/health/readiness")).andReturn().getResponse().getStatus() != 200) {
            org.assertj.core.api.Assertions.assertThat(System.currentTimeMillis()).as("readiness did not recover")
                    .isLessThan(end);
            Thread.sleep(200);
        }
        mvc.perform(post("/api/v1/datasets").header(ApiKeyFilter.HEADER, key)
                        .contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"after the outage\"}"))
                .andExpect(status().isCreated());
        mvc.perform(get("/api/v1/datasets").header(ApiKeyFilter.HEADER, key))
                .andExpect(status().isOk()).andExpect(jsonPath("$.total").value(1));
    }
}
