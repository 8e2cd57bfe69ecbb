package org.retinasynth.model;

import java.util.Map;

/**
 * What training jobs, studies and generation ask of a generative model, in plain Java: images as
 * {@code float[]} in NCHW order with values in [0,1], labels as {@code int[]} grades in
 * {@code [0, numClasses)} (null for an unconditional model). Implementations live in this package
 * and are registered in {@link ModelRegistry}.
 */
public interface GenerativeModel extends ModelRegistry.Storable, AutoCloseable {

    /**
     * Losses of one training step, per clean image, in nats.
     *
     * @param loss      what the step minimised: reconstruction + klWeight x kl + the weighted
     *                  frequency term of a VAE that has one
     * @param frequency the unweighted Fourier-magnitude term (0 when the model has none)
     */
    record StepResult(double loss, double reconstruction, double kl, double frequency, double feature) {

        /** The negative bound (KL weight 1), whatever weight the step used. */
        public double negativeBound() {
            return reconstruction + kl;
        }
    }

    /** Negative bound and its parts on held-out data, per clean image, in nats (KL weight 1). */
    record Evaluation(double loss, double reconstruction, double kl) {}

    /** Side of the square images the model reads and writes. */
    int imageSize();

    /** 0 for an unconditional model, else the number of grades it is conditioned on. */
    int numClasses();

    int latentDim();

    /** K: corrupted copies per clean image that a denoising {@link #trainStep} expects. */
    int corruptedCopies();

    /**
     * One optimiser step on the negative (denoising) bound.
     *
     * @param corrupted K x B corrupted copies (copy k of image i at block k), or null for the plain VAE
     * @param klWeight  beta, the weight of the KL term (KL warm-up), >= 0
     * @throws NonFiniteLossException if the loss is not finite; the model is then unchanged
     */
    StepResult trainStep(float[] clean, float[] corrupted, int[] labels, int batch, double klWeight);

    /** Negative bound on held-out data: eval mode, no gradients, KL weight 1, fixed noise. */
    Evaluation evaluate(float[] clean, float[] corrupted, int[] labels, int batch);

    /** Posterior parameters, eval mode: {@code [mean, logVariance]}, each B x latent. */
    float[][] encode(float[] input, int[] labels, int batch);

    /** Posterior mean -> decoder mean, eval mode. */
    float[] reconstruct(float[] input, int[] labels, int batch);

    /** Prior samples z ~ N(0, temperature^2 I) -> decoder mean, eval mode. */
    float[] sample(int n, int[] labels, double temperature, long seed);

    /** Importance-weighted estimate of log p(x) per image in nats. */
    double[] importanceWeightedLogLikelihood(float[] images, int[] labels, int n, int samples, long seed);

    /** Multiply-accumulate operations of one forward pass (encoder and decoder) of one image. */
    long flopsPerImage();

    /** Layer plan as text. */
    String describe();

    String device();

    long seed();

    long steps();

    long parameterCount();

    void setLearningRate(double lr);

    Map<String, Object> provenance();

    @Override
    void close();
}
