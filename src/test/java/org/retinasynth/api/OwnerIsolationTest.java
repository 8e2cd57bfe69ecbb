package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.retinasynth.testsupport.TestFiles;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.request.AbstractMockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

/**
 * Walks every operation of the live OpenAPI document that names a resource in its path, with a
 * second owner's key and the first owner's ids: each must answer 404 (a new endpoint is covered
 * the day it is added). Lists never show another owner's resources, ids of another owner cannot be
 * used as references, and nothing of the first owner changes.
 */
class OwnerIsolationTest extends ApiTestSupport {

    private String create(String key, String path, String json) throws Exception {
        return mvc.perform(as(key, post(path).contentType(MediaType.APPLICATION_JSON).content(json)))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
    }

    private String await(String key, String path) throws Exception {
        long end = System.currentTimeMillis() + 180_000;
        while (true) {
            String body = json(key, path);
            String state = JsonPath.read(body, "$.state");
            if (List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(state)) {
                assertThat(state).as(body).isEqualTo("SUCCEEDED");
                return body;
            }
            assertThat(System.currentTimeMillis()).as("timed out: " + body).isLessThan(end);
            Thread.sleep(100);
        }
    }

    @Test
    void anotherOwnerSeesNothingAndTouchesNothing() throws Exception {
        String alice = newOwnerKey();
        String bob = newOwnerKey();

        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("dataset", JsonPath.read(create(alice, "/api/v1/datasets/demo", "{\"name\":\"alice\","
                + "\"countsPerGrade\":[12,12,12,12,12],\"imageSize\":40,\"workingSize\":28,\"seed\":1,"
                + "\"valFraction\":0.2,\"testFraction\":0.3}"), "$.id"));
        ids.put("image", JsonPath.read(json(alice, "/api/v1/datasets/" + ids.get("dataset") + "/images"),
                "$.items[0].id"));
        ids.put("job", JsonPath.read(create(alice, "/api/v1/training-jobs", "{\"datasetId\":\"" + ids.get("dataset")
                + "\",\"modelType\":\"VAE\",\"epochs\":1,\"batchSize\":8,\"latentDim\":8,\"baseChannels\":8,"
                + "\"seed\":1}"), "$.id"));
        await(alice, "/api/v1/training-jobs/" + ids.get("job"));
        ids.put("generation", JsonPath.read(create(alice, "/api/v1/generations", "{\"modelId\":\"" + ids.get("job")
                + "\",\"counts\":[1,1,1,1,1],\"seed\":1}"), "$.id"));
        await(alice, "/api/v1/generations/" + ids.get("generation"));
        ids.put("key", JsonPath.read(json(alice, "/api/v1/keys"), "$[0].id"));
        ids.put("study", JsonPath.read(create(alice, "/api/v1/studies", studySpec(ids.get("dataset"))), "$.id"));
        ids.put("owner", JsonPath.read(json(alice, "/api/v1/usage"), "$.owner"));

        // every operation with a path variable, from the live spec
        String spec = mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getContentAsString();
        Map<String, Map<String, Object>> paths = JsonPath.read(spec, "$.paths");
        List<String> leaks = new ArrayList<>();
        int walked = 0;
        for (var path : paths.entrySet()) {
            if (!path.getKey().contains("{")) {
                continue;
            }
            for (var op : path.getValue().entrySet()) {
                String url = fill(path.getKey(), ids);
                var req = requestFor(op.getKey(), url, op.getValue());
                int got = mvc.perform(req.header(org.retinasynth.security.ApiKeyFilter.HEADER, bob)).andReturn().getResponse().getStatus();
                walked++;
                if (got != 404) {
                    leaks.add(op.getKey().toUpperCase() + " " + url + " -> " + got);
                }
            }
        }
        assertThat(leaks).as("operations that did not answer 404 to another owner").isEmpty();
        assertThat(walked).isGreaterThanOrEqualTo(25);

        // lists show nothing of Alice's; her ids are not usable as references
        for (String list : List.of("/api/v1/datasets", "/api/v1/training-jobs", "/api/v1/generations", "/api/v1/keys",
                "/api/v1/studies")) {
            String body = json(bob, list);
            ids.values().forEach(id -> assertThat(body).as(list).doesNotContain(id));
        }
        mvc.perform(as(bob, post("/api/v1/training-jobs").contentType(MediaType.APPLICATION_JSON)
                .content("{\"datasetId\":\"" + ids.get("dataset") + "\",\"modelType\":\"VAE\"}")))
                .andExpect(status().isNotFound());
        mvc.perform(as(bob, post("/api/v1/generations").contentType(MediaType.APPLICATION_JSON)
                .content("{\"modelId\":\"" + ids.get("job") + "\",\"counts\":[1,1,1,1,1]}")))
                .andExpect(status().isNotFound());

        mvc.perform(as(bob, post("/api/v1/studies").contentType(MediaType.APPLICATION_JSON)
                .content(studySpec(ids.get("dataset"))))).andExpect(status().isNotFound());

        // and Alice's resources are all still there
        for (String path : List.of("/api/v1/datasets/" + ids.get("dataset"),
                "/api/v1/datasets/" + ids.get("dataset") + "/images/" + ids.get("image"),
                "/api/v1/training-jobs/" + ids.get("job"), "/api/v1/training-jobs/" + ids.get("job") + "/model",
                "/api/v1/generations/" + ids.get("generation"), "/api/v1/studies/" + ids.get("study"))) {
            mvc.perform(as(alice, get(path))).andExpect(status().isOk());
        }
        String aliceKeys = json(alice, "/api/v1/keys");
        assertThat(JsonPath.<List<Object>>read(aliceKeys, "$[*].id")).isNotEmpty();
        // JSON leaves unset fields out: a key that is not revoked has no revokedAt at all
        assertThat(JsonPath.<List<Object>>read(aliceKeys, "$[*].revokedAt")).isEmpty();
        mvc.perform(as(alice, post("/api/v1/studies/" + ids.get("study") + "/cancel"))); // no need to finish it
    }

