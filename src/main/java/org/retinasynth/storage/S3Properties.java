package org.retinasynth.storage;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the S3 backend, used when {@code retinasynth.storage.type=s3}.
 *
 * @param endpoint     e.g. {@code http://minio:9000}; empty for AWS S3 itself
 * @param region       signing region (MinIO accepts any)
 * @param bucket       bucket shared by every API and worker instance
 * @param prefix       key prefix inside the bucket, e.g. {@code retinasynth/}
 * @param accessKey    static credentials; when empty the AWS default chain is used (environment,
 *                     web identity / IRSA, instance profile)
 * @param secretKey    see {@code accessKey}
 * @param pathStyle    {@code bucket} in the path rather than the host name, as MinIO expects
 * @param createBucket create the bucket at start-up when it is missing (compose, tests)
 */
@ConfigurationProperties("retinasynth.storage.s3")
public record S3Properties(URI endpoint,
                           @DefaultValue("us-east-1") String region,
                           String bucket,
                           @DefaultValue("") String prefix,
                           String accessKey,
                           String secretKey,
                           @DefaultValue("true") boolean pathStyle,
                           @DefaultValue("false") boolean createBucket) {
}
