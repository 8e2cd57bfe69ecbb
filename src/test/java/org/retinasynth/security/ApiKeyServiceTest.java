package org.retinasynth.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class ApiKeyServiceTest extends ApiTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Test
    void storesOnlyAHashOfTheKey() {
        ApiKeyService.IssuedKey issued = keys.issue("hash-check", false, "t");
        assertThat(keys.authenticate(issued.key())).contains(issued.owner());
        String stored = jdbc.sql("select key_hash from api_keys where id = ?").param(issued.keyId())
                .query(String.class).single();
        assertThat(stored).isEqualTo(ApiKeyService.hash(issued.key())).doesNotContain(issued.key().substring(4));
        assertThat(keys.authenticate(issued.key() + "x")).isEmpty();
        assertThat(keys.authenticate("not-even-prefixed")).isEmpty();
    }

    @Test
    void configuredKeysAreRegisteredOnceAndMustBeStrong() {
        String key = "rsk_configured-key-from-a-secret-0123456789";
        keys.register("ops", true, "bootstrap", key);
        keys.register("ops", true, "bootstrap", key);
        assertThat(keys.authenticate(key)).hasValueSatisfying(o -> assertThat(o.admin()).isTrue());
        assertThatThrownBy(() -> keys.register("ops", true, "weak", "rsk_short"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void firstKeyIsPrintedOnlyWhenNoneExists() {
        keys.issue("someone", false, "t");
        long before = jdbc.sql("select count(*) from api_keys").query(Long.class).single();
        new FirstKeyBootstrap(keys, new SecurityProperties(null, true)).run(null);
        assertThat(jdbc.sql("select count(*) from api_keys").query(Long.class).single()).isEqualTo(before);
    }
}
