package org.retinasynth.jobs;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Submits jobs to the persistent queue (db-scheduler's {@code scheduled_tasks} table in the same
 * database). It knows task names only, never the code that runs them, so any service can queue
 * work without depending on the workers; {@link JobWorker} runs what is queued.
 */
@Component
public class JobQueue {

    private final SchedulerClient client;
    private final String name;

    JobQueue(DataSource dataSource) {
        this.client = SchedulerClient.Builder.create(dataSource, List.of()).build();
        this.name = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Queues a job once; enqueueing an id already queued or running does nothing. */
    public void enqueue(JobType type, String jobId) {
        enqueue(type.name(), jobId);
    }

    void enqueue(String kind, String jobId) {
        client.scheduleIfNotExists(new TaskInstance<Void>(kind, jobId), Instant.now());
    }

    /** Takes a job off the queue if no worker has picked it yet. */
    public void remove(String kind, String jobId) {
        try {
            client.cancel(TaskInstanceId.of(kind, jobId));
        } catch (RuntimeException notScheduled) {
            // already picked or done: the job's body sees its cancel flag instead
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
