package org.retinasynth.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.retinasynth.common.ContentHash;
import org.retinasynth.storage.BlobStore;

/**
 * The collector over each store backend: orphans (a killed upload's blobs, a deleted study's) go
 * once older than the grace period, and every blob some row names survives byte for byte.
 */
abstract class BlobCollectorContract {

    static final Duration GRACE = Duration.ofHours(1);
    /** Two hours on: every blob written by the test is older than the grace period. */
    static final Clock LATER = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));

    protected abstract BlobStore newStore();

    GcDatabase db;
    BlobStore store;
    Map<String, String> referenced;
    List<String> orphans;

    @BeforeEach
    void world() {
        db = new GcDatabase();
        store = newStore();
        referenced = db.referencedWorld(store);
        orphans = new ArrayList<>();
        // a killed upload: its blobs were stored, the rows naming them never committed
        orphans.add(GcDatabase.put(store, "killed upload original"));
        orphans.add(GcDatabase.put(store, "killed upload processed"));
        // a deleted study: its rows go, the report's figure is named nowhere else
        Map<String, String> study = db.study(store, db.ownerId(), db.datasetId(), "deleted");
        db.jdbc.sql("delete from jobs where id = ?").param(study.get("study id")).update();
        orphans.add(study.get("study report figure"));
        orphans.add(study.get("studies.report_sha256"));
        orphans.add(study.get("study_units.blob_sha256"));
    }

    @Test
    void theWorldNamesABlobInEveryPlaceTheReferencesList() {
        assertThat(referenced.keySet()).containsAll(
                BlobReferences.HASH_COLUMNS.stream().map(c -> c.table() + "." + c.column()).toList());
        assertThat(referenced.values()).doesNotHaveDuplicates().allSatisfy(k -> assertThat(store.exists(k)).isTrue());
    }

    @Test
    void orphansAreCollectedOnlyAfterTheGracePeriod() {
        GcReport now = collector(store, Clock.systemUTC()).sweep(false, GRACE);
        assertThat(now.deleted()).isZero();
        assertThat(now.youngerThanGraceKept()).isEqualTo(orphans.size());
        assertThat(orphans).allSatisfy(k -> assertThat(store.exists(k)).isTrue());

        long orphanBytes = orphans.stream().mapToLong(k -> store.get(k).orElseThrow().length).sum();
        GcReport later = collector(store, LATER).sweep(false, GRACE);
        assertThat(later.scanned()).isEqualTo(referenced.size() + orphans.size());
        assertThat(later.referenced()).isEqualTo(referenced.size());
        assertThat(later.candidates()).isEqualTo(orphans.size());
        assertThat(later.deleted()).isEqualTo(orphans.size());
        assertThat(later.bytesFreed()).isEqualTo(orphanBytes).isEqualTo(later.candidateBytes());
        assertThat(orphans).allSatisfy(k -> assertThat(store.exists(k)).as(k).isFalse());
        assertReferencedIntact();
    }

    @Test
    void aDryRunReportsWhatASweepWouldFreeAndDeletesNothing() {
        long orphanBytes = orphans.stream().mapToLong(k -> store.get(k).orElseThrow().length).sum();
        GcReport dry = collector(store, LATER).sweep(true, GRACE);
        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.candidates()).isEqualTo(orphans.size());
        assertThat(dry.candidateBytes()).isEqualTo(orphanBytes);
        assertThat(dry.deleted()).isZero();
        assertThat(orphans).allSatisfy(k -> assertThat(store.exists(k)).isTrue());
    }

    /** A sweep stops dead after two deletes (as a kill -9 would stop it): nothing referenced is touched. */
    @Test
    void aSweepKilledMidwayLeavesEveryReferencedBlobIntact() {
        BlobStore dying = new DyingStore(store, 2);
        assertThatThrownBy(() -> collector(dying, LATER).sweep(false, GRACE)).hasMessageContaining("killed");
        assertReferencedIntact();
        assertThat(orphans.stream().filter(store::exists)).hasSize(orphans.size() - 2);

        GcReport next = collector(store, LATER).sweep(false, GRACE);
        assertThat(next.deleted()).isEqualTo(orphans.size() - 2);
        assertReferencedIntact();
        assertThat(orphans).noneMatch(store::exists);
    }

    /** A row committed after the mark that names an old blob without putting it (a generation naming a model). */
    @Test
    void aRowCommittedAfterTheMarkKeepsItsBlob() {
        String adopted = orphans.get(0);
        BlobStore racing = new ListingHook(store, () -> {
            String generation = db.job(db.ownerId(), null, "generation-job", null, null);
            db.jdbc.sql("insert into generations (id, model_job_id, model_sha256, plan, total_images) "
                    + "values (?, 'x', ?, '{}', 1)").params(generation, adopted).update();
        });
        GcReport report = collector(racing, LATER).sweep(false, GRACE);
        assertThat(report.candidates()).isEqualTo(orphans.size());
        assertThat(report.deleted()).isEqualTo(orphans.size() - 1);
        assertThat(store.get(adopted)).hasValueSatisfying(b -> assertThat(ContentHash.sha256(b)).isEqualTo(adopted));
    }

    BlobCollector collector(BlobStore s, Clock clock) {
        return new BlobCollector(s, db.references(s), clock);
    }

    void assertReferencedIntact() {
        referenced.forEach((place, key) -> assertThat(store.get(key)).as(place)
                .hasValueSatisfying(b -> assertThat(ContentHash.sha256(b)).as(place).isEqualTo(key)));
    }

    /** Delegates everything; subclasses change one thing. */
    static class Delegating implements BlobStore {
        final BlobStore d;

        Delegating(BlobStore d) {
            this.d = d;
        }

        @Override
        public String put(byte[] bytes) {
            return d.put(bytes);
        }

        @Override
        public Optional<byte[]> get(String sha256) {
            return d.get(sha256);
        }

        @Override
        public InputStream open(String sha256) {
            return d.open(sha256);
        }

        @Override
        public boolean exists(String sha256) {
            return d.exists(sha256);
        }

        @Override
        public void delete(String sha256) {
            d.delete(sha256);
        }

        @Override
        public Stream<StoredBlob> list() {
            return d.list();
        }

        @Override
        public boolean deleteIfOlderThan(String sha256, Instant cutoff) {
            return d.deleteIfOlderThan(sha256, cutoff);
        }

        @Override
        public long totalBytes() {
            return d.totalBytes();
        }
    }

    /** Dies on the delete after {@code survive} deletes. */
    static final class DyingStore extends Delegating {
        private final AtomicInteger left;

        DyingStore(BlobStore d, int survive) {
            super(d);
            this.left = new AtomicInteger(survive);
        }

        @Override
        public boolean deleteIfOlderThan(String sha256, Instant cutoff) {
            if (left.getAndDecrement() <= 0) {
                throw new IllegalStateException("killed");
            }
            return super.deleteIfOlderThan(sha256, cutoff);
        }
    }

    /** Runs {@code hook} when the sweep starts listing, i.e. just after the mark. */
    static final class ListingHook extends Delegating {
        private final Runnable hook;

        ListingHook(BlobStore d, Runnable hook) {
            super(d);
            this.hook = hook;
        }

        @Override
        public Stream<StoredBlob> list() {
            hook.run();
            return super.list();
        }
    }
}
