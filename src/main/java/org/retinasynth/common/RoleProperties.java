package org.retinasynth.common;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param role {@code retinasynth.role}: {@code api}, {@code worker} or {@code all} (the default) */
@ConfigurationProperties("retinasynth")
public record RoleProperties(@DefaultValue("all") Role role) {
}
