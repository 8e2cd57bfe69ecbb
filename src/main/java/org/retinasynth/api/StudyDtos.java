package org.retinasynth.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import java.time.OffsetDateTime;
import java.util.List;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.jobs.Job;
import org.retinasynth.jobs.JobState;
import org.retinasynth.study.Study;
import org.retinasynth.study.StudySpec;
import org.retinasynth.model.ModelType;

/** Request and response records of the studies API. */
final class StudyDtos {

    private StudyDtos() {
    }

    @Schema(description = "A comparison study; omitted fields take the defaults shown")
    record CreateStudyRequest(
            @NotBlank @Schema(example = "3f0c…") String datasetId,
            @Schema(description = "Arms to compare; REAL is the reference and must be included. Omitted: every arm"
                    + " the models can feed except the grader-filtered REAL_VAE_BALANCED and REAL_DVAE_BALANCED,"
                    + " which are asked for by name, together with REAL_OVERSAMPLED (their baseline)",
                    defaultValue = "[\"REAL\",\"REAL_CLASSIC\",\"REAL_OVERSAMPLED\",\"REAL_VAE\",\"REAL_DVAE\","
                            + "\"SYNTHETIC_ONLY\"]")
            List<StudySpec.Arm> arms,
            @Schema(description = "Seeds 0..n-1 (at least 3)", defaultValue = "3") Integer seeds,
            @Schema(description = "Tests only: allow 2 seeds", defaultValue = "false") Boolean allowTwoSeeds,
            @Schema(description = "Synthetic images per real training image", defaultValue = "1.0")
            Double syntheticRatio,
            @Schema(description = "Grades that receive synthetic images; omit for all") List<Integer> augmentGrades,
            @Schema(description = "Top each augmented grade up to the largest grade's count instead of the ratio",
                    defaultValue = "false") Boolean balance,
            @Schema(description = "Prior temperature when sampling", defaultValue = "1.0") Double temperature,
            @Schema(description = "Train the VAE and DVAE once per seed (true) or once per study",
                    defaultValue = "true") Boolean generativePerSeed,
            @Schema(description = "VAE and DVAE trained inside the study") GenerativeRequest generative,
            @Schema(description = "The grade classifier, the same in every arm") ClassifierRequest classifier,
            @Schema(description = "A SUCCEEDED conditional VAE training job of the same dataset to use instead")
            String vaeJobId,
            @Schema(description = "A SUCCEEDED conditional DVAE training job of the same dataset to use instead")
            String dvaeJobId,
            @Schema(description = "Corruption for the representation metrics; defaults to the DVAE's")
            CorruptionSpec representationCorruption,
            @Schema(description = "Registered corruptions scored at 5 severities; omit for all")
            List<String> robustnessCorruptions,
            @Schema(description = "Importance samples per test image for the log-likelihood estimate",
                    defaultValue = "64") Integer iwaeSamples,
            @Schema(description = "Generative model types to train and compare; omit for VAE and DVAE. "
                    + "Without arms, the arms are the training-set arms these models can feed (not the encoder arms)")
            List<ModelType> models,
            @Schema(description = "Other datasets of the same owner on which every arm x seed classifier is also "
                    + "scored (resized to this dataset's working size); never used for training or model selection."
                    + " Refused (422) if one is the training dataset (external_is_training), shares an image with "
                    + "its train or val split (external_overlap), has grades outside its classes (external_grades) "
                    + "or fewer than 2 images (external_too_small)")
            List<StudySpec.ExternalTest> externalTests,
            @Schema(description = "REAL_VAE_BALANCED / REAL_DVAE_BALANCED keep a synthetic image only if the same "
                    + "seed's REAL classifier (trained on the real training split, epoch chosen on validation) gives "
                    + "its intended grade at least this probability; in (0, 1)", defaultValue = "0.5")
            Double filterThreshold) {

        StudySpec toSpec() {
            GenerativeRequest g = generative != null ? generative : new GenerativeRequest(null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null);
            ClassifierRequest c = classifier != null ? classifier : new ClassifierRequest(null, null, null, null, null,
                    null, null, null);
            return new StudySpec(datasetId, arms != null ? arms : StudySpec.armsFor(models), or(seeds, 3),
                    allowTwoSeeds != null && allowTwoSeeds, syntheticRatio != null ? syntheticRatio : 1.0,
                    augmentGrades, balance != null && balance, temperature != null ? temperature : 1.0,
                    generativePerSeed == null || generativePerSeed,
                    new StudySpec.Generative(or(g.epochs(), 20), or(g.batchSize(), 64),
                            g.learningRate() != null ? g.learningRate() : 1e-3, or(g.latentDim(), 32),
                            or(g.baseChannels(), 16),
                            g.corruption() != null ? g.corruption() : CorruptionSpec.parse("gaussian:0.3"),
                            or(g.corruptedCopies(), 1), Math.min(or(g.klWarmupEpochs(), 5), or(g.epochs(), 20)),
                            g.likelihood() != null ? g.likelihood() : "BERNOULLI",
                            g.prior() != null ? g.prior() : "FITTED", g.norm() != null ? g.norm() : "BATCH",
                            g.residual() != null && g.residual(),
                            g.frequencyLossWeight() != null ? g.frequencyLossWeight() : 0.0,
                            g.featureLossWeight() != null ? g.featureLossWeight() : 0.0,
                            g.klWeight() != null ? g.klWeight() : 1.0),
                    new StudySpec.Classifier(or(c.epochs(), 20), or(c.batchSize(), 64),
                            c.learningRate() != null ? c.learningRate() : 1e-3, or(c.width(), 16),
                            c.dropout() != null ? c.dropout() : 0.1, c.weightDecay() != null ? c.weightDecay() : 1e-4,
                            c.classWeighted() != null && c.classWeighted(), or(c.earlyStoppingPatience(), 0)),
                    vaeJobId, dvaeJobId, representationCorruption, robustnessCorruptions, or(iwaeSamples, 64), models,
                    externalTests, filterThreshold);
        }
    }

