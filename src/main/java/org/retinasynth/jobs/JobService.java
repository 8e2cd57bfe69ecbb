package org.retinasynth.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.retinasynth.common.ConflictException;
import org.retinasynth.common.InUseException;
import org.retinasynth.common.NotFoundException;
import org.retinasynth.security.Owner;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.storage.BlobColumns;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.ObjectMapper;

/**
 * Get, cancel and delete with one meaning for every kind of job: another owner's job is absent
 * (404); an ended job cannot be cancelled and a live one cannot be deleted (409); cancelling a
 * queued job ends it at once, a running one at its next check, and a job's units with it;
 * deleting removes its rows and units, then every blob it named that no row names any more.
 */
@Service
public class JobService {

    private final JobStore store;
    private final JobQueue queue;
    private final BlobStore blobs;
    private final JdbcClient jdbc;
    private final ObjectMapper json;

    JobService(JobStore store, JobQueue queue, BlobStore blobs, JdbcClient jdbc, ObjectMapper json) {
        this.store = store;
        this.queue = queue;
        this.blobs = blobs;
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Queues a job of a kind that keeps its spec on the common row (a kind with a table of its own
     * inserts its row itself, then enqueues).
     */
    public Job submit(Owner owner, JobType type, Object spec) {
        String id = UUID.randomUUID().toString();
        store.insert(id, owner.id(), type.name(), null, 0, json.writeValueAsString(spec));
        queue.enqueue(type, id);
        return get(owner, type, id);
    }

    /** An owner's jobs of a kind without a table of its own, newest first. */
    public Page<Job> page(Owner owner, JobType type, JobState state, int page, int size) {
        return store.page(owner.id(), type.name(), null, state, Map.of(), page, size, (rs, n) -> JobStore.job(rs));
    }

    /** The spec or result JSON of such a job as its kind's record; null if absent. */
    public <T> T read(String jobJson, Class<T> type) {
        return jobJson == null ? null : json.readValue(jobJson, type);
    }

    /** The common row of an owner's job of this type, or 404. */
    public Job get(Owner owner, JobType type, String id) {
        return store.find(id).filter(j -> j.ownerId().equals(owner.id()) && j.kind().equals(type.name()))
                .orElseThrow(() -> new NotFoundException(type.noun(), id));
    }

    public void cancel(Owner owner, JobType type, String id) {
        Job job = get(owner, type, id);
        if (job.state().finished()) {
            throw new ConflictException(type.noun() + " '" + id + "' already ended as " + job.state());
        }
        cancelUnits(id);
        cancelQueued(job);
    }

    /** Flags a job and its units to stop, and ends at once those units no worker has taken yet. */
    public void cancelUnits(String id) {
        store.requestCancel(id);
        for (Job unit : store.children(id)) {
            cancelQueued(unit);
        }
    }

    private void cancelQueued(Job job) {
        if (job.state() == JobState.QUEUED) {
            queue.remove(job.kind(), job.id());
            store.cancelIfQueued(job.id(), "cancelled before it started");
        }
    }

    /**
     * Unfinished jobs that sample from a model (the id of a SUCCEEDED training job): generations
     * made from it and studies told to use it instead of training their own.
     */
    public List<Job> needingModel(String modelId) {
        List<Job> found = new ArrayList<>(jdbc.sql("select j.* from jobs j join generations g on g.id = j.id "
                        + "where g.model_job_id = ? and j.state in ('QUEUED', 'RUNNING') order by j.created_at, j.id")
                .param(modelId).query((rs, n) -> JobStore.job(rs)).list());
        // a study names the models it borrows only in its spec (vaeJobId, dvaeJobId); ids are UUIDs,
        // so the quoted id matches nothing else there
        found.addAll(jdbc.sql("select j.* from jobs j join studies s on s.id = j.id "
                        + "where s.spec like ? and j.state in ('QUEUED', 'RUNNING') order by j.created_at, j.id")
                .param("%\"" + modelId + "\"%").query((rs, n) -> JobStore.job(rs)).list());
        return found;
    }

    /**
     * Unfinished jobs that read a dataset when they run: training jobs and studies on it, and
     * studies that score on it as an external test set (named in their spec; ids are UUIDs, so a
     * quoted match is exact).
     */
    public List<Job> readingDataset(String datasetId) {
        return jdbc.sql("""
                        select j.* from jobs j where j.state in ('QUEUED', 'RUNNING') and j.parent_id is null
                          and (j.id in (select id from training_jobs where dataset_id = :d)
                               or j.id in (select id from studies where dataset_id = :d or spec like :quoted))
                        order by j.created_at, j.id""")
                .param("d", datasetId).param("quoted", "%\"" + datasetId + "\"%")
                .query((rs, n) -> JobStore.job(rs)).list();
    }

    /**
     * Clears the way for deleting {@code what}: with no dependants there is nothing to do; otherwise
     * 409 naming them, or with {@code cascade} each is cancelled (a queued one ends at once, a
     * running one at its next check) before the caller deletes.
     */
    public void release(String what, List<Job> dependants, boolean cascade) {
        if (dependants.isEmpty()) {
            return;
        }
        if (!cascade) {
            throw new InUseException(what + " is needed by " + dependants.size() + " unfinished job(s): cancel them "
                    + "first, or delete with cascade=true to cancel them and then delete",
                    dependants.stream().map(j -> new InUseException.Dependant(j.id(), j.kind(), j.state().name()))
                            .toList());
        }
        for (Job job : dependants) {
            cancelUnits(job.id());
            cancelQueued(job);
        }
    }

    /**
     * Deletes an ended job; {@code named} are the blobs its rows (and its units' rows) point at,
     * read by the kind before the rows go.
     */
    public void delete(Owner owner, JobType type, String id, List<String> named) {
        Job job = get(owner, type, id);
        if (!job.state().finished()) {
            throw new ConflictException(type.noun() + " '" + id + "' is " + job.state() + ": cancel it first");
        }
        store.delete(id);
        dropUnreferenced(named);
    }

    /**
     * Deletes those of {@code shas} that no row names. Blobs are content-addressed, so two jobs (or
     * a generated set and a dataset made from it) can share one.
     */
    public void dropUnreferenced(List<String> shas) {
        for (String sha : shas) {
            if (sha != null && !referenced(sha)) {
                blobs.delete(sha);
            }
        }
    }

    public boolean referenced(String sha) {
        return jdbc.sql(BlobColumns.COUNT_REFERENCES).param("sha256", sha).query(Long.class).single() > 0;
    }
}
