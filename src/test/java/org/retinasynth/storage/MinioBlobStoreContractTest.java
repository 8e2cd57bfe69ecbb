package org.retinasynth.storage;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.retinasynth.testsupport.IntegrationTest;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;

/**
 * The S3 backend against a real MinIO server in a container. Needs a Docker engine; without one
 * every test here is reported as skipped (JUnit assumption), never as passed.
 */
@IntegrationTest
public class MinioBlobStoreContractTest extends BlobStoreContract {

    /** The image docker-compose.yml runs, so the test covers the deployed server. */
    public static final String IMAGE = "minio/minio:RELEASE.2025-04-22T22-12-26Z";

    private static MinIOContainer minio;

    /** Per test, so that each one shows up as skipped (not as nothing) in the report. */
    @BeforeEach
    void startMinio() {
        assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "SKIPPED: no Docker engine, so the MinIO container test did not run");
        if (minio == null) {
            minio = new MinIOContainer(IMAGE);
            minio.start();
        }
    }

    @AfterAll
    static void stopMinio() {
        if (minio != null) {
            minio.stop();
        }
    }

    @Override
    protected BlobStore newStore() {
        return new S3BlobStore(new S3Properties(URI.create(minio.getS3URL()), "us-east-1", "blobs",
                "t-" + testRun + "/", minio.getUserName(), minio.getPassword(), true, true));
    }

    private final String testRun = UUID.randomUUID().toString().substring(0, 8);
}
