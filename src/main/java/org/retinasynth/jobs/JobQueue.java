package org.retinasynth.jobs;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceCurrentlyExecutingException;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceNotFoundException;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.retinasynth.common.ConflictException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Submits jobs to the persistent queue (db-scheduler's {@code scheduled_tasks} table in the same
 * database). It knows task names only, never the code that runs them, so any service can queue
 * work without depending on the workers; {@link JobWorker} runs what is queued.
 *
 * <p>Owners share the workers round-robin: workers take the highest priority first, then the
 * oldest, and a job's priority is minus its place in its owner's own queue. Every owner's first
 * queued job thus comes before anyone's second, so one owner's fifty queued jobs delay another
 * owner's single job by at most one job each of the others; within an owner's queue jobs keep
 * their order. When a job leaves the queue its owner's later jobs move up one place.
 */
@Component
public class JobQueue {

    private final SchedulerClient client;
    private final JdbcClient jdbc;
    private final String name;

    JobQueue(DataSource dataSource, JdbcClient jdbc) {
        this.client = SchedulerClient.Builder.create(dataSource, List.of()).enablePriority().build();
        this.jdbc = jdbc;
        this.name = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Queues a job once; enqueueing an id already queued or running does nothing. */
    public void enqueue(JobType type, String jobId) {
        enqueue(type.name(), jobId);
    }

    void enqueue(String kind, String jobId) {
        client.scheduleIfNotExists(new TaskInstance.Builder<Void>(kind, jobId).priority(priority(jobId))
                .scheduledTo(Instant.now()));
    }

    /** Minus the number of its owner's queued jobs made before it, within db-scheduler's smallint column. */
    int priority(String jobId) {
        long ahead = jdbc.sql("""
                        select count(*) from jobs o join jobs j on j.owner_id = o.owner_id
                        where o.id = ? and j.state = 'QUEUED' and j.id <> o.id
                          and (j.created_at < o.created_at or (j.created_at = o.created_at and j.id < o.id))""")
                .param(jobId).query(Long.class).single();
        return (int) -Math.min(ahead, -Short.MIN_VALUE);
    }

    /**
     * A queued job left the queue (a worker took it, or it was cancelled): its owner's jobs made
     * after it move up one place, so that a new job of that owner still queues behind them.
     */
    void left(String jobId) {
        jdbc.sql("""
                        update scheduled_tasks set priority = priority + 1
                        where picked = false and priority < 0 and task_instance in (
                            select j.id from jobs o join jobs j on j.owner_id = o.owner_id
                            where o.id = ? and j.state = 'QUEUED' and j.id <> o.id
                              and (j.created_at > o.created_at or (j.created_at = o.created_at and j.id > o.id)))""")
                .param(jobId).update();
    }

    /** Takes a job off the queue if no worker has picked it yet. */
    public void remove(String kind, String jobId) {
        try {
            client.cancel(TaskInstanceId.of(kind, jobId));
            left(jobId);
        } catch (RuntimeException notScheduled) {
            // already picked or done: the job's body sees its cancel flag instead
        }
    }

    /**
     * Moves the next run of a {@link PeriodicTask} to now; a worker picks it at its next poll. 409 if
     * it is running now, or if no worker has scheduled it yet.
     */
    public void runNow(String task) {
        try {
            if (!client.reschedule(TaskInstanceId.of(task, RecurringTask.INSTANCE), Instant.now())) {
                throw new ConflictException(task + " was picked by a worker just now");
            }
        } catch (TaskInstanceCurrentlyExecutingException e) {
            throw new ConflictException(task + " is running now");
        } catch (TaskInstanceNotFoundException e) {
            throw new ConflictException(task + " is not scheduled (disabled, or no worker instance has started)");
        }
    }

    /** This instance's name, recorded by jobs as the worker that ran them. */
    public String workerName() {
        return name;
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        return h == null || h.isBlank() ? "worker" : h;
    }
}
