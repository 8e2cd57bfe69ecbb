/**
 * The image type every capability shares: {@link org.retinasynth.image.Img}, RGB as CHW floats
 * in [0,1], with the conversions from and to {@link java.awt.image.BufferedImage}.
 *
 * <p>Its own package because corruptions, training, generation and the study all exchange images
 * and none of them should own the type the others depend on. Dependency rule: the JDK only.
 */
package org.retinasynth.image;