    @Schema(description = "Settings of the VAE and DVAE a study trains")
    record GenerativeRequest(@Schema(defaultValue = "20") Integer epochs, @Schema(defaultValue = "64") Integer batchSize,
                             @Schema(defaultValue = "0.001") Double learningRate,
                             @Schema(defaultValue = "32") Integer latentDim,
                             @Schema(defaultValue = "16") Integer baseChannels,
                             @Schema(description = "q(x̃|x) of the DVAE", defaultValue = "gaussian:0.3",
                                     example = "{\"components\":[{\"name\":\"gaussian\",\"severity\":0.3,"
                                             + "\"probability\":1.0}]}") CorruptionSpec corruption,
                             @Schema(description = "K corrupted copies per image in the DVAE bound", defaultValue = "1")
                             Integer corruptedCopies,
                             @Schema(defaultValue = "5") Integer klWarmupEpochs,
                             @Schema(description = "Decoder likelihood; the fixed-sigma Gaussian gave near-black prior "
                                     + "samples on RetinaMNIST", allowableValues = {"GAUSSIAN_FIXED", "GAUSSIAN_LEARNED",
                                     "BERNOULLI"}, defaultValue = "BERNOULLI") String likelihood,
                             @Schema(description = "Where synthetic latents come from: FITTED, a per-grade prior fitted "
                                     + "to the training posteriors, or STANDARD, N(0, I)",
                                     allowableValues = {"FITTED", "STANDARD"}, defaultValue = "FITTED") String prior,
                             @Schema(description = "Normalisation in the encoder and decoder: BATCH, or GROUP "
                                     + "(GroupNorm: the same function in training and sampling)",
                                     allowableValues = {"BATCH", "GROUP"}, defaultValue = "BATCH") String norm,
                             @Schema(description = "A residual block after every encoder and decoder stage; needs "
                                     + "baseChannels >= 16", defaultValue = "false") Boolean residual,
                             @Schema(description = "Weight of the Fourier log-magnitude reconstruction term; 0 = off",
                                     defaultValue = "0") Double frequencyLossWeight,
                             @Schema(description = "Weight of the feature-matching term (activations of a grade "
                                     + "classifier trained first on the same training split); 0 = off",
                                     defaultValue = "0") Double featureLossWeight,
                             @Schema(description = "beta, the weight of the KL term after warm-up, in (0, 10]; 1 = "
                                     + "the bound itself", defaultValue = "1") Double klWeight) {
    }

    @Schema(description = "Settings of the grade classifier (a small ResNet), the same in every arm")
    record ClassifierRequest(@Schema(defaultValue = "20") Integer epochs, @Schema(defaultValue = "64") Integer batchSize,
                             @Schema(defaultValue = "0.001") Double learningRate,
                             @Schema(defaultValue = "16") Integer width, @Schema(defaultValue = "0.1") Double dropout,
                             @Schema(defaultValue = "0.0001") Double weightDecay,
                             @Schema(description = "Inverse-frequency class weights in the loss", defaultValue = "false")
                             Boolean classWeighted,
                             @Schema(description = "Keep the epoch with the lowest validation loss; stop after this "
                                     + "many epochs without a better one; 0 = fixed epochs", defaultValue = "0")
                             Integer earlyStoppingPatience) {
    }

    private static int or(Integer v, int d) {
        return v == null ? d : v;
    }

    @Schema(description = "A study and its progress")
    record StudyResponse(String id, String datasetId, JobState state, String phase, int step, int totalSteps,
                         Double etaSeconds, String device, String worker, int attempts, boolean cancelRequested,
                         String error, boolean reportAvailable, StudySpec spec, OffsetDateTime createdAt,
                         OffsetDateTime startedAt, OffsetDateTime finishedAt, OffsetDateTime updatedAt) {
        static StudyResponse of(Study s) {
            Job j = s.job();
            return new StudyResponse(s.id(), s.datasetId(), s.state(), j.progress().phase(),
                    (int) j.progress().done(), (int) j.progress().total(), j.progress().etaSeconds(), j.device(),
                    j.worker(), j.attempts(), j.cancelRequested(), j.error(), s.reportSha256() != null, s.spec(),
                    j.createdAt(), j.startedAt(), j.finishedAt(), j.updatedAt());
        }
    }
}
