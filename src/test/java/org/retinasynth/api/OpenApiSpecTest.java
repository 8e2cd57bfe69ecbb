package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
        assertThat(live.at("/security/0/apiKey").isArray()).as("the key scheme applies to every operation").isTrue();
    }

    /** What client generators rely on: unique named operations, closed request schemas, binary downloads. */
    @Test
    void specIsFitForGenerators() throws Exception {
        JsonNode spec = JsonMapper.builder().build().readTree(
                mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getContentAsString());
        Set<String> ids = new HashSet<>();
        spec.at("/paths").forEach(item -> item.forEach(op -> {
            String id = op.path("operationId").asString("");
            assertThat(id).as(op.toString()).matches("[a-z][A-Za-z]+").doesNotContain("_");
            assertThat(ids.add(id)).as("duplicate operationId " + id).isTrue();
            assertThat(op.path("responses").propertyNames().stream().anyMatch(c -> c.startsWith("2")))
                    .as(id + " declares its success response").isTrue();
        }));
        JsonNode schemas = spec.at("/components/schemas");
        for (String closed : List.of("CreateTrainingJobRequest", "CorruptionSpec", "Component", "CreateStudyRequest",
                "GenerativeRequest", "ClassifierRequest", "CreateDatasetRequest", "CreateKeyRequest")) {
            assertThat(schemas.at("/" + closed + "/additionalProperties").isBoolean()).as(closed).isTrue();
            assertThat(schemas.at("/" + closed + "/additionalProperties").asBoolean()).as(closed).isFalse();
        }
        assertThat(schemas.at("/TrainingJobResponse/properties/state/enum").size()).isEqualTo(5);
        assertThat(spec.at("/paths/~1api~1v1~1generations~1{id}~1images.zip/get/responses/200/content"
                + "/application~1zip/schema/format").asString()).isEqualTo("binary");
        List<String> tags = new ArrayList<>();
        spec.at("/tags").forEach(t -> tags.add(t.path("name").asString()));
        assertThat(tags).containsExactlyElementsOf(OpenApiConfig.TAG_ORDER);
        // Swagger UI shows operations in the document's order: the demo call first, each tag's paths together
        List<String> paths = new ArrayList<>(spec.at("/paths").propertyNames());
        assertThat(paths.get(0)).isEqualTo("/api/v1/datasets/demo");
        List<String> pathTags = paths.stream().map(p -> spec.at("/paths").path(p).iterator().next()
                .path("tags").path(0).asString()).toList();
        List<String> runs = new ArrayList<>();
        pathTags.forEach(t -> {
            if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(t)) {
                runs.add(t);
            }
        });
        assertThat(runs).as("tags of the paths in document order").containsExactlyElementsOf(OpenApiConfig.TAG_ORDER);
        assertThat(spec.at("/info/description").asString()).contains("first API key", "POST /api/v1/datasets/demo");
        spec.at("/paths").forEach(item -> item.forEach(op -> op.path("responses").properties().forEach(r -> {
            JsonNode problem = r.getValue().at("/content/application~1problem+json");
            if (!problem.isMissingNode()) {
                String where = op.path("operationId").asString() + " " + r.getKey();
                assertThat(problem.path("schema").isMissingNode()).as(where + " has a schema").isFalse();
                if (problem.has("example")) {
                    assertThat(problem.at("/example/status").asInt()).as(where + " example")
                            .isEqualTo(Integer.parseInt(r.getKey()));
                }
            }
        })));
    }

    @Test
    void theRootLeadsToSwaggerUi() throws Exception {
        mvc.perform(get("/")).andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl("/swagger-ui.html"));
    }

    /** The server URL depends on how the service is reached, not on the API. */
    private static JsonNode normalise(JsonNode spec) {
        ((ObjectNode) spec).remove("servers");
        return spec;
    }
}
