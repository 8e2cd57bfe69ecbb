package org.retinasynth.training;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
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
class JobQueue implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);
    static final String TASK = "training-job";

    private final OneTimeTask<Void> task;
    private final SchedulerClient client;
    private final DataSource dataSource;
    private final TrainingProperties properties;
    private final String name;
    private Scheduler scheduler;
    private final TrainingJobRepository jobs;
    private volatile boolean running;

    JobQueue(DataSource dataSource, TrainingRunner runner, TrainingProperties properties, TrainingJobRepository jobs) {
        this.jobs = jobs;
        this.dataSource = dataSource;
        this.properties = properties;
        this.name = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.task = Tasks.oneTime(TASK)
                .onDeadExecutionRevive()
                .execute((instance, context) -> runner.run(instance.getId(), name));
        this.client = SchedulerClient.Builder.create(dataSource, task).build();
    }

    void enqueue(String jobId) {
        client.scheduleIfNotExists(task.instance(jobId), Instant.now());
    }

    void remove(String jobId) {
        try {
            client.cancel(task.instance(jobId));
        } catch (RuntimeException notScheduled) {
            // already picked or done: the runner sees the cancel flag instead
        }
    }

    @Override
    public void start() {
        // A crash between inserting a job and enqueueing it would strand it: re-enqueue idempotently.
        jobs.unfinishedIds().forEach(this::enqueue);
        if (properties.enabled()) {
            // A stopped db-scheduler cannot start again, and Spring may stop and restart lifecycles.
            scheduler = Scheduler.create(dataSource, task)
                    .threads(Math.max(1, properties.workers()))
                    .pollingInterval(Duration.ofSeconds(properties.pollSeconds()))
                    .heartbeatInterval(Duration.ofSeconds(properties.heartbeatSeconds()))
                    .missedHeartbeatsLimit(properties.missedHeartbeats())
                    .schedulerName(new SchedulerName.Fixed(name))
                    .enableImmediateExecution()
                    .shutdownMaxWait(Duration.ofSeconds(5))
                    .build();
            scheduler.start();
            log.info("training worker started");
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
