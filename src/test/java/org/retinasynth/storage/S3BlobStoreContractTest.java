package org.retinasynth.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 backend against S3Proxy, an S3 server started in this JVM (fresh per test), SigV4-signed. */
class S3BlobStoreContractTest extends BlobStoreContract {

    @RegisterExtension
    static final S3ProxyExtension S3 = S3ProxyExtension.builder()
            .withCredentials(AuthenticationType.AWS_V2_OR_V4, "test-access", "test-secret").build();

    private S3Properties properties(String prefix) {
        return new S3Properties(S3.getUri(), "us-east-1", "blobs", prefix, S3.getAccessKey(), S3.getSecretKey(),
                true, true);
    }

    @Override
    protected BlobStore newStore() {
        return new S3BlobStore(properties("retinasynth/"));
    }

    @Test
    void keysFollowTheLocalLayoutUnderThePrefix() {
        BlobStore store = newStore();
        String sha = store.put("layout".getBytes(StandardCharsets.UTF_8));
        try (S3Client raw = S3BlobStore.client(properties(""))) {
            var head = raw.headObject(r -> r.bucket("blobs")
                    .key("retinasynth/" + sha.substring(0, 2) + "/" + sha.substring(2, 4) + "/" + sha));
            assertThat(head.contentLength()).isEqualTo(6);
        }
    }

    @Test
    void prefixesSeparateStoresInOneBucket() {
        BlobStore a = new S3BlobStore(properties("a/"));
        BlobStore b = new S3BlobStore(properties("b/"));
        String key = a.put(new byte[] {9, 9, 9, 9});
        assertThat(b.exists(key)).isFalse();
        assertThat(b.totalBytes()).isZero();
        assertThat(a.totalBytes()).isEqualTo(4);
    }

    @Test
    void wrongCredentialsAreAStorageError() {
        var bad = new S3Properties(S3.getUri(), "us-east-1", "blobs", "", S3.getAccessKey(), "wrong-secret", true,
                false);
        newStore(); // creates the bucket
        BlobStore store = new S3BlobStore(bad);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.put(new byte[] {1}))
                .isInstanceOf(StorageException.class);
    }
}
