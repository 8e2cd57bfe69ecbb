package org.retinasynth.gc;

import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.storage.S3BlobStore;
import org.retinasynth.storage.S3Properties;

/** The collector over the S3 backend, against S3Proxy in this JVM. */
class S3BlobCollectorTest extends BlobCollectorContract {

    @RegisterExtension
    static final S3ProxyExtension S3 = S3ProxyExtension.builder()
            .withCredentials(AuthenticationType.AWS_V2_OR_V4, "test-access", "test-secret").build();

    @Override
    protected BlobStore newStore() {
        return new S3BlobStore(new S3Properties(S3.getUri(), "us-east-1", "blobs", "gc/", S3.getAccessKey(),
                S3.getSecretKey(), true, true));
    }
}
