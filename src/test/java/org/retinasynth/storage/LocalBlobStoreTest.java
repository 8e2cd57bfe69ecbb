package org.retinasynth.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinasynth.common.ContentHash;

class LocalBlobStoreTest {

    @TempDir
    Path root;

    @Test
    void storesByContentHashAndDeduplicates() {
        LocalBlobStore store = new LocalBlobStore(new StorageProperties(root));
        byte[] bytes = "fundus".getBytes(StandardCharsets.UTF_8);
        String key = store.put(bytes);
        assertThat(key).isEqualTo(ContentHash.sha256(bytes));
        assertThat(root.resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key)).hasBinaryContent(bytes);
        assertThat(store.put(bytes)).isEqualTo(key);
        assertThat(store.get(key)).contains(bytes);
        assertThat(store.totalBytes()).isEqualTo(bytes.length);
        store.delete(key);
        assertThat(store.exists(key)).isFalse();
        assertThat(store.get(key)).isEmpty();
    }

    @Test
    void knownDigest() {
        assertThat(ContentHash.sha256("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void partialWritesOfADeadProcessAreClearedAndNeverVisible() throws Exception {
        Files.createDirectories(root.resolve("tmp"));
        Path partial = Files.writeString(root.resolve("tmp").resolve("abcd1234.part"), "half a blo");
        LocalBlobStore store = new LocalBlobStore(new StorageProperties(root));
        assertThat(partial).doesNotExist();
        assertThat(store.totalBytes()).isZero();
    }

    /** A sweep killed between moving a blob aside and deciding must not lose it. */
    @Test
    void blobsLeftInTheTrashByAKilledSweepGoBack() throws Exception {
        byte[] bytes = "held by a sweep".getBytes(StandardCharsets.UTF_8);
        String key = ContentHash.sha256(bytes);
        Files.createDirectories(root.resolve("trash"));
        Files.write(root.resolve("trash").resolve(key), bytes);
        LocalBlobStore store = new LocalBlobStore(new StorageProperties(root));
        assertThat(store.get(key)).contains(bytes);
        assertThat(root.resolve("trash")).isEmptyDirectory();
        assertThat(store.totalBytes()).isEqualTo(bytes.length);
    }

    @Test
    void refusesKeysThatAreNotHashes() {
        LocalBlobStore store = new LocalBlobStore(new StorageProperties(root));
        assertThatThrownBy(() -> store.get("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void putAllKeepsOrderAndReportsTheFirstFailure() throws Exception {
        LocalBlobStore store = new LocalBlobStore(new StorageProperties(root));
        java.util.List<byte[]> blobs = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            blobs.add(("blob " + i).getBytes(StandardCharsets.UTF_8));
        }
        blobs.add(blobs.get(3)); // duplicates are stored once
        java.util.List<String> keys = store.putAll(blobs);
        for (int i = 0; i < blobs.size(); i++) {
            assertThat(keys.get(i)).isEqualTo(ContentHash.sha256(blobs.get(i)));
            assertThat(store.get(keys.get(i))).contains(blobs.get(i));
        }

        BlobStore failing = new LocalBlobStore(new StorageProperties(root.resolve("other"))) {
            @Override
            public String put(byte[] bytes) {
                if (bytes.length == 0) {
                    throw new StorageException("disk full", null);
                }
                return super.put(bytes);
            }
        };
        assertThatThrownBy(() -> failing.putAll(java.util.List.of(new byte[1], new byte[0])))
                .isInstanceOf(StorageException.class).hasMessage("disk full");
    }

    @Test
    void aFullDiskGivesAClearErrorAndLeavesNoPartialBlob() throws Exception {
        try (java.nio.file.FileSystem small = com.google.common.jimfs.Jimfs.newFileSystem(
                com.google.common.jimfs.Configuration.unix().toBuilder().setMaxSize(256 * 1024).build())) {
            LocalBlobStore store = new LocalBlobStore(new StorageProperties(small.getPath("/blobs")));
            java.util.Random random = new java.util.Random(1);
            java.util.List<String> stored = new java.util.ArrayList<>();
            StorageException full = null;
            for (int i = 0; i < 100 && full == null; i++) {
                byte[] blob = new byte[20_000];
                random.nextBytes(blob);
                try {
                    stored.add(store.put(blob));
                } catch (StorageException e) {
                    full = e;
                }
            }
            assertThat(full).as("the small disk fills up").isNotNull();
            assertThat(full.getMessage()).startsWith("could not store blob");
            assertThat(stored).isNotEmpty();
            try (var temps = Files.list(small.getPath("/blobs/tmp"))) {
                assertThat(temps).as("no temp file left behind").isEmpty();
            }
            try (var files = Files.walk(small.getPath("/blobs"))) {
                assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(stored.size());
            }
            for (String key : stored) {
                assertThat(ContentHash.sha256(store.get(key).orElseThrow())).isEqualTo(key);
            }
        }
    }
}
