package org.retinasynth.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.retinasynth.common.ContentHash;

/**
 * What every {@link BlobStore} backend promises, run against each of them. {@link #newStore()}
 * returns a fresh handle on the same, initially empty, backing store each time it is called, as
 * two instances on different nodes would have.
 */
abstract class BlobStoreContract {

    protected abstract BlobStore newStore();

    @Test
    void storesByContentHashAndDeduplicates() throws Exception {
        BlobStore store = newStore();
        byte[] bytes = "fundus".getBytes(StandardCharsets.UTF_8);
        String key = store.put(bytes);
        assertThat(key).isEqualTo(ContentHash.sha256(bytes));
        assertThat(store.put(bytes)).isEqualTo(key);
        assertThat(store.exists(key)).isTrue();
        assertThat(store.get(key)).contains(bytes);
        try (InputStream in = store.open(key)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(store.totalBytes()).isEqualTo(bytes.length);
    }

    @Test
    void deleteRemovesAndIgnoresAbsentBlobs() {
        BlobStore store = newStore();
        String key = store.put(new byte[] {1, 2, 3});
        store.delete(key);
        assertThat(store.exists(key)).isFalse();
        assertThat(store.get(key)).isEmpty();
        assertThat(store.totalBytes()).isZero();
        store.delete(key);
        assertThatThrownBy(() -> store.open(key)).isInstanceOf(StorageException.class);
    }

    @Test
    void refusesKeysThatAreNotHashes() {
        BlobStore store = newStore();
        for (String bad : List.of("../../etc/passwd", "ABCDEF", "a".repeat(63), "g".repeat(64))) {
            assertThatThrownBy(() -> store.get(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.exists(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void largeBlobsRoundTripByteForByte() {
        BlobStore store = newStore();
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(big);
        String key = store.put(big);
        assertThat(key).isEqualTo(ContentHash.sha256(big));
        assertThat(store.get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(big));
    }

    @Test
    void putAllKeepsOrder() {
        BlobStore store = newStore();
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            blobs.add(("blob " + i).getBytes(StandardCharsets.UTF_8));
        }
        blobs.add(blobs.get(3));
        List<String> keys = store.putAll(blobs);
        for (int i = 0; i < blobs.size(); i++) {
            assertThat(keys.get(i)).isEqualTo(ContentHash.sha256(blobs.get(i)));
            assertThat(store.get(keys.get(i))).contains(blobs.get(i));
        }
        assertThat(store.totalBytes()).isEqualTo(blobs.subList(0, 40).stream().mapToLong(b -> b.length).sum());
    }

    /** API and workers on different nodes: what one writes, the other reads; racing writers agree. */
    @Test
    void instancesSharingTheBackendSeeEachOthersBlobs() throws Exception {
        BlobStore a = newStore();
        BlobStore b = newStore();
        byte[] bytes = new byte[256 * 1024];
        new Random(11).nextBytes(bytes);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<String>> writers = List.of(() -> a.put(bytes), () -> b.put(bytes), () -> a.put(bytes),
                    () -> b.put(bytes));
            List<String> keys = new ArrayList<>();
            for (Future<String> f : pool.invokeAll(writers)) {
                keys.add(f.get());
            }
            assertThat(keys).containsOnly(ContentHash.sha256(bytes));
        } finally {
            pool.shutdownNow();
        }
        assertThat(b.get(ContentHash.sha256(bytes))).hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
        assertThat(a.totalBytes()).isEqualTo(bytes.length);
        assertThat(b.totalBytes()).isEqualTo(bytes.length);
    }

    @Test
    void listsEveryBlobWithItsSizeAndTime() {
        BlobStore store = newStore();
        java.time.Instant before = java.time.Instant.now().minusSeconds(60);
        String a = store.put(new byte[] {1, 2, 3});
        String b = store.put(new byte[1000]);
        List<BlobStore.StoredBlob> listed;
        try (var s = store.list()) {
            listed = s.toList();
        }
        assertThat(listed).extracting(BlobStore.StoredBlob::sha256).containsExactlyInAnyOrder(a, b);
        assertThat(listed).filteredOn(x -> x.sha256().equals(b)).singleElement()
                .satisfies(x -> assertThat(x.bytes()).isEqualTo(1000));
        assertThat(listed).allSatisfy(x -> assertThat(x.lastModified()).isAfter(before)
                .isBefore(java.time.Instant.now().plusSeconds(60)));
    }

    /** A re-put makes the blob new again, so a sweep does not take it for long unreferenced. */
    @Test
    void reputtingABlobMakesItNewAgain() throws Exception {
        BlobStore store = newStore();
        byte[] bytes = "again".getBytes(StandardCharsets.UTF_8);
        String key = store.put(bytes);
        java.time.Instant first = lastModified(store, key);
        Thread.sleep(1100); // S3 keeps whole seconds
        assertThat(store.put(bytes)).isEqualTo(key);
        assertThat(lastModified(store, key)).isAfter(first);
        assertThat(store.get(key)).contains(bytes);
    }

    @Test
    void deleteIfOlderThanSparesWhatWasWrittenSinceTheCutoff() {
        BlobStore store = newStore();
        String key = store.put(new byte[] {4, 5, 6});
        java.time.Instant written = lastModified(store, key);
        assertThat(store.deleteIfOlderThan(key, written)).isFalse();
        assertThat(store.get(key)).contains(new byte[] {4, 5, 6});
        assertThat(store.deleteIfOlderThan(key, written.plusSeconds(1))).isTrue();
        assertThat(store.exists(key)).isFalse();
        assertThat(store.deleteIfOlderThan(key, written.plusSeconds(1))).isFalse();
    }

    private static java.time.Instant lastModified(BlobStore store, String key) {
        try (var s = store.list()) {
            return s.filter(b -> b.sha256().equals(key)).findFirst().orElseThrow().lastModified();
        }
    }
}
