package org.retinasynth.security;

import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.retinasynth.common.ConflictException;
import org.retinasynth.common.ContentHash;
import org.retinasynth.common.NotFoundException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Issues and checks API keys. A key is 32 random bytes; only its sha256 is stored, which is
 * enough for keys with that much entropy (no slow hash needed, and look-up stays one index hit).
 */
@Service
public class ApiKeyService {

    public static final String KEY_PREFIX = "rsk_";

    /** A key as shown once at creation; {@code key} is never stored. */
    public record IssuedKey(String keyId, Owner owner, String key) {
    }

    /** A key as listed: never the key itself, only its first characters. */
    public record KeyInfo(String id, String ownerName, boolean admin, String prefix, String label,
                          OffsetDateTime createdAt, OffsetDateTime revokedAt) {
    }

    private static final String KEY_INFO = """
            select k.id, o.name as owner_name, o.admin, k.prefix, k.label, k.created_at, k.revoked_at
            from api_keys k join owners o on o.id = k.owner_id""";

    private final JdbcClient jdbc;
    private final SecureRandom random = new SecureRandom();

    public ApiKeyService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Owner> authenticate(String key) {
        if (key == null || !key.startsWith(KEY_PREFIX)) {
            return Optional.empty();
        }
        return jdbc.sql("""
                        select o.id, o.name, o.admin from api_keys k join owners o on o.id = k.owner_id
                        where k.key_hash = ? and k.revoked_at is null""")
                .param(hash(key))
                .query((rs, n) -> new Owner(rs.getString(1), rs.getString(2), rs.getBoolean(3)))
                .optional();
    }

    /** Creates the owner if needed, then a fresh key for it. */
    @Transactional
    public IssuedKey issue(String ownerName, boolean admin, String label) {
        String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes());
        return store(ownerName, admin, label, key);
    }

    /** Registers a key chosen outside (e.g. a Kubernetes Secret); idempotent. */
    @Transactional
    public void register(String ownerName, boolean admin, String label, String key) {
        if (!key.startsWith(KEY_PREFIX) || key.length() < KEY_PREFIX.length() + 24) {
            throw new IllegalArgumentException("a configured API key must start with '" + KEY_PREFIX
                    + "' and have at least 24 characters after it");
        }
        if (authenticate(key).isEmpty()) {
            store(ownerName, admin, label, key);
        }
    }

    public boolean anyKeyExists() {
        return jdbc.sql("select count(*) from api_keys").query(Long.class).single() > 0;
    }

    public List<KeyInfo> list() {
        return jdbc.sql(KEY_INFO + " order by k.created_at").query(KeyInfo.class).list();
    }

    /** What {@code who} may see: every key for an admin, otherwise the owner's own keys. */
    public List<KeyInfo> visibleTo(Owner who) {
        return who.admin() ? list()
                : jdbc.sql(KEY_INFO + " where o.id = ? order by k.created_at").param(who.id())
                        .query(KeyInfo.class).list();
    }

    /**
     * Revokes a key visible to {@code who} (an admin: any key; others: their own). The last
     * active admin key cannot be revoked, or nobody could manage keys any more.
     */
    @Transactional
    public KeyInfo revoke(Owner who, String keyId) {
        KeyInfo key = visibleTo(who).stream().filter(k -> k.id().equals(keyId)).findFirst()
                .orElseThrow(() -> new NotFoundException("API key", keyId));
        if (key.revokedAt() != null) {
            return key;
        }
        boolean adminKey = jdbc.sql("select o.admin from api_keys k join owners o on o.id = k.owner_id where k.id = ?")
                .param(keyId).query(Boolean.class).single();
        long activeAdminKeys = jdbc.sql("""
                        select count(*) from api_keys k join owners o on o.id = k.owner_id
                        where o.admin and k.revoked_at is null""").query(Long.class).single();
        if (adminKey && activeAdminKeys <= 1) {
            throw new ConflictException("this is the last active admin key: create another admin key first");
        }
        jdbc.sql("update api_keys set revoked_at = ? where id = ? and revoked_at is null").params(now(), keyId).update();
        return visibleTo(who).stream().filter(k -> k.id().equals(keyId)).findFirst().orElseThrow();
    }

    private IssuedKey store(String ownerName, boolean admin, String label, String key) {
        Owner owner = jdbc.sql("select id, name, admin from owners where name = ?").param(ownerName)
                .query((rs, n) -> new Owner(rs.getString(1), rs.getString(2), rs.getBoolean(3)))
                .optional()
                .orElseGet(() -> createOwner(ownerName, admin));
        String id = UUID.randomUUID().toString();
        jdbc.sql("insert into api_keys (id, owner_id, key_hash, prefix, label, created_at) values (?,?,?,?,?,?)")
                .params(id, owner.id(), hash(key), key.substring(0, 10), label, now())
                .update();
        return new IssuedKey(id, owner, key);
    }

    private Owner createOwner(String name, boolean admin) {
        Owner owner = new Owner(UUID.randomUUID().toString(), name, admin);
        jdbc.sql("insert into owners (id, name, admin, created_at) values (?,?,?,?)")
                .params(owner.id(), name, admin, now())
                .update();
        return owner;
    }

    private byte[] randomBytes() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return b;
    }

    static String hash(String key) {
        return ContentHash.sha256(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
