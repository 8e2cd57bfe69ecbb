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
import io.swagger.v3.oas.models.security.SecurityScheme;
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

    @Bean
    OpenAPI retinaSynthOpenApi() {
        return new OpenAPI()
                .info(new Info().title("RetinaSynth API").version("v1")
                        .description("Upload graded retinal fundus image sets, train denoising VAEs, generate "
                                + "synthetic images per grade and study whether they help. Every call needs an API "
                                + "key in the `" + ApiKeyFilter.HEADER + "` header: press Authorize.")
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
    OperationCustomizer problemResponses() {
        return (operation, handler) -> {
            ApiResponses responses = operation.getResponses();
            add(responses, "400", "Malformed request or parameter out of range");
            add(responses, "401", "Missing, unknown or revoked API key");
            add(responses, "404", "No such resource for this key's owner");
            add(responses, "500", "Unexpected error");
            boolean upload = operation.getRequestBody() != null && operation.getRequestBody().getContent() != null
                    && operation.getRequestBody().getContent().containsKey("multipart/form-data");
            if (upload) {
                add(responses, "413", "Too large: request, image pixels, archive size or compression ratio");
                add(responses, "415", "Not a supported file type (checked by content)");
                add(responses, "422", "Labels unusable or no image accepted; rejected files are listed");
            }
            return operation;
        };
    }

    private static void add(ApiResponses responses, String code, String description) {
        responses.putIfAbsent(code, new ApiResponse().description(description).content(new Content()
                .addMediaType(PROBLEM, new MediaType().schema(new ObjectSchema().$ref(PROBLEM_REF)))));
    }

}
