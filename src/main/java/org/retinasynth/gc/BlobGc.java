package org.retinasynth.gc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.retinasynth.common.ConflictException;
import org.retinasynth.jobs.JobQueue;
import org.retinasynth.storage.BlobStore;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Blob garbage collection as the service offers it: dry runs on request, real sweeps on one worker
 * at a time (the {@link BlobGcTask} schedule, or moved to now on request), each report kept in
 * {@code blob_gc_runs} for every instance to show and in this instance's metrics:
 * {@code retinasynth.gc.deleted.blobs} and {@code retinasynth.gc.freed.bytes} (counters), and
 * per mode ({@code dry-run} or {@code sweep}) the last run's {@code retinasynth.gc.last.*} gauges
 * and the {@code retinasynth.gc.sweeps} timer.
 */
@Service
public class BlobGc {

    static final String TASK = "blob-gc";

    private final BlobCollector collector;
    private final GcProperties properties;
    private final JobQueue queue;
    private final JdbcClient jdbc;
    private final MeterRegistry meters;
    private final Counter deleted;
    private final Counter freed;
    private final Map<Boolean, AtomicReference<GcReport>> last = new ConcurrentHashMap<>();

    BlobGc(BlobStore blobs, BlobReferences references, GcProperties properties, JobQueue queue, JdbcClient jdbc,
           MeterRegistry meters) {
        this.collector = new BlobCollector(blobs, references, Clock.systemUTC());
        this.properties = properties;
        this.queue = queue;
        this.jdbc = jdbc;
        this.meters = meters;
        this.deleted = Counter.builder("retinasynth.gc.deleted.blobs")
                .description("Blobs deleted by garbage collection").register(meters);
        this.freed = Counter.builder("retinasynth.gc.freed.bytes").baseUnit("bytes")
                .description("Bytes freed by garbage collection").register(meters);
        for (boolean dry : new boolean[] {true, false}) {
            AtomicReference<GcReport> ref = new AtomicReference<>();
            last.put(dry, ref);
            gauge("retinasynth.gc.last.scanned.bytes", dry, ref, GcReport::scannedBytes);
            gauge("retinasynth.gc.last.candidates", dry, ref, GcReport::candidates);
            gauge("retinasynth.gc.last.candidate.bytes", dry, ref, GcReport::candidateBytes);
            gauge("retinasynth.gc.last.deleted", dry, ref, GcReport::deleted);
            gauge("retinasynth.gc.last.duration.seconds", dry, ref, r -> r.durationMs() / 1000.0);
        }
    }

    /** Sweeps here and now (a dry run deletes nothing, so any instance may run one at any time). */
    public GcReport run(boolean dryRun) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "failed";
        try {
            GcReport report = collector.sweep(dryRun, properties.grace());
            outcome = "completed";
            deleted.increment(report.deleted());
            freed.increment(report.bytesFreed());
            last.get(dryRun).set(report);
            save(report);
            return report;
        } finally {
            sample.stop(meters.timer("retinasynth.gc.sweeps", "mode", mode(dryRun), "outcome", outcome));
        }
    }

    /** Moves the next scheduled sweep to now; a worker runs it within its poll interval. */
    public void requestSweep() {
        if (!properties.enabled()) {
            throw new ConflictException("scheduled garbage collection is disabled (retinasynth.gc.enabled=false)");
        }
        queue.runNow(TASK);
    }

    /** The report of the most recent run of either mode, from whichever instance ran it. */
    public Optional<GcReport> last() {
        return jdbc.sql("select * from blob_gc_runs order by started_at desc, id limit 1")
                .query((rs, n) -> new GcReport(rs.getBoolean("dry_run"), rs.getLong("grace_seconds"),
                        rs.getLong("scanned"), rs.getLong("scanned_bytes"), rs.getLong("referenced"),
                        rs.getLong("younger_kept"), rs.getLong("candidates"), rs.getLong("candidate_bytes"),
                        rs.getLong("deleted"), rs.getLong("bytes_freed"),
                        rs.getTimestamp("started_at").toInstant(), rs.getLong("duration_ms")))
                .optional();
    }

    public Duration grace() {
        return properties.grace();
    }

    private void save(GcReport r) {
        jdbc.sql("""
                        insert into blob_gc_runs (id, dry_run, grace_seconds, scanned, scanned_bytes, referenced,
                                                  younger_kept, candidates, candidate_bytes, deleted, bytes_freed,
                                                  started_at, duration_ms)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(UUID.randomUUID().toString(), r.dryRun(), r.graceSeconds(), r.scanned(), r.scannedBytes(),
                        r.referenced(), r.youngerThanGraceKept(), r.candidates(), r.candidateBytes(), r.deleted(),
                        r.bytesFreed(), r.startedAt().atOffset(ZoneOffset.UTC), r.durationMs())
                .update();
        jdbc.sql("""
                        delete from blob_gc_runs where id not in (
                            select id from (select id from blob_gc_runs order by started_at desc limit ?) kept)""")
                .param(Math.max(1, properties.keepRuns())).update();
    }

    private void gauge(String name, boolean dry, AtomicReference<GcReport> ref, ToDoubleFunction<GcReport> value) {
        Gauge.builder(name, ref, r -> r.get() == null ? Double.NaN : value.applyAsDouble(r.get()))
                .tag("mode", mode(dry)).register(meters);
    }

    private static String mode(boolean dryRun) {
        return dryRun ? "dry-run" : "sweep";
    }
}
