package org.retinasynth.model;

/**
 * Shape and regularisation of the downstream grade classifier ({@link ClassifierModel}).
 *
 * @param imageSize   side of the square input in pixels, 28..256
 * @param channels    image channels (3 for fundus photographs)
 * @param classes     number of grades, >= 2
 * @param width       channels of the stem and the first stage; stages 2 and 3 have 2x and 4x, so
 *                    the pooled features have {@code 4 * width} values. At least 16: libtorch 2.7.1's
 *                    oneDNN CPU convolutions gave nondeterministic (sometimes NaN) input gradients
 *                    with fewer than 16 output channels (see {@link Architecture})
 * @param dropout     probability of zeroing each pooled feature before the linear head in training
 *                    (inverted dropout), in [0, 0.9]
 * @param weightDecay decoupled weight decay of AdamW (0 = plain Adam), in [0, 1]
 */
public record ClassifierConfig(int imageSize, int channels, int classes, int width, double dropout,
        double weightDecay) {

    /** 3 channels, width 32 (features 128), dropout 0.2, weight decay 1e-4. */
    public static ClassifierConfig defaults(int imageSize, int classes) {
        return new ClassifierConfig(imageSize, 3, classes, 32, 0.2, 1e-4);
    }

    /**
     * Checks every field.
     *
     * @return this, for chaining
     * @throws IllegalArgumentException naming the first offending field
     */
    public ClassifierConfig validate() {
        if (imageSize < VaeConfig.MIN_IMAGE_SIZE || imageSize > VaeConfig.MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException("imageSize must be in [" + VaeConfig.MIN_IMAGE_SIZE + ", "
                    + VaeConfig.MAX_IMAGE_SIZE + "], was " + imageSize);
        }
        if (channels < 1 || channels > 4) {
            throw new IllegalArgumentException("channels must be in [1, 4], was " + channels);
        }
        validateHead(classes, width, dropout, weightDecay);
        return this;
    }

    /** The checks every grade classifier's head settings share, whatever feeds the head. */
    static void validateHead(int classes, int width, double dropout, double weightDecay) {
        if (classes < 2 || classes > 1000) {
            throw new IllegalArgumentException("classes must be in [2, 1000], was " + classes);
        }
        if (width < 16 || width > 256) {
            throw new IllegalArgumentException("width must be in [16, 256], was " + width);
        }
        if (!(dropout >= 0 && dropout <= 0.9)) {
            throw new IllegalArgumentException("dropout must be in [0, 0.9], was " + dropout);
        }
        if (!(weightDecay >= 0 && weightDecay <= 1)) {
            throw new IllegalArgumentException("weightDecay must be in [0, 1], was " + weightDecay);
        }
    }
}
