/**
 * Image corruptions with a severity in [0,1], shared by training and evaluation.
 *
 * <p>A denoising VAE (Im et al., AAAI 2017) is trained to reconstruct a clean fundus image x from a
 * corrupted copy x&#771; drawn from a corruption distribution q(x&#771;|x). The same corruptions,
 * at fixed severity levels, are what robustness evaluation measures against: pixel noise on one
 * side, and on the other the acquisition shifts seen when images come from different fundus cameras
 * (blur, defocus, JPEG, exposure, colour response, vignetting, uneven illumination). Keeping one
 * implementation for both uses means "trained on blur 0.5" and "evaluated at blur 0.5" mean the same
 * thing.
 *
 * <p>Images cross this package as plain {@code float[]} in CHW order (RGB, values in [0,1]) so the
 * training loop can corrupt a batch in place without allocating images; {@link
 * org.retinasynth.image.Img} converts from and to {@link java.awt.image.BufferedImage} at the
 * edges. Entry points: {@link org.retinasynth.corruption.CorruptionRegistry} (named corruptions),
 * {@link org.retinasynth.corruption.CorruptionSpec} (what a training job or an API call asks for),
 * {@link org.retinasynth.corruption.Protocols} (fixed evaluation settings).
 */
package org.retinasynth.corruption;
