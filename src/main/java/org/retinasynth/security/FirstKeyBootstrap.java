package org.retinasynth.security;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Makes a fresh install usable without a manual step: a configured key is registered, or, when
 * the database holds no key at all, one admin key is created and printed exactly once.
 */
@Component
class FirstKeyBootstrap implements ApplicationRunner {

    private final ApiKeyService keys;
    private final SecurityProperties properties;

    FirstKeyBootstrap(ApiKeyService keys, SecurityProperties properties) {
        this.keys = keys;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (properties.bootstrapKey() != null && !properties.bootstrapKey().isBlank()) {
            keys.register("admin", true, "bootstrap", properties.bootstrapKey().trim());
        } else if (properties.printFirstKey() && !keys.anyKeyExists()) {
            ApiKeyService.IssuedKey issued = keys.issue("admin", true, "first key");
            // Printed to the console, never to the log files: this is the only time it is shown.
            System.out.printf("%n=== RetinaSynth: first API key for owner 'admin' (shown once, store it) ===%n"
                    + "X-API-Key: %s%n%n", issued.key());
        }
    }
}