    private static String studySpec(String dataset) {
        return "{\"datasetId\":\"" + dataset + "\",\"seeds\":2,\"allowTwoSeeds\":true,\"generativePerSeed\":false,"
                + "\"generative\":{\"epochs\":1,\"batchSize\":16,\"latentDim\":8,\"baseChannels\":8},"
                + "\"classifier\":{\"epochs\":1,\"batchSize\":16,\"width\":16},\"robustnessCorruptions\":[\"gaussian\"]}";
    }

    /** Path variables by the collection they follow. */
    private static String fill(String template, Map<String, String> ids) {
        String[] parts = template.split("/");
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("{")) {
                String collection = parts[i - 1];
                String id = switch (collection) {
                    case "datasets" -> ids.get("dataset");
                    case "images" -> ids.get("image");
                    case "training-jobs", "models" -> ids.get("job");
                    case "generations" -> ids.get("generation");
                    case "keys" -> ids.get("key");
                    case "studies" -> ids.get("study");
                    case "figures" -> "samples";
                    default -> ids.getOrDefault(collection.replaceAll("s$", ""), null);
                };
                assertThat(id).as("no id of owner A for {" + collection + "} in " + template
                        + ": teach OwnerIsolationTest about it").isNotNull();
                p = p.replaceFirst("\\{[^}]+}", id);
            }
            out.append('/').append(p);
        }
        return out.toString();
    }

    /** Request bodies with a {@code name} field; every other body gets an empty object. */
    private static final List<String> NAMED_BODIES = List.of("/CreateDatasetRequest", "/RegisterDatasetRequest",
            "/DemoDatasetRequest");

    /** A well-formed request, so that only ownership can refuse it. */
    @SuppressWarnings("unchecked")
    private static AbstractMockHttpServletRequestBuilder<?> requestFor(String method, String url, Object operation) {
        Map<String, Object> content = operation instanceof Map<?, ?> m && m.get("requestBody") instanceof Map<?, ?> rb
                ? (Map<String, Object>) rb.get("content") : Map.of();
        if (content.containsKey("multipart/form-data")) {
            var b = MockMvcRequestBuilders.multipart(url);
            byte[] png = TestFiles.phantom(1, 64, 1, "png");
            Map<String, Object> schema = (Map<String, Object>) ((Map<String, Object>) content.get("multipart/form-data"))
                    .get("schema");
            Map<String, Object> props = schema == null ? Map.of()
                    : (Map<String, Object>) schema.getOrDefault("properties", Map.of());
            for (String name : props.keySet()) {
                b.file(part(name, name.equals("labels") ? "labels.csv" : "a.png",
                        name.equals("labels") ? "filename,grade\na.png,1\n".getBytes() : png));
            }
            if (props.isEmpty()) {
                b.file(part("file", "a.png", png));
            }
            b.param("grade", "1");
            b.with(r -> {
                r.setMethod(method.toUpperCase());
                return r;
            });
            return b;
        }
        var b = request(HttpMethod.valueOf(method.toUpperCase()), url);
        if (content.containsKey("application/json")) {
            // bodies are strict: send a field only where the operation's schema knows it
            String ref = String.valueOf(((Map<String, Object>) ((Map<String, Object>) content.get("application/json"))
                    .getOrDefault("schema", Map.of())).get("$ref"));
            boolean named = NAMED_BODIES.stream().anyMatch(ref::endsWith);
            b.contentType(MediaType.APPLICATION_JSON).content(named ? "{\"name\":\"taken\"}" : "{}");
        }
        return b;
    }
}
