package org.retinasynth.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.UploadReport;
import org.retinasynth.generation.Generation;
import org.retinasynth.generation.GenerationProvenance;
import org.retinasynth.jobs.Job;
import org.retinasynth.jobs.JobState;
import org.retinasynth.generation.GenerationPlan;
import org.retinasynth.generation.GenerationRequest;

/** Request and response records of the generations API. */
final class GenerationDtos {

    private GenerationDtos() {
    }

    @Schema(description = "Synthetic images from a trained model: exactly one of counts, balance or count")
    record CreateGenerationRequest(
            @NotBlank @Schema(description = "Id of a SUCCEEDED training job", example = "3f0c…") String modelId,
            @Schema(description = "Images per grade (conditional models)", example = "[10, 0, 20, 5, 5]")
            List<Integer> counts,
            @Schema(description = "Top every grade of the model's training split up to the largest grade's count "
                    + "(or to target)", example = "false") Boolean balance,
            @Schema(description = "With balance: the per-grade level to reach instead of the largest grade's count",
                    example = "500") Integer target,
            @Schema(description = "A total, for unconditional models (which cannot generate per grade)")
            Integer count,
            @Schema(description = "z ~ N(0, temperature² I); below 1 gives more typical, less varied images",
                    defaultValue = "1.0", minimum = "0", maximum = "5") Double temperature,
            @Schema(description = "Random if omitted; always recorded. Same seed and request: identical PNGs")
            Long seed,
            @Schema(description = "Where latents come from: FITTED, the per-grade prior fitted to the model's "
                    + "training posteriors (the default when the model has one), or STANDARD, N(0, I)",
                    allowableValues = {"FITTED", "STANDARD"}) String prior,
            @Schema(description = "Keep only images a grade classifier assigns to their grade with probability >= "
                    + "threshold (default 0.5). The classifier is trained in the job on the model's training dataset "
                    + "(training split; epoch chosen on the validation split; seeded by the generation seed); at most"
                    + " 50 draws per image asked for, per chunk and grade. Its settings, validation balanced accuracy"
                    + " and the per-grade acceptance are in the provenance. Always runs as a job. 422 "
                    + "(filter_unconditional) for an unconditional model") GenerationRequest.FilterSpec filter) {

        GenerationRequest toRequest() {
            return new GenerationRequest(modelId, counts, balance, target, count, temperature, seed, prior, filter);
        }
    }

    @Schema(description = "A generated set and its progress")
    record GenerationResponse(String id, String modelId, JobState state,
                              @Schema(allowableValues = {"COUNTS", "BALANCE", "TOTAL"}) String mode, List<Integer> countsPerGrade,
                              Integer target, List<Long> trainCounts, int total, int done, Double imagesPerSecond,
                              Double etaSeconds, double temperature, long seed,
                              @Schema(description = "FITTED or STANDARD; absent for sets made before the fitted prior")
                              String prior, int imageSize, String worker,
                              int attempts, boolean cancelRequested, String error, GenerationProvenance provenance,
                              OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                              OffsetDateTime updatedAt) {
        static GenerationResponse of(Generation g) {
            GenerationPlan p = g.plan();
            Job j = g.job();
            return new GenerationResponse(g.id(), g.modelJobId(), g.state(), p.mode(), p.countsPerGrade(),
                    p.target(), p.trainCounts(), p.total(), (int) j.progress().done(), j.progress().rate(),
                    j.progress().etaSeconds(), p.temperature(), p.seed(), p.prior(), p.imageSize(), j.worker(), j.attempts(),
                    j.cancelRequested(), j.error(), g.provenance(), j.createdAt(), j.startedAt(), j.finishedAt(),
                    j.updatedAt());
        }
    }

    @Schema(description = "A dataset to make from a generated set")
    record RegisterDatasetRequest(@NotBlank @Schema(example = "clinic-a-synthetic") String name) {
    }

    @Schema(description = "The dataset made from a generated set (every image in the train split) and its upload")
    record RegisteredDatasetResponse(DatasetDtos.DatasetResponse dataset, UploadReport upload) {
        static RegisteredDatasetResponse of(Dataset d, UploadReport upload) {
            return new RegisteredDatasetResponse(DatasetDtos.DatasetResponse.of(d), upload);
        }
    }
}
