package org.retinasynth.model;

/**
 * Shape and objective of one VAE / DVAE.
 *
 * @param imageSize       side of the square input in pixels, 28..256
 * @param channels        image channels (3 for fundus photographs)
 * @param latentDim       size of z
 * @param baseChannels    channels of the first encoder stage; each further stage doubles them (capped
 *                        at 16x)
 * @param numClasses      0 for an unconditional model, else the number of grades the model is
 *                        conditioned on (one-hot, concatenated to encoder features and to z)
 * @param likelihood      decoder likelihood p(x|z)
 * @param fixedSigma      standard deviation of the {@link Likelihood#GAUSSIAN_FIXED} likelihood, in
 *                        [0,1] pixel units
 * @param corruptedCopies K: corrupted copies per clean image that a denoising step expects
 * @param latentSamples   M: reparameterised samples of z per encoder input
 * @param norm            normalisation after each encoder/decoder convolution; null (configs saved
 *                        before the option existed) reads as {@link Norm#BATCH}
 * @param residual        a residual block (two 3x3 convolutions and a skip) after every encoder and
 *                        decoder stage; null reads as false
 * @param frequencyLossWeight weight of {@link VaeObjective#frequency}, an extra reconstruction
 *                        term on 2-D Fourier magnitudes of the decoder mean vs the clean target;
 *                        0 (and null) = off. Not part of the bound: evaluation still reports it.
 * @param featureLossWeight weight of {@link VaeObjective#featureMatching}, a term on the
 *                        activations of a frozen grade classifier trained on the same training
 *                        split ({@link VaeModel#useFeatureNetwork}); 0 (and null) = off. Not part
 *                        of the bound either.
 */
