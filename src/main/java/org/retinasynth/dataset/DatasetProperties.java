package org.retinasynth.dataset;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Defaults for new datasets; each dataset records the values it was made with. */
@ConfigurationProperties("retinasynth.dataset")
public record DatasetProperties(@DefaultValue("64") int workingSize,
                                @DefaultValue("0.15") double valFraction,
                                @DefaultValue("0.15") double testFraction) {
}
