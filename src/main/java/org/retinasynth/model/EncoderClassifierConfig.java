package org.retinasynth.model;

/**
 * Shape and regularisation of a grade classifier on a VAE's encoder ({@link EncoderClassifier}).
 *
 * @param encoder     the config of the VAE whose encoder it carries (image size, channels, stages)
 * @param classes     number of grades, >= 2
 * @param width       units of the head's hidden layer, 16..256
 * @param dropout     probability of zeroing each hidden unit before the output layer in training, [0, 0.9]
 * @param weightDecay decoupled weight decay of AdamW (0 = plain Adam), [0, 1]
 * @param frozen      false: the head reads the flattened encoder features and the encoder is trained
 *                    with it; true: the encoder and the VAE's posterior layer stay as they are and the
 *                    head reads the posterior mean encoded with grade 0 as the condition
 */
public record EncoderClassifierConfig(VaeConfig encoder, int classes, int width, double dropout,
                                      double weightDecay, boolean frozen) {

    /**
     * Checks every field.
     *
     * @return this, for chaining
     * @throws IllegalArgumentException naming the first offending field
     */
    public EncoderClassifierConfig validate() {
        if (encoder == null) {
            throw new IllegalArgumentException("encoder is required");
        }
        encoder.validate();
        ClassifierConfig.validateHead(classes, width, dropout, weightDecay);
        return this;
    }
}
