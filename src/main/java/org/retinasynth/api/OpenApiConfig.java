package org.retinasynth.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.retinasynth.security.ApiKeyFilter;
import org.retinasynth.security.Owner;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * API documentation: the key scheme Swagger UI asks for, and the problem+json answers that every
 * operation can give, added in one place instead of on each method.
 */
@Configuration
class OpenApiConfig {

    static final String PROBLEM = "application/problem+json";
    private static final String PROBLEM_REF = "#/components/schemas/Problem";

    static {
        // The owner comes from the API key, not from the request: keep it out of the documented parameters.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Owner.class);
    }

    /** What a person landing on Swagger UI needs first: a key, then one call that needs no files. */
    static final String INTRO = """
            Upload graded retinal fundus image sets, train denoising VAEs (and plain VAEs to compare), \
            generate synthetic images per grade and study whether they help a grade classifier.

            **Your first key.** On its first start with an empty database the service prints an admin key \
            once, in its console log, under `=== RetinaSynth: first API key for owner 'admin' ===` \
            (or an operator sets one with `retinasynth.security.bootstrap-key`). Press **Authorize** and \
            paste it; every call sends it in the `%s` header. Make keys for colleagues with `POST /api/v1/keys`.

            **Try first.** `POST /api/v1/datasets/demo` (the first call below; press *Try it out*, then \
            *Execute*) makes a small dataset of synthetic fundus phantoms, no files needed. Open \
            `GET /api/v1/datasets/{id}/grid.png` with its `id` to see it, start a model with \
            `POST /api/v1/training-jobs` (`{"datasetId": "<id>", "modelType": "DVAE", "epochs": 5}`), \
            follow it with `GET /api/v1/training-jobs/{id}`, then generate a balanced set with \
            `POST /api/v1/generations`. Errors come as RFC 9457 problem details.
            """.formatted(ApiKeyFilter.HEADER);

    @Bean
    OpenAPI retinaSynthOpenApi() {
        return new OpenAPI()
                .info(new Info().title("RetinaSynth API").version("v1")
                        .description(INTRO)
                        .license(new License().name("Apache-2.0")))
                .components(new Components()
                        .addSecuritySchemes("apiKey", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name(ApiKeyFilter.HEADER))
                        .addSchemas("Problem", new ObjectSchema()
                                .description("RFC 9457 problem details")
                                .addProperty("type", new StringSchema().example("about:blank"))
                                .addProperty("title", new StringSchema().example("Not Found"))
                                .addProperty("status", new IntegerSchema().example(404))
                                .addProperty("detail", new StringSchema().example("dataset 'x' was not found"))
                                .addProperty("instance", new StringSchema().example("/api/v1/datasets/x"))))
                .addSecurityItem(new SecurityRequirement().addList("apiKey"));
    }

    @Bean
    @SuppressWarnings("unchecked")
    OperationCustomizer problemResponses() {
        return (operation, handler) -> {
            ApiResponses responses = operation.getResponses();
            add(responses, "400", "Malformed request or parameter out of range");
            if (operation.getRequestBody() == null && responses.get("400").getContent() != null
                    && responses.get("400").getContent().get(PROBLEM) != null) {
                // the unknown-field example fits only operations that take a body
                Map<String, Object> example = new java.util.LinkedHashMap<>((Map<String, Object>)
                        responses.get("400").getContent().get(PROBLEM).getExample());
                example.put("detail", "perGrade must be between 1 and 32");
                example.put("instance", "/api/v1/datasets/x/grid.png");
                responses.get("400").getContent().get(PROBLEM).setExample(example);
            }
            add(responses, "401", "Missing, unknown or revoked API key");
            add(responses, "404", "No such resource for this key's owner");
            add(responses, "500", "Unexpected error");
            boolean upload = operation.getRequestBody() != null && operation.getRequestBody().getContent() != null
                    && operation.getRequestBody().getContent().containsKey("multipart/form-data");
            if (upload) {
                add(responses, "413", "Too large: request, image pixels, archive size or compression ratio");
                add(responses, "415", "Not a supported file type (checked by content)");
                boolean patients = operation.getParameters() != null && operation.getParameters().stream()
                        .anyMatch(p -> "allowPatientOverlap".equals(p.getName()));
                add(responses, "422", "Labels unusable or no image accepted; rejected files are listed"
                        + (patients ? ". Also when given splits put a patient in two splits (`code: patient_overlap`, "
                        + "the patients and their splits in `patients`)" : ""));
            }
            return operation;
        };
    }

