/**
 * Evaluation of generated sets and of the classifiers trained on them: classification metrics
 * (accuracy, balanced accuracy, macro F1, quadratic weighted kappa, one-vs-rest AUC), summaries
 * and paired differences over seeds, feature-space distances between real and generated images
 * (Fréchet distance, precision/recall/density/coverage), image fidelity (PSNR, SSIM) and a linear
 * probe on frozen features.
 *
 * <p>Everything here is plain Java on {@code double[]} / {@code float[]} (no DJL); linear algebra and
 * distributions come from Apache Commons Math.
 */
package org.retinasynth.evaluation;
