package org.retinasynth.storage;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param root directory of the local blob store; created on start-up */
@ConfigurationProperties("retinasynth.storage")
public record StorageProperties(@DefaultValue("./data/blobs") Path root) {
}
