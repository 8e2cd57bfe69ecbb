package org.retinasynth.training;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param progressSeconds  how often a running job writes its progress row
 * @param priorComponents  Gaussians per grade in the prior fitted to a finished model's training
 *                         posteriors (fewer where a grade has too few images for them)
 */
@ConfigurationProperties("retinasynth.training")
public record TrainingProperties(@DefaultValue("2") int progressSeconds, @DefaultValue("1") int priorComponents) {
}