    /**
     * The document as generators need it: request schemas closed ({@link StrictBodies} refuses
     * unknown fields), downloads declared as binary rather than base64 text, and tags in the order
     * of the workflow.
     */
    @Bean
    OpenApiCustomizer forGenerators() {
        return openApi -> {
            Map<String, Schema> schemas = openApi.getComponents() == null ? Map.of()
                    : openApi.getComponents().getSchemas();
            Set<String> closed = new TreeSet<>();
            schemas.values().forEach(OpenApiConfig::typedDefaults);
            openApi.getPaths().values().forEach(item -> item.readOperations().forEach(op -> {
                if (op.getParameters() != null) {
                    // annotations give examples as text, which the generator writes as a number when it looks like one
                    op.getParameters().stream().filter(p -> p.getExample() != null && p.getSchema() != null
                                    && "string".equals(type(p.getSchema())))
                            .forEach(p -> p.setExample(String.valueOf(p.getExample())));
                }
                if (op.getRequestBody() != null && op.getRequestBody().getContent() != null) {
                    MediaType json = op.getRequestBody().getContent().get("application/json");
                    if (json != null) {
                        close(json.getSchema(), schemas, closed);
                    }
                }
                if (op.getResponses() != null) {
                    op.getResponses().values().forEach(r -> {
                        if (r.getContent() != null) {
                            r.getContent().forEach((type, media) -> {
                                if (!type.contains("json") && !type.startsWith("text/")) {
                                    media.setSchema(new StringSchema().format("binary"));
                                } else if (type.startsWith("text/")) {
                                    media.setSchema(new StringSchema());
                                }
                            });
                        }
                    });
                }
            }));
            if (openApi.getTags() != null) {
                List<Tag> tags = new ArrayList<>(openApi.getTags());
                tags.sort(Comparator.comparingInt(t -> {
                    int i = TAG_ORDER.indexOf(t.getName());
                    return i < 0 ? TAG_ORDER.size() : i;
                }));
                openApi.setTags(tags);
            }
            openApi.setPaths(inWorkflowOrder(openApi.getPaths()));
        };
    }

    /**
     * Within a tag, the order a person goes through it: make something, look at it, then the rest.
     * Swagger UI keeps the document's order (no operations sorter), so the page opens with the demo
     * dataset, the one call that needs no files.
     */
    static final List<String> PATH_ORDER = List.of(
            "/api/v1/datasets/demo", "/api/v1/datasets", "/api/v1/datasets/{id}/images", "/api/v1/datasets/{id}/zip",
            "/api/v1/datasets/{id}/npz", "/api/v1/datasets/{id}", "/api/v1/datasets/{id}/stats",
            "/api/v1/datasets/{id}/grid.png", "/api/v1/datasets/{id}/uploads",
            "/api/v1/training-jobs", "/api/v1/training-jobs/{id}", "/api/v1/training-jobs/{id}/events",
            "/api/v1/training-jobs/{id}/loss.png", "/api/v1/training-jobs/{id}/reconstructions.png",
            "/api/v1/training-jobs/{id}/metrics", "/api/v1/training-jobs/{id}/model",
            "/api/v1/training-jobs/{id}/cancel",
            "/api/v1/generations", "/api/v1/generations/{id}", "/api/v1/generations/{id}/events",
            "/api/v1/generations/{id}/grid.png", "/api/v1/generations/{id}/images.zip",
            "/api/v1/generations/{id}/dataset", "/api/v1/generations/{id}/cancel",
            "/api/v1/studies", "/api/v1/studies/{id}", "/api/v1/studies/{id}/events", "/api/v1/studies/{id}/report",
            "/api/v1/studies/{id}/report.html", "/api/v1/studies/{id}/report.csv",
            "/api/v1/studies/{id}/figures/{name}.png", "/api/v1/studies/{id}/cancel",
            "/api/v1/keys", "/api/v1/usage");

    private static Paths inWorkflowOrder(Paths paths) {
        if (paths == null) {
            return null;
        }
        Comparator<Map.Entry<String, PathItem>> order = Comparator.comparingInt(e -> tagRank(e.getValue()));
        order = order.thenComparingInt(e -> {
            int i = PATH_ORDER.indexOf(e.getKey());
            return i < 0 ? PATH_ORDER.size() : i;
        });
        order = order.thenComparing(Map.Entry::getKey);
        Paths sorted = new Paths();
        paths.entrySet().stream().sorted(order).forEach(e -> sorted.addPathItem(e.getKey(), e.getValue()));
        sorted.setExtensions(paths.getExtensions());
        return sorted;
    }

