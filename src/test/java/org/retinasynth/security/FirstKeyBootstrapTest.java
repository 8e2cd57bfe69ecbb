package org.retinasynth.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.testsupport.IntegrationTest;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** A fresh embedded install prints one admin key, once; the next start prints none and the key still works. */
@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class FirstKeyBootstrapTest {

    private static final Pattern PRINTED = Pattern.compile("X-API-Key: (rsk_[A-Za-z0-9_-]+)");

    private static ConfigurableApplicationContext start(Path dataDir) {
        return new SpringApplicationBuilder(RetinaSynthApplication.class).web(WebApplicationType.NONE)
                .run("--retinasynth.data-dir=" + dataDir, "--retinasynth.role=api",
                        "--retinasynth.security.print-first-key=true", "--logging.level.root=WARN");
    }

    @Test
    void printsTheFirstKeyOnceOnAnEmptyDatabase(@TempDir Path dataDir, CapturedOutput output) {
        String key;
        try (var context = start(dataDir)) {
            Matcher m = PRINTED.matcher(output.getOut());
            assertThat(m.find()).as("first start prints a key").isTrue();
            key = m.group(1);
            assertThat(m.find()).as("printed once").isFalse();
            Owner owner = context.getBean(ApiKeyService.class).authenticate(key).orElseThrow();
            assertThat(owner.admin()).isTrue();
        }
        int printedBefore = output.getOut().length();
        try (var context = start(dataDir)) {
            assertThat(PRINTED.matcher(output.getOut().substring(printedBefore)).find()).isFalse();
            assertThat(context.getBean(ApiKeyService.class).authenticate(key)).isPresent();
        }
        assertThat(output.getAll()).as("the key never reaches the log lines").containsOnlyOnce(key);
    }
}