public record VaeConfig(
        int imageSize,
        int channels,
        int latentDim,
        int baseChannels,
        int numClasses,
        Likelihood likelihood,
        double fixedSigma,
        int corruptedCopies,
        int latentSamples,
        Norm norm,
        Boolean residual,
        Double frequencyLossWeight,
        Double featureLossWeight) {

    public static final int MIN_IMAGE_SIZE = 28;
    public static final int MAX_IMAGE_SIZE = 256;

    /**
     * Normalisation layers. Boxed/nullable fields above because Jackson 3 refuses a missing
     * primitive: model archives written before these options must still load, as the old model.
     */
    public enum Norm {
        /**
         * BatchNorm: batch statistics in training, running averages in evaluation and sampling, so a
         * sample is decoded by a slightly different function than the one trained (the default,
         * kept so that earlier results reproduce).
         */
        BATCH,
        /**
         * GroupNorm (Wu & He 2018): per image, over groups of channels; no running statistics, so
         * training and sampling compute the same function.
         */
        GROUP
    }

    public VaeConfig {
        norm = norm == null ? Norm.BATCH : norm;
        residual = residual != null && residual;
        frequencyLossWeight = frequencyLossWeight == null ? 0.0 : frequencyLossWeight;
        featureLossWeight = featureLossWeight == null ? 0.0 : featureLossWeight;
    }

    /** The architecture and objective used before the norm/residual/frequency options: BatchNorm, plain stages. */
    public VaeConfig(int imageSize, int channels, int latentDim, int baseChannels, int numClasses,
            Likelihood likelihood, double fixedSigma, int corruptedCopies, int latentSamples) {
        this(imageSize, channels, latentDim, baseChannels, numClasses, likelihood, fixedSigma, corruptedCopies,
                latentSamples, Norm.BATCH, false, 0.0, 0.0);
    }

    /** Decoder likelihoods. Images are in [0,1]. */
    public enum Likelihood {
        /** N(x; sigmoid(decoder), fixedSigma^2) per pixel. */
        GAUSSIAN_FIXED,
        /** N(x; sigmoid(decoder), sigma^2) with a per-pixel sigma predicted by the decoder. */
        GAUSSIAN_LEARNED,
        /** Bernoulli(x; sigmoid(decoder)), i.e. binary cross-entropy on [0,1] targets. */
        BERNOULLI
    }

    /** Unconditional DVAE/VAE: 3 channels, latent 64, base 32 channels, Gaussian sigma 0.1, K=M=1. */
    public static VaeConfig defaults(int imageSize) {
        return new VaeConfig(imageSize, 3, 64, 32, 0, Likelihood.GAUSSIAN_FIXED, 0.1, 1, 1);
    }

    public VaeConfig withNumClasses(int n) {
        return new VaeConfig(imageSize, channels, latentDim, baseChannels, n, likelihood, fixedSigma,
                corruptedCopies, latentSamples, norm,
                residual, frequencyLossWeight, featureLossWeight);
    }

    public VaeConfig withLikelihood(Likelihood l) {
        return new VaeConfig(imageSize, channels, latentDim, baseChannels, numClasses, l, fixedSigma,
                corruptedCopies, latentSamples, norm,
                residual, frequencyLossWeight, featureLossWeight);
    }

    public VaeConfig withSamples(int k, int m) {
        return new VaeConfig(imageSize, channels, latentDim, baseChannels, numClasses, likelihood,
                fixedSigma, k, m, norm,
                residual, frequencyLossWeight, featureLossWeight);
    }

    public VaeConfig withWidth(int latent, int base) {
        return new VaeConfig(imageSize, channels, latent, base, numClasses, likelihood, fixedSigma,
                corruptedCopies, latentSamples, norm,
                residual, frequencyLossWeight, featureLossWeight);
    }

    /** The same model with other normalisation, stages and frequency-loss weight. */
    public VaeConfig withArchitecture(Norm n, boolean res, double frequencyWeight) {
        return withArchitecture(n, res, frequencyWeight, featureLossWeight);
    }

    /** The same model with other normalisation, stages and frequency- and feature-loss weights. */
    public VaeConfig withArchitecture(Norm n, boolean res, double frequencyWeight, double featureWeight) {
        return new VaeConfig(imageSize, channels, latentDim, baseChannels, numClasses, likelihood, fixedSigma,
                corruptedCopies, latentSamples, n, res, frequencyWeight, featureWeight);
    }

    /**
     * Checks every field.
     *
     * @return this, for chaining
     * @throws IllegalArgumentException naming the first offending field
     */
    public VaeConfig validate() {
        if (imageSize < MIN_IMAGE_SIZE || imageSize > MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException("imageSize must be in [" + MIN_IMAGE_SIZE + ", "
                    + MAX_IMAGE_SIZE + "], was " + imageSize);
        }
        if (channels < 1 || channels > 4) {
            throw new IllegalArgumentException("channels must be in [1, 4], was " + channels);
        }
        if (latentDim < 1 || latentDim > 4096) {
            throw new IllegalArgumentException("latentDim must be in [1, 4096], was " + latentDim);
        }
        if (baseChannels < 4 || baseChannels > 512) {
            throw new IllegalArgumentException(
                    "baseChannels must be in [4, 512], was " + baseChannels);
        }
        if (numClasses < 0 || numClasses > 1000) {
            throw new IllegalArgumentException(
                    "numClasses must be 0 (unconditional) or in [1, 1000], was " + numClasses);
        }
        if (likelihood == null) {
            throw new IllegalArgumentException("likelihood must be set");
        }
        if (likelihood == Likelihood.GAUSSIAN_FIXED
                && !(fixedSigma > 0 && fixedSigma <= 10 && Double.isFinite(fixedSigma))) {
            throw new IllegalArgumentException(
                    "fixedSigma must be in (0, 10] for GAUSSIAN_FIXED, was " + fixedSigma);
        }
        if (corruptedCopies < 1 || corruptedCopies > 64) {
            throw new IllegalArgumentException(
                    "corruptedCopies (K) must be in [1, 64], was " + corruptedCopies);
        }
        if (latentSamples < 1 || latentSamples > 64) {
            throw new IllegalArgumentException(
                    "latentSamples (M) must be in [1, 64], was " + latentSamples);
        }
        if (residual && baseChannels < 16) {
            // the residual blocks' stride-1 3x3 convolutions output baseChannels channels at the
            // finest stage; see Architecture#computedOutputChannels for the libtorch CPU bug below 16
            throw new IllegalArgumentException(
                    "residual stages need baseChannels >= 16, was " + baseChannels);
        }
        if (!(frequencyLossWeight >= 0 && frequencyLossWeight <= 100)) {
            throw new IllegalArgumentException(
                    "frequencyLossWeight must be in [0, 100], was " + frequencyLossWeight);
        }
        if (!(featureLossWeight >= 0 && featureLossWeight <= 100)) {
            throw new IllegalArgumentException(
                    "featureLossWeight must be in [0, 100], was " + featureLossWeight);
        }
        return this;
    }
}
