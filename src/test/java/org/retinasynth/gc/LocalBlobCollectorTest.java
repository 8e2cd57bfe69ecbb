package org.retinasynth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.storage.LocalBlobStore;
import org.retinasynth.storage.StorageProperties;

class LocalBlobCollectorTest extends BlobCollectorContract {

    @TempDir
    Path root;

    @Override
    protected BlobStore newStore() {
        return new LocalBlobStore(new StorageProperties(root));
    }

    /**
     * An upload re-putting the bytes of an old orphan just as the sweep comes to delete it (its row
     * not committed yet) keeps the blob: the re-put makes it new, and the delete sees that.
     */
    @Test
    void anUploadReputtingAnOldOrphanDuringTheSweepKeepsIt() throws Exception {
        ageEverything(Duration.ofHours(2));
        String reput = orphans.get(0);
        byte[] bytes = store.get(reput).orElseThrow();
        BlobStore racing = new Delegating(store) {
            @Override
            public boolean deleteIfOlderThan(String sha256, Instant cutoff) {
                if (sha256.equals(reput)) {
                    store.put(bytes);
                }
                return super.deleteIfOlderThan(sha256, cutoff);
            }
        };
        GcReport report = collector(racing, Clock.systemUTC()).sweep(false, GRACE);
        assertThat(report.candidates()).isEqualTo(orphans.size());
        assertThat(report.deleted()).isEqualTo(orphans.size() - 1);
        assertThat(store.get(reput)).contains(bytes);
        assertReferencedIntact();
        assertThat(root.resolve("trash")).isEmptyDirectory();
    }

    private void ageEverything(Duration by) throws Exception {
        FileTime old = FileTime.from(Instant.now().minus(by));
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(p, old);
            }
        }
    }
}
