package org.retinasynth.storage;

import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.retinasynth.common.ContentHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Blob store on S3-compatible object storage (AWS S3, MinIO), so that API and worker instances on
 * different nodes read and write the same blobs. Keys are {@code prefix + ab/cd/<sha256>}, the
 * local layout. A PUT becomes visible only once complete, so readers never see a torn blob, and
 * two instances writing the same key write the same bytes.
 *
 * <p>Re-putting a stored blob copies the object onto itself (server side, no bytes sent), which
 * sets its last-modified time to now, as a local re-put touches the file; see {@link #put}.
 */
@Component
@ConditionalOnProperty(name = "retinasynth.storage.type", havingValue = "s3")
public class S3BlobStore implements BlobStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(S3BlobStore.class);

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    @Autowired
    public S3BlobStore(S3Properties properties) {
        this(client(properties), properties.bucket(), properties.prefix());
        if (properties.createBucket()) {
            createBucketIfMissing();
        }
    }

    S3BlobStore(S3Client s3, String bucket, String prefix) {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("retinasynth.storage.s3.bucket is required with storage type s3");
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null ? "" : prefix;
    }

    static S3Client client(S3Properties p) {
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(p.region()))
                .forcePathStyle(p.pathStyle())
                .credentialsProvider(credentials(p))
                // Checksums only where S3 demands them: MinIO and other S3-compatible servers
                // reject or ignore the newer default trailing checksums. Content addressing
                // already lets any reader check a blob against its key.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (p.endpoint() != null) {
            b.endpointOverride(p.endpoint());
        }
        return b.build();
    }

    private static AwsCredentialsProvider credentials(S3Properties p) {
        if (p.accessKey() == null || p.accessKey().isBlank()) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKey(), p.secretKey()));
    }

    private void createBucketIfMissing() {
        try {
            s3.headBucket(r -> r.bucket(bucket));
        } catch (NoSuchBucketException e) {
            createBucket();
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw new StorageException("cannot reach bucket " + bucket + ": " + e.getMessage(), e);
            }
            createBucket();
        }
    }

    private void createBucket() {
        try {
            s3.createBucket(r -> r.bucket(bucket));
            log.info("created bucket {}", bucket);
        } catch (S3Exception e) {
            // Another instance starting at the same time may have won the race.
            if (e.statusCode() != 409) {
                throw new StorageException("cannot create bucket " + bucket + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String put(byte[] bytes) {
        String sha = ContentHash.sha256(bytes);
        if (exists(sha) && freshen(sha)) {
            return sha;
        }
        try {
            s3.putObject(r -> r.bucket(bucket).key(key(sha)).contentLength((long) bytes.length)
                    .contentType("application/octet-stream"), RequestBody.fromBytes(bytes));
            return sha;
        } catch (SdkException e) {
            throw new StorageException("could not store blob " + sha + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> get(String sha256) {
        String key = key(sha256);
        try {
            return Optional.of(s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new StorageException("could not read blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(String sha256) {
        String key = key(sha256);
        try {
            return s3.getObject(r -> r.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw new StorageException("could not open blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(String sha256) {
        String key = key(sha256);
        try {
            s3.headObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new StorageException("could not look up blob " + sha256 + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new StorageException("could not look up blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String sha256) {
        String key = key(sha256);
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw new StorageException("could not delete blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Stream<StoredBlob> list() {
        try {
            return s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents().stream()
                    .filter(o -> isBlobKey(o.key()))
                    .map(o -> new StoredBlob(sha256Of(o.key()), o.size(), o.lastModified()));
        } catch (SdkException e) {
            throw new StorageException("could not list blob store: " + e.getMessage(), e);
        }
    }

    /**
     * S3 has no rename to decide on a held object, so a writer re-putting the same bytes between
     * the HEAD and the DELETE here would lose its blob: a window of one round trip, and only for
     * bytes that no row named for longer than the grace period.
     */
    @Override
    public boolean deleteIfOlderThan(String sha256, Instant cutoff) {
        String key = key(sha256);
        try {
            HeadObjectResponse head;
            try {
                head = s3.headObject(r -> r.bucket(bucket).key(key));
            } catch (NoSuchKeyException e) {
                return false;
            }
            if (!head.lastModified().isBefore(cutoff)) {
                return false;
            }
            s3.deleteObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new StorageException("could not delete blob " + sha256 + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new StorageException("could not delete blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long totalBytes() {
        try (Stream<StoredBlob> blobs = list()) {
            return blobs.mapToLong(StoredBlob::bytes).sum();
        }
    }

    /** Sets a stored blob's last-modified time to now; false if it has gone meanwhile. */
    private boolean freshen(String sha256) {
        String key = key(sha256);
        try {
            s3.copyObject(r -> r.sourceBucket(bucket).sourceKey(key).destinationBucket(bucket).destinationKey(key)
                    .metadataDirective(MetadataDirective.REPLACE).contentType("application/octet-stream"));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new StorageException("could not touch blob " + sha256 + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new StorageException("could not touch blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    private boolean isBlobKey(String objectKey) {
        String rest = objectKey.substring(prefix.length());
        int slash = rest.lastIndexOf('/');
        String name = rest.substring(slash + 1);
        return ContentKeys.isKey(name) && rest.equals(ContentKeys.relativePath(name));
    }

    private String sha256Of(String objectKey) {
        return objectKey.substring(objectKey.lastIndexOf('/') + 1);
    }

    @Override
    public void close() {
        s3.close();
    }

    private String key(String sha256) {
        return prefix + ContentKeys.relativePath(sha256);
    }
}
