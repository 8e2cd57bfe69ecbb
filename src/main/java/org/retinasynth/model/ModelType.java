package org.retinasynth.model;

/**
 * The generative models a training job can ask for, each a registry entry plus how it is trained.
 * DVAE: the encoder sees K corrupted copies and the decoder rebuilds the clean image; VAE: no
 * corruption, K = 1.
 */
public enum ModelType {
    VAE(ModelRegistry.VAE, false),
    DVAE(ModelRegistry.VAE, true);

    private final ModelRegistry.Entry<VaeConfig, VaeModel> entry;
    private final boolean denoising;

    ModelType(ModelRegistry.Entry<VaeConfig, VaeModel> entry, boolean denoising) {
        this.entry = entry;
        this.denoising = denoising;
    }

    /** How models of this type are built, validated and stored. */
    public ModelRegistry.Entry<VaeConfig, VaeModel> entry() {
        return entry;
    }

    /** Whether the encoder is fed corrupted copies (a corruption is then required). */
    public boolean denoising() {
        return denoising;
    }

    /** K as this type trains with it: what was asked for when denoising, else 1. */
    public int corruptedCopies(int requested) {
        return denoising ? requested : 1;
    }

    /** Whether a requested K is one this type can train with. */
    public boolean allowsCorruptedCopies(int requested) {
        return denoising || requested == 1;
    }
}
