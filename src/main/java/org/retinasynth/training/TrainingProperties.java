package org.retinasynth.training;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param progressSeconds how often a running job writes its progress row */
@ConfigurationProperties("retinasynth.training")
public record TrainingProperties(@DefaultValue("2") int progressSeconds) {
}
