package org.retinasynth.jobs;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.retinasynth.common.Role;
import org.retinasynth.common.RoleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The persistent job queue, on db-scheduler: executions live in the {@code scheduled_tasks} table
 * of the same database, are picked with optimistic locking so that one job never runs on two
 * workers at once, and carry heartbeats. An execution whose worker stops beating (killed process,
 * lost node) is revived by any live instance, and the runner resumes from the last checkpoint.
 */
@Component
public class JobQueue implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);

    private final Map<String, OneTimeTask<Void>> tasks;
    private final List<JobHandler> handlers;
    private final SchedulerClient client;
    private final DataSource dataSource;
    private final JobProperties properties;
    private final Role role;
    private final String name;
    private Scheduler scheduler;
    private volatile boolean running;

    JobQueue(DataSource dataSource, List<JobHandler> handlers, JobProperties properties, RoleProperties role) {
        this.dataSource = dataSource;
        this.role = role.role();
        this.handlers = handlers;
        this.properties = properties;
        this.name = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.tasks = handlers.stream().collect(Collectors.toMap(JobHandler::kind,
                h -> Tasks.oneTime(h.kind())
                        .onDeadExecutionRevive()
                        .execute((instance, context) -> h.run(instance.getId(), name))));
        this.client = SchedulerClient.Builder.create(dataSource, List.copyOf(tasks.values())).build();
    }

    /** Queues a job once; enqueueing an id already queued or running does nothing. */
    public void enqueue(String kind, String jobId) {
        client.scheduleIfNotExists(task(kind).instance(jobId), Instant.now());
    }

    /** Takes a job off the queue if no worker has picked it yet. */
    public void remove(String kind, String jobId) {
        try {
            client.cancel(task(kind).instance(jobId));
        } catch (RuntimeException notScheduled) {
            // already picked or done: the handler sees its cancel flag instead
        }
    }

    /** Name of this instance's scheduler, recorded by jobs as the worker that ran them. */
    public String workerName() {
        return name;
    }

    private OneTimeTask<Void> task(String kind) {
        OneTimeTask<Void> t = tasks.get(kind);
        if (t == null) {
            throw new IllegalArgumentException("no job handler of kind '" + kind + "'");
        }
        return t;
    }

    @Override
    public void start() {
        // A crash between inserting a job and enqueueing it would strand it: re-enqueue idempotently.
        for (JobHandler h : handlers) {
            h.unfinishedIds().forEach(id -> enqueue(h.kind(), id));
        }
        // An API instance only enqueues: every kind of job then runs on some worker-role instance.
        if (role.runsJobs()) {
            // A stopped db-scheduler cannot start again, and Spring may stop and restart lifecycles.
            scheduler = Scheduler.create(dataSource, List.copyOf(tasks.values()))
                    .threads(Math.max(1, properties.workers()))
                    .pollingInterval(Duration.ofSeconds(properties.pollSeconds()))
                    .heartbeatInterval(Duration.ofSeconds(properties.heartbeatSeconds()))
                    .missedHeartbeatsLimit(properties.missedHeartbeats())
                    .schedulerName(new SchedulerName.Fixed(name))
                    .enableImmediateExecution()
                    .shutdownMaxWait(Duration.ofSeconds(5))
                    .build();
            scheduler.start();
            log.info("job worker {} started for {}", name, tasks.keySet());
        } else {
            log.info("role {}: jobs are queued here and run by worker instances", role);
        }
        running = true;
    }
    @Override
    public void stop() {
        if (scheduler != null) {
            scheduler.stop();
            scheduler = null;
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        return h == null || h.isBlank() ? "worker" : h;
    }
}
