package org.retinasynth.training;

/**
 * One epoch of history. Losses are the negative (denoising) variational bound per image in nats;
 * {@code valPsnr} scores reconstructions of clean validation images, {@code valPsnrCorrupted}
 * reconstructions of corrupted ones against the clean originals (denoising PSNR); both in dB,
 * per image then averaged.
 */
public record EpochMetrics(int epoch, double trainLoss, double trainReconstruction, double trainKl, Double valLoss,
                           Double valReconstruction, Double valKl, Double valPsnr, Double valPsnrCorrupted,
                           double learningRate, double klWeight, double seconds) {
}