    private static int tagRank(PathItem item) {
        return item.readOperations().stream().filter(op -> op.getTags() != null)
                .flatMap(op -> op.getTags().stream()).mapToInt(t -> {
                    int i = TAG_ORDER.indexOf(t);
                    return i < 0 ? TAG_ORDER.size() : i;
                }).min().orElse(TAG_ORDER.size());
    }

    /** Swagger UI lists tags in the document's order: the order a user works in. */
    static final List<String> TAG_ORDER = List.of("Datasets", "Training jobs", "Generations", "Studies", "Models",
            "API keys", "Quotas", "Administration");

    /** {@code @Schema(defaultValue = "0.001")} arrives as text; a number property needs a number. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void typedDefaults(Schema schema) {
        if (schema.getProperties() == null) {
            return;
        }
        ((Map<String, Schema>) schema.getProperties()).values().forEach(p -> {
            if (p.getDefault() instanceof String text && "number".equals(type(p))) {
                p.setDefault(new java.math.BigDecimal(text));
            }
        });
    }

    /** The type of a 3.0 or 3.1 schema. */
    @SuppressWarnings("rawtypes")
    private static String type(Schema schema) {
        if (schema.getType() != null) {
            return schema.getType();
        }
        return schema.getTypes() != null && schema.getTypes().size() == 1
                ? String.valueOf(schema.getTypes().iterator().next()) : null;
    }

    @SuppressWarnings("rawtypes")
    private static void close(Schema schema, Map<String, Schema> schemas, Set<String> seen) {
        if (schema == null) {
            return;
        }
        if (schema.get$ref() != null) {
            String name = schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1);
            if (seen.add(name) && schemas.get(name) != null) {
                close(schemas.get(name), schemas, seen);
            }
            return;
        }
        if (schema.getItems() != null) {
            close(schema.getItems(), schemas, seen);
        }
        if (schema.getProperties() != null) {
            schema.setAdditionalProperties(false);
            ((Map<String, Schema>) schema.getProperties()).values().forEach(p -> close(p, schemas, seen));
        }
    }

    private static void add(ApiResponses responses, String code, String description) {
        responses.putIfAbsent(code, new ApiResponse().description(description).content(new Content()
                .addMediaType(PROBLEM, new MediaType().schema(new ObjectSchema().$ref(PROBLEM_REF)))));
        // Responses declared on a method (409, 422, ...) often name no body: they still send a problem.
        responses.values().forEach(r -> {
            if (r.getContent() == null || r.getContent().isEmpty()) {
                return;
            }
            r.getContent().forEach((type, media) -> {
                if (type.contains("problem") && media.getSchema() == null) {
                    media.setSchema(new ObjectSchema().$ref(PROBLEM_REF));
                }
            });
        });
        ApiResponse response = responses.get(code);
        MediaType problem = response.getContent() == null ? null : response.getContent().get(PROBLEM);
        String[] example = EXAMPLES.get(code);
        if (problem != null && problem.getExample() == null && problem.getExamples() == null && example != null) {
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("type", "about:blank");
            body.put("title", example[0]);
            body.put("status", Integer.parseInt(code));
            body.put("detail", example[1]);
            body.put("instance", example[2]);
            problem.setExample(body);
        }
    }

    /**
     * One true example per status (title, detail, instance), in the words the service uses: without
     * them Swagger UI showed the schema's 404 example under every status.
     */
    private static final Map<String, String[]> EXAMPLES = Map.of(
            "400", new String[] {"Bad Request", "unknown field 'epoch' (did you mean 'epochs'?)",
                "/api/v1/training-jobs"},
            "401", new String[] {"Missing API key", "Send your key in the " + ApiKeyFilter.HEADER
                    + " header (or as 'Authorization: Bearer <key>').", "/api/v1/datasets"},
            "404", new String[] {"Not Found", "dataset 'x' was not found", "/api/v1/datasets/x"},
            "413", new String[] {"Content Too Large", "Image 'scan.tif' declares 20000x20000 = 400000000 pixels; "
                    + "the limit is 40000000 pixels (checked before decoding)", "/api/v1/datasets/x/images"},
            "415", new String[] {"Unsupported Media Type", "File 'notes.txt' is not a PNG, JPEG or TIFF image (checked by "
                + "content, not by file name)",
                "/api/v1/datasets/x/images"},
            "422", new String[] {"Unprocessable Content", "No image was accepted: 2 file(s) rejected, see 'rejectedFiles'",
                "/api/v1/datasets/x/images"},
            "500", new String[] {"Internal Server Error", "Unexpected error; the server log has the details",
                "/api/v1/studies"});

}
