package org.retinasynth.training;

import java.util.ArrayList;
import java.util.List;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.model.ModelType;

/**
 * Everything that decides what a training job computes. Together with the dataset's content hash
 * and the library versions it is the job's provenance: the same spec on the same data and device
 * gives the same losses.
 *
 * @param corruption      q(x̃|x) for a DVAE; for a VAE only used to score denoising PSNR
 * @param corruptedCopies K corrupted copies per image in the DVAE bound (1 for a VAE)
 * @param latentSamples   M latent samples per copy
 * @param klWarmupEpochs  the KL weight rises linearly from 0 to 1 over these epochs
 * @param earlyStoppingPatience stop after this many epochs without a better validation loss; 0 = never
 * @param norm            BATCH or GROUP normalisation in the encoder and decoder; null (jobs made
 *                        before the option) = BATCH
 * @param residual        residual blocks after every encoder/decoder stage; null = false
 * @param frequencyLossWeight weight of the Fourier-magnitude reconstruction term; null = 0 (off)
 * @param featureLossWeight weight of the feature-matching term (activations of a grade classifier
 *                        that the job first trains on the same training split); null = 0 (off)
 * @param klWeight        beta, the weight of the KL term once warmed up; null = 1 (the bound itself).
 *                        Below 1 the posteriors may spread away from N(0, I), which a fitted prior
 *                        follows (Ghosh et al. 2020); reported validation losses stay the bound
 */
public record TrainingSpec(String datasetId, ModelType modelType, boolean conditional, CorruptionSpec corruption,
                           int epochs, int batchSize, double learningRate, Schedule schedule, int latentDim,
                           int baseChannels, int corruptedCopies, int latentSamples, int klWarmupEpochs,
                           int earlyStoppingPatience, long seed, String likelihood, String norm, Boolean residual,
                           Double frequencyLossWeight, Double featureLossWeight, Double klWeight) {

    public enum Schedule {
        /** Fixed learning rate. */
        CONSTANT,
        /** Cosine decay to 1% of the initial rate over the planned epochs. */
        COSINE,
        /** Halved every quarter of the planned epochs. */
        STEP
    }

    /** All problems at once, so a caller can fix the request in one go. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (datasetId == null || datasetId.isBlank()) {
            p.add("datasetId is required");
        }
        if (modelType == null) {
            p.add("modelType must be VAE or DVAE");
        }
        if (modelType != null && modelType.denoising() && (corruption == null || corruption.isIdentity())) {
            p.add("a DVAE needs a corruption with at least one component (e.g. gaussian:0.3)");
        }
        if (corruption != null) {
            try {
                corruption.validate();
            } catch (IllegalArgumentException e) {
                p.add("corruption: " + e.getMessage());
            }
        }
        check(p, epochs >= 1 && epochs <= 1000, "epochs must be 1-1000");
        check(p, batchSize >= 2 && batchSize <= 1024, "batchSize must be 2-1024");
        check(p, learningRate > 0 && learningRate <= 1, "learningRate must be in (0, 1]");
        check(p, schedule != null, "schedule must be CONSTANT, COSINE or STEP");
        check(p, latentDim >= 2 && latentDim <= 512, "latentDim must be 2-512");
        check(p, baseChannels >= 4 && baseChannels <= 256, "baseChannels must be 4-256");
        check(p, corruptedCopies >= 1 && corruptedCopies <= 16, "corruptedCopies (K) must be 1-16");
        check(p, modelType == null || modelType.allowsCorruptedCopies(corruptedCopies),
                "corruptedCopies (K) must be 1 for a VAE");
        check(p, latentSamples >= 1 && latentSamples <= 16, "latentSamples (M) must be 1-16");
        check(p, klWarmupEpochs >= 0 && klWarmupEpochs <= epochs, "klWarmupEpochs must be 0-epochs");
        check(p, likelihood == null || java.util.Arrays.stream(org.retinasynth.model.VaeConfig.Likelihood.values())
                .anyMatch(l -> l.name().equals(likelihood)), "likelihood must be GAUSSIAN_FIXED, GAUSSIAN_LEARNED or BERNOULLI");
        modelOptionProblems(p, "", norm, residual, frequencyLossWeight, featureLossWeight, klWeight, baseChannels);
        check(p, earlyStoppingPatience >= 0 && earlyStoppingPatience <= 1000, "earlyStoppingPatience must be 0-1000");
        return p;
    }

    /**
     * Problems of the norm/residual/frequency/feature/KL-weight options, shared with the study spec's generative
     * settings ({@code prefix} names the field's parent there).
     */
    public static void modelOptionProblems(List<String> p, String prefix, String norm, Boolean residual,
                                            Double frequencyLossWeight, Double featureLossWeight,
                                            Double klWeight, int baseChannels) {
        check(p, norm == null || java.util.Arrays.stream(org.retinasynth.model.VaeConfig.Norm.values())
                .anyMatch(n -> n.name().equals(norm)), prefix + "norm must be BATCH or GROUP");
        check(p, residual == null || !residual || baseChannels >= 16,
                prefix + "residual stages need baseChannels >= 16");
        check(p, frequencyLossWeight == null || (frequencyLossWeight >= 0 && frequencyLossWeight <= 100),
                prefix + "frequencyLossWeight must be 0-100");
        check(p, featureLossWeight == null || (featureLossWeight >= 0 && featureLossWeight <= 100),
                prefix + "featureLossWeight must be 0-100");
        check(p, klWeight == null || (klWeight > 0 && klWeight <= 10), prefix + "klWeight must be in (0, 10]");
    }

    /** The model options of this spec applied to a VAE config. */
    public org.retinasynth.model.VaeConfig applyArchitecture(org.retinasynth.model.VaeConfig config) {
        return config.withArchitecture(
                norm == null ? org.retinasynth.model.VaeConfig.Norm.BATCH
                        : org.retinasynth.model.VaeConfig.Norm.valueOf(norm),
                residual != null && residual, frequencyLossWeight == null ? 0 : frequencyLossWeight,
                featureLossWeight == null ? 0 : featureLossWeight);
    }

    private static void check(List<String> problems, boolean ok, String message) {
        if (!ok) {
            problems.add(message);
        }
    }

    /** Learning rate of an epoch (0-based) under the schedule. */
    public double learningRateAt(int epoch) {
        return switch (schedule) {
            case CONSTANT -> learningRate;
            case COSINE -> learningRate * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * epoch / Math.max(1, epochs))));
            case STEP -> learningRate * Math.pow(0.5, Math.floor(4.0 * epoch / Math.max(1, epochs)));
        };
    }

    /** KL weight of an epoch (0-based): beta after a linear warm-up that avoids posterior collapse early on. */
    public double klWeightAt(int epoch) {
        double beta = klWeight == null ? 1.0 : klWeight;
        return beta * (klWarmupEpochs == 0 ? 1.0 : Math.min(1.0, (epoch + 1.0) / klWarmupEpochs));
    }
}
