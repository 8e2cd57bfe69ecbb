package org.retinasynth.jobs;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import com.github.kagkarlsson.scheduler.task.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.retinasynth.common.Role;
import org.retinasynth.common.RoleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs queued jobs on this instance (roles {@code worker} and {@code all}). db-scheduler picks
 * executions with optimistic locking so one job never runs on two workers at once, and beats a
 * heartbeat; an execution whose worker stops beating (killed process, lost node) is revived by any
 * live instance, and the kind's body resumes from what the job last stored. A job that waits on
 * its units is put back on the queue for a later look instead of holding a worker thread.
 */
@Component
class JobWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    private final DataSource dataSource;
    private final List<JobKind> kinds;
    private final List<PeriodicTask> periodic;
    private final JobRunner runner;
    private final JobQueue queue;
    private final JobStore store;
    private final JobProperties properties;
    private final Role role;
    private Scheduler scheduler;
    private volatile boolean running;

    JobWorker(DataSource dataSource, List<JobKind> kinds, List<PeriodicTask> periodic, JobRunner runner,
              JobQueue queue, JobStore store, JobProperties properties, RoleProperties role) {
        this.dataSource = dataSource;
        this.kinds = kinds;
        this.periodic = periodic;
        this.runner = runner;
        this.queue = queue;
        this.store = store;
        this.properties = properties;
        this.role = role.role();
    }

    @Override
    public void start() {
        // A crash between inserting a job and enqueueing it would strand it: re-enqueue idempotently.
        store.unfinished().forEach(ref -> queue.enqueue(ref.kind(), ref.id()));
        // An API instance only enqueues: every kind of job then runs on some worker-role instance.
        if (role.runsJobs()) {
            List<Task<?>> tasks = kinds.stream().<Task<?>>map(this::task).toList();
            // A stopped db-scheduler cannot start again, and Spring may stop and restart lifecycles.
            scheduler = Scheduler.create(dataSource, tasks)
                    .startTasks(periodic.stream().map(JobWorker::recurring).toList())
                    .threads(Math.max(1, properties.workers()))
                    .pollingInterval(Duration.ofSeconds(properties.pollSeconds()))
                    .heartbeatInterval(Duration.ofSeconds(properties.heartbeatSeconds()))
                    .missedHeartbeatsLimit(properties.missedHeartbeats())
                    .schedulerName(new SchedulerName.Fixed(queue.workerName()))
                    .enableImmediateExecution()
                    .enablePriority()
                    .shutdownMaxWait(Duration.ofSeconds(5))
                    .build();
            scheduler.start();
            log.info("job worker {} started for {}", queue.workerName(),
                    kinds.stream().map(k -> k.type().name()).toList());
        } else {
            log.info("role {}: jobs are queued here and run by worker instances", role);
        }
        running = true;
    }

    private Task<Void> task(JobKind kind) {
        Duration wait = Duration.ofSeconds(Math.max(1, properties.pollSeconds()));
        return Tasks.custom(kind.type().name(), Void.class)
                .onDeadExecutionRevive()
                .execute((instance, context) -> runner.executeQueued(kind, instance.getId(), queue.workerName())
                        ? new CompletionHandler.OnCompleteRemove<>()
                        : (complete, operations) -> operations.reschedule(complete, Instant.now().plus(wait)));
    }

    private static RecurringTask<Void> recurring(PeriodicTask task) {
        return Tasks.recurring(task.name(), new AfterStartUp(task.interval())).execute((instance, context) -> task.run());
    }

    /**
     * A fixed delay whose first run is one interval after the task is first scheduled, not at once:
     * a fresh deployment (or test) has nothing to tidy, and restarts keep the stored next run.
     */
    private record AfterStartUp(Duration interval) implements Schedule {
        @Override
        public Instant getNextExecutionTime(ExecutionComplete complete) {
            return FixedDelay.of(interval).getNextExecutionTime(complete);
        }

        @Override
        public Instant getInitialExecutionTime(Instant now) {
            return now.plus(interval);
        }

        @Override
        public boolean isDeterministic() {
            return false;
        }
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
}
