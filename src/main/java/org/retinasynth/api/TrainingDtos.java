package org.retinasynth.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.OffsetDateTime;
import java.util.concurrent.ThreadLocalRandom;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.jobs.Job;
import org.retinasynth.jobs.JobState;
import org.retinasynth.model.ModelType;
import org.retinasynth.training.TrainingJob;
import org.retinasynth.training.TrainingSpec;

/** Request and response records of the training-jobs API. */
final class TrainingDtos {

    private TrainingDtos() {
    }

    @Schema(description = "A training job; omitted fields take the defaults shown")
    record CreateTrainingJobRequest(
            @NotBlank @Schema(example = "3f0c…") String datasetId,
            @NotNull @Schema(example = "DVAE") ModelType modelType,
            @Schema(description = "Condition on the grade (conditional VAE) so images can be asked for per grade",
                    defaultValue = "true") Boolean conditional,
            @Schema(description = "q(x̃|x) for a DVAE (required); for a VAE only used to score denoising PSNR",
                    example = "{\"components\":[{\"name\":\"gaussian\",\"severity\":0.3,\"probability\":1.0}]}")
            CorruptionSpec corruption,
            @Schema(defaultValue = "30") Integer epochs,
            @Schema(defaultValue = "64") Integer batchSize,
            @Schema(defaultValue = "0.001") Double learningRate,
            @Schema(defaultValue = "COSINE") TrainingSpec.Schedule schedule,
            @Schema(defaultValue = "64") Integer latentDim,
            @Schema(defaultValue = "32") Integer baseChannels,
            @Schema(description = "K corrupted copies per image in the DVAE bound", defaultValue = "1")
            Integer corruptedCopies,
            @Schema(description = "M latent samples per copy", defaultValue = "1") Integer latentSamples,
            @Schema(defaultValue = "5") Integer klWarmupEpochs,
            @Schema(description = "0 = off", defaultValue = "0") Integer earlyStoppingPatience,
            @Schema(description = "Random if omitted; always recorded") Long seed,
            @Schema(allowableValues = {"GAUSSIAN_FIXED", "GAUSSIAN_LEARNED", "BERNOULLI"},
                    defaultValue = "GAUSSIAN_FIXED") String likelihood,
            @Schema(description = "Normalisation in the encoder and decoder: BATCH, or GROUP (GroupNorm: the same "
                    + "function in training and sampling)", allowableValues = {"BATCH", "GROUP"},
                    defaultValue = "BATCH") String norm,
            @Schema(description = "A residual block (two 3x3 convolutions and a skip) after every encoder and "
                    + "decoder stage; needs baseChannels >= 16", defaultValue = "false") Boolean residual,
            @Schema(description = "Weight of a reconstruction term on 2-D Fourier log-magnitudes of the decoder "
                    + "mean vs the clean image (sharper reconstructions); 0 = off", defaultValue = "0")
            Double frequencyLossWeight,
            @Schema(description = "Weight of a feature-matching term: squared differences between the decoder "
                    + "mean and the clean image in the residual stages of a grade classifier that the job first "
                    + "trains on the same training split (20 epochs, same seed; nothing downloaded); 0 = off",
                    defaultValue = "0") Double featureLossWeight,
            @Schema(description = "beta, the weight of the KL term after warm-up, in (0, 10]: 1 trains on the bound "
                    + "itself; below 1 reconstructions and fitted-prior samples are sharper (validation losses are "
                    + "still reported as the bound)", defaultValue = "1") Double klWeight) {

        TrainingSpec toSpec() {
            return new TrainingSpec(datasetId, modelType, conditional == null || conditional, corruption,
                    or(epochs, 30), or(batchSize, 64), learningRate == null ? 1e-3 : learningRate,
                    schedule == null ? TrainingSpec.Schedule.COSINE : schedule, or(latentDim, 64), or(baseChannels, 32),
                    or(corruptedCopies, 1), or(latentSamples, 1), Math.min(or(klWarmupEpochs, 5), or(epochs, 30)),
                    or(earlyStoppingPatience, 0),
                    seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 48),
                    likelihood == null ? "GAUSSIAN_FIXED" : likelihood, norm == null ? "BATCH" : norm,
                    residual != null && residual, frequencyLossWeight == null ? 0.0 : frequencyLossWeight,
                    featureLossWeight == null ? 0.0 : featureLossWeight, klWeight == null ? 1.0 : klWeight);
        }

        private static int or(Integer v, int d) {
            return v == null ? d : v;
        }
    }

    @Schema(description = "A training job and its progress")
    record TrainingJobResponse(String id, String datasetId, ModelType modelType, JobState state, int epoch,
                               int totalEpochs, long step, long totalSteps, Double imagesPerSecond, Double etaSeconds,
                               String device, String worker, Double bestValidationLoss, Integer bestEpoch, int attempts,
                               boolean cancelRequested, String error, int checkpointEpoch, boolean modelAvailable,
                               TrainingSpec spec, OffsetDateTime createdAt, OffsetDateTime startedAt,
                               OffsetDateTime finishedAt, OffsetDateTime updatedAt) {
        static TrainingJobResponse of(TrainingJob j) {
            Job c = j.job();
            return new TrainingJobResponse(j.id(), j.datasetId(), j.modelType(), j.state(), j.epoch(),
                    j.totalEpochs(), c.progress().done(), (long) j.stepsPerEpoch() * j.totalEpochs(),
                    c.progress().rate(), c.progress().etaSeconds(), c.device(), c.worker(), j.bestValLoss(),
                    j.bestEpoch(), c.attempts(), c.cancelRequested(), c.error(), j.checkpointEpoch(),
                    j.modelSha256() != null, j.spec(), c.createdAt(), c.startedAt(), c.finishedAt(), c.updatedAt());
        }
    }
}
