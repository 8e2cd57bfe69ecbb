package org.retinasynth.generation;

/** One stored image of a generated set; {@code grade} is null for an unconditional model. */
public record GeneratedImage(int index, int chunk, Integer grade, String filename, String sha256) {
}
