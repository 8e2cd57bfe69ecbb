/**
 * Metrics on plain numbers: classification metrics (accuracy, balanced accuracy, macro F1,
 * quadratic weighted kappa, one-vs-rest AUC), summaries and paired differences over seeds,
 * feature-space distances between real and generated images (Fréchet distance,
 * precision/recall/density/coverage), image fidelity (PSNR, SSIM) and a linear probe on frozen
 * features.
 *
 * <p>Kept apart from the study so that training can score its epochs without reaching the job
 * machinery. Dependency rule: plain Java on {@code double[]} / {@code float[]} plus Apache Commons
 * Math only; no Spring, no DJL, and nothing else from this service.
 */
package org.retinasynth.metrics;
