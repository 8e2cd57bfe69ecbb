package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The committed spec under openapi/ is what clients generate code from: it must match what the
 * service serves. Regenerate with
 * {@code ./mvnw verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=OpenApiSpecTest -Dopenapi.write=true}.
 */
class OpenApiSpecTest extends ApiTestSupport {

    private static final Path COMMITTED = Path.of("openapi/openapi.json");

    @Test
    void committedSpecMatchesTheServedOne() throws Exception {
        JsonMapper mapper = JsonMapper.builder().build();
        String served = mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getContentAsString();
        JsonNode live = normalise(mapper.readTree(served));
        if (Boolean.getBoolean("openapi.write")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(live) + "\n");
        }
        assertThat(COMMITTED).as("run with -Dopenapi.write=true to create it").exists();
        JsonNode committed = mapper.readTree(Files.readString(COMMITTED));
        assertThat(committed)
                .as("openapi/openapi.json is stale: regenerate with -Dit.test=OpenApiSpecTest -Dopenapi.write=true")
                .isEqualTo(live);
        assertThat(live.at("/paths").size()).isGreaterThanOrEqualTo(10);
        assertThat(live.at("/components/securitySchemes/apiKey/name").asString()).isEqualTo("X-API-Key");
    }

    /** The server URL depends on how the service is reached, not on the API. */
    private static JsonNode normalise(JsonNode spec) {
        ((ObjectNode) spec).remove("servers");
        return spec;
    }
}
