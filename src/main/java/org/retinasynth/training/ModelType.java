package org.retinasynth.training;

/** DVAE: the encoder sees a corrupted copy and the decoder rebuilds the clean image; VAE: no corruption. */
public enum ModelType {
    VAE, DVAE
}
