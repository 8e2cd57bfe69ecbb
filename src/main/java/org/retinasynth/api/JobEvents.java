package org.retinasynth.api;

import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.retinasynth.jobs.Job;
import org.retinasynth.jobs.JobState;
import org.retinasynth.jobs.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.ObjectMapper;

/**
 * Server-Sent Events of jobs (training, generation, study) without polling by the client and
 * without a request thread per client: each stream is an {@link SseEmitter} (the request is
 * released to the container's async support), and one poller thread reads the rows of every job
 * someone is watching in one query and writes to their streams. Only that thread writes, so an
 * emitter never sees two writers.
 *
 * <p>Events: {@code state} (first event and every state change), {@code progress} (same state,
 * new progress), {@code end} (the final state; the server then closes the stream). The event id is
 * the row's update time in microseconds: a client that reconnects with {@code Last-Event-ID} gets
 * the job as it is now if it changed since, and a closed stream at once if it already saw the end.
 * Only the latest state is kept, so a resumed stream skips intermediate progress, never the end.
 * A job deleted while watched ends the stream with {@code end} and state {@code DELETED}.
 */
@Component
class JobEvents {

    private static final Logger log = LoggerFactory.getLogger(JobEvents.class);

    /** What each event carries. */
    record JobEvent(String id, JobState state, String phase, long done, long total, Double rate, Double etaSeconds,
                    String error, OffsetDateTime updatedAt) {
        static JobEvent of(Job j) {
            return new JobEvent(j.id(), j.state(), j.progress().phase(), j.progress().done(), j.progress().total(),
                    j.progress().rate(), j.progress().etaSeconds(), j.error(), j.updatedAt());
        }
    }

    /** One client's stream; touched by the poller thread only (after creation). */
    private static final class Watch {
        final String jobId;
        final SseEmitter emitter;
        long lastVersion;
        JobState lastState;
        boolean closed;

        Watch(String jobId, SseEmitter emitter, long lastVersion) {
            this.jobId = jobId;
            this.emitter = emitter;
            this.lastVersion = lastVersion;
        }
    }

    private final JobStore store;
    private final ObjectMapper json;
    private final long timeoutMillis;
    private final long heartbeatEvery;
    private final Map<String, Set<Watch>> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "job-events");
        t.setDaemon(true);
        return t;
    });
    private long ticks;

    JobEvents(JobStore store, ObjectMapper json,
              @Value("${retinasynth.events.poll-interval:500ms}") Duration poll,
              @Value("${retinasynth.events.stream-timeout:30m}") Duration timeout) {
        this.store = store;
        this.json = json;
        this.timeoutMillis = timeout.toMillis();
        // a comment line every ~15 s finds clients that went away without closing
        this.heartbeatEvery = Math.max(1, 15_000 / Math.max(1, poll.toMillis()));
        poller.scheduleWithFixedDelay(this::pollSafely, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A stream of an already authorised job (the caller looked it up for its owner, so another
     * owner got 404 before this).
     */
    SseEmitter subscribe(Job job, String lastEventId) {
        SseEmitter emitter = new SseEmitter(timeoutMillis);
        Watch w = new Watch(job.id(), emitter, parseVersion(lastEventId));
        Runnable drop = () -> {
            try {
                poller.execute(() -> forget(w));
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                // stop() clears every watch
            }
        };
        emitter.onCompletion(drop);
        emitter.onTimeout(drop);
        emitter.onError(e -> drop.run());
        watches.computeIfAbsent(job.id(), k -> ConcurrentHashMap.newKeySet()).add(w);
        // the first event goes out on the poller too, so that one thread writes to each stream
        poller.execute(() -> deliver(w, store.find(job.id()).orElse(null)));
        return emitter;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            log.warn("job events poll failed; retrying: {}", e.getMessage());
        }
    }

    private void poll() {
        if (watches.isEmpty()) {
            return;
        }
        Map<String, Job> jobs = new HashMap<>();
        for (Job j : store.findAll(List.copyOf(watches.keySet()))) {
            jobs.put(j.id(), j);
        }
        boolean heartbeat = ++ticks % heartbeatEvery == 0;
        watches.forEach((id, set) -> set.forEach(w -> {
            deliver(w, jobs.get(id));
            if (heartbeat && !w.closed) {
                try {
                    w.emitter.send(SseEmitter.event().comment("keep-alive"));
                } catch (IOException | IllegalStateException e) {
                    close(w, e);
                }
            }
        }));
    }

    /** Sends what changed since the watch's last event; ends the stream at the final state. */
    private void deliver(Watch w, Job job) {
        if (w.closed) {
            return;
        }
        try {
            if (job == null) {
                w.emitter.send(SseEmitter.event().name("end").data(
                        "{\"id\":" + json.writeValueAsString(w.jobId) + ",\"state\":\"DELETED\"}",
                        MediaType.APPLICATION_JSON));
                finish(w);
                return;
            }
            long version = version(job.updatedAt());
            boolean changed = version > w.lastVersion || (w.lastState != null && job.state() != w.lastState);
            if (changed) {
                String name = job.state().finished() ? "end"
                        : job.state() != w.lastState ? "state" : "progress";
                w.emitter.send(SseEmitter.event().id(Long.toString(version)).name(name)
                        .data(json.writeValueAsString(JobEvent.of(job)), MediaType.APPLICATION_JSON));
                w.lastVersion = Math.max(w.lastVersion, version);
                w.lastState = job.state();
            }
            if (job.state().finished()) {
                finish(w);
            }
        } catch (IOException | IllegalStateException e) {
            close(w, e);
        }
    }

    private void finish(Watch w) {
        w.closed = true;
        w.emitter.complete();
        forget(w);
    }

    private void close(Watch w, Exception e) {
        log.debug("job events stream of {} closed: {}", w.jobId, e.toString());
        w.closed = true;
        w.emitter.completeWithError(e);
        forget(w);
    }

    private void forget(Watch w) {
        w.closed = true;
        watches.computeIfPresent(w.jobId, (k, set) -> {
            set.remove(w);
            return set.isEmpty() ? null : set;
        });
    }

    static long version(OffsetDateTime t) {
        Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    /** A malformed or absent Last-Event-ID starts from the beginning. */
    static long parseVersion(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return Long.MIN_VALUE;
        }
        try {
            return Long.parseLong(lastEventId.trim());
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    /** Watches open now; for tests. */
    int open() {
        return watches.values().stream().mapToInt(Set::size).sum();
    }

    @PreDestroy
    void stop() {
        poller.shutdownNow();
        watches.values().forEach(set -> set.forEach(w -> w.emitter.complete()));
        watches.clear();
    }
}
