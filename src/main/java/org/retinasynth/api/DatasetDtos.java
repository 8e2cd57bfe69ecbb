package org.retinasynth.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.DatasetImage;

/** Request and response records of the datasets API. */
final class DatasetDtos {

    private DatasetDtos() {
    }

    @Schema(description = "A new, empty dataset")
    record CreateDatasetRequest(
            @NotBlank @Size(max = 200) @Schema(example = "clinic-a-2026") String name,
            @Size(max = 2000) @Schema(example = "Fundus photos from clinic A, graded by two readers") String description,
            @Min(28) @Max(256) @Schema(description = "Square size images are preprocessed to (28-256)",
                    example = "64", defaultValue = "64") Integer workingSize,
            @Size(min = 2, max = 100) @Schema(description = "Class names by grade index; ICDR grades 0-4 if omitted",
                    example = "[\"No DR\",\"Mild NPDR\",\"Moderate NPDR\",\"Severe NPDR\",\"Proliferative DR\"]")
            List<String> classNames,
            @Schema(description = "Seed of the stratified split of uploads that carry no split; random if omitted",
                    example = "42") Long splitSeed,
            @DecimalMin("0.0") @DecimalMax("0.9") @Schema(example = "0.15") Double valFraction,
            @DecimalMin("0.0") @DecimalMax("0.9") @Schema(example = "0.15") Double testFraction) {
    }

    @Schema(description = "A dataset of synthetic fundus phantoms with known grades")
    record DemoDatasetRequest(
            @NotBlank @Size(max = 200) @Schema(example = "demo-phantoms") String name,
            @Size(min = 5, max = 5) @Schema(description = "Images per grade 0-4 (imbalanced like real data by default)",
                    example = "[30, 8, 16, 6, 4]") List<@Min(0) @Max(2000) Integer> countsPerGrade,
            @Min(32) @Max(1024) @Schema(description = "Side of the rendered disc before preprocessing", example = "256")
            Integer imageSize,
            @Min(28) @Max(256) @Schema(example = "64") Integer workingSize,
            @Schema(example = "7") Long seed,
            @DecimalMin("0.0") @DecimalMax("0.9") @Schema(example = "0.15") Double valFraction,
            @DecimalMin("0.0") @DecimalMax("0.9") @Schema(example = "0.15") Double testFraction) {
    }

    @Schema(description = "A dataset")
    record DatasetResponse(String id, String name, String description, int workingSize, List<String> classNames,
                           long splitSeed, double valFraction, double testFraction, long imageCount,
                           OffsetDateTime createdAt) {
        static DatasetResponse of(Dataset d) {
            return new DatasetResponse(d.id(), d.name(), d.description(), d.workingSize(), d.classNames(),
                    d.splitSeed(), d.valFraction(), d.testFraction(), d.imageCount(), d.createdAt());
        }
    }

    @Schema(description = "A stored image: original and preprocessed bytes are addressed by sha256")
    record ImageResponse(String id, String filename, int grade,
                         @Schema(allowableValues = {"train", "val", "test"}) String split, boolean splitGiven, String quality,
                         String device,
                         @Schema(description = "Patient (subject) id from the upload; null when not given") String patient,
                         @Schema(allowableValues = {"left", "right"}, description = "null when not given") String eye,
                         String originalFormat, long originalBytes, int width, int height,
                         FieldOfView fieldOfView, String originalSha256, String processedSha256, double brightness,
                         double contrast, double sharpness, OffsetDateTime createdAt) {
        static ImageResponse of(DatasetImage i) {
            return new ImageResponse(i.id(), i.filename(), i.grade(), i.split().label(), i.splitGiven(), i.quality(),
                    i.device(), i.patient(), i.eye(), i.originalFormat(), i.originalBytes(), i.width(), i.height(),
                    new FieldOfView(i.fieldOfView().x, i.fieldOfView().y, i.fieldOfView().width,
                            i.fieldOfView().height),
                    i.originalSha256(), i.processedSha256(), i.imageQuality().brightness(),
                    i.imageQuality().contrast(), i.imageQuality().sharpness(), i.createdAt());
        }
    }

    @Schema(description = "Bounding box of the retinal disc in the original image, in pixels")
    record FieldOfView(int x, int y, int width, int height) {
    }

    @Schema(description = "One page of results")
    record PageResponse<T>(List<T> items, int page, int size, long total) {
    }
}
