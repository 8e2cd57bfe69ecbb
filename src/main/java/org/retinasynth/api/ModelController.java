package org.retinasynth.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.retinasynth.generation.ModelOperations;
import org.retinasynth.security.Owner;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
@RequestMapping("/api/v1/models/{modelId}")
@Tag(name = "Models", description = "What a trained model (a SUCCEEDED training job) does to one image")
class ModelController {

    private final ModelOperations operations;

    ModelController(ModelOperations operations) {
        this.operations = operations;
    }

    @PostMapping(path = "/denoise", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(operationId = "denoiseImage", summary = "The model's clean reconstruction of an image",
            description = "The image (PNG, JPEG, TIFF) is preprocessed like a dataset image (field-of-view crop, "
                    + "square resize to the model's working size); the answer is the decoder mean at the posterior "
                    + "mean, a PNG of the working size.")
    @ApiResponse(responseCode = "200", description = "PNG of the model's working size",
            content = @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "400", description = "Corrupt image, or grade missing / out of range",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "The training job has not SUCCEEDED",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "413", description = "Image over the byte or pixel limit",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "415", description = "Not a PNG, JPEG or TIFF",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> denoise(Owner owner, @PathVariable String modelId, @RequestPart("image") MultipartFile image,
                                   @Parameter(description = "Required for a conditional model, refused otherwise")
                                   @RequestParam(required = false) Integer grade) {
        String name = name(image);
        operations.checkSize(image.getSize(), name);
        return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).header("X-Content-Type-Options", "nosniff")
                .body(operations.denoise(owner, modelId, bytes(image), name, grade));
    }

    @PostMapping(path = "/encode", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(operationId = "encodeImage",
            summary = "The posterior q(z|x) of an image: latent mean and variance per dimension",
            description = "Preprocessed as for denoise.")
    @ApiResponse(responseCode = "200", description = "latentDim means and variances")
    @ApiResponse(responseCode = "400", description = "Corrupt image, or grade missing / out of range",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "The training job has not SUCCEEDED",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "413", description = "Image over the byte or pixel limit",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "415", description = "Not a PNG, JPEG or TIFF",
            content = @Content(mediaType = "application/problem+json"))
    ModelOperations.Encoding encode(Owner owner, @PathVariable String modelId, @RequestPart("image") MultipartFile image,
                                    @Parameter(description = "Required for a conditional model, refused otherwise")
                                    @RequestParam(required = false) Integer grade) {
        String name = name(image);
        operations.checkSize(image.getSize(), name);
        return operations.encode(owner, modelId, bytes(image), name, grade);
    }

    private static String name(MultipartFile f) {
        String name = f.getOriginalFilename();
        return name == null || name.isBlank() ? f.getName() : name;
    }

    private static byte[] bytes(MultipartFile f) {
        try {
            return f.getBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read upload part " + f.getName(), e);
        }
    }
}
