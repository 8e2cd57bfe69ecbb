package org.retinasynth.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param bootstrapKey   an admin key to accept (e.g. from a Secret); stored hashed on start-up
 * @param printFirstKey  when no key exists at all, create one and print it once (embedded default)
 */
@ConfigurationProperties("retinasynth.security")
public record SecurityProperties(String bootstrapKey, @DefaultValue("true") boolean printFirstKey) {
}
