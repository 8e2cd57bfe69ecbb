package org.retinasynth.training;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.retinasynth.jobs.JobRows;
import org.retinasynth.model.ModelType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.ObjectMapper;

/** SQL for jobs and their epoch history; reads by an owner always name the owner. */
@Repository
class TrainingJobRepository {

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    TrainingJobRepository(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(String id, String ownerId, TrainingSpec spec) {
        OffsetDateTime now = JobRows.now();
        jdbc.sql("""
                        insert into training_jobs (id, owner_id, dataset_id, model_type, spec, state, total_epochs,
                                                   created_at, updated_at)
                        values (?,?,?,?,?,?,?,?,?)""")
                .params(id, ownerId, spec.datasetId(), spec.modelType().name(), json.writeValueAsString(spec),
                        JobState.QUEUED.name(), spec.epochs(), now, now)
                .update();
    }

    Optional<TrainingJob> find(String ownerId, String id) {
        return jdbc.sql("select * from training_jobs where owner_id = ? and id = ?").params(ownerId, id)
                .query(this::job).optional();
    }

    /** For the worker, which acts for whichever owner queued the job. */
    Optional<TrainingJob> find(String id) {
        return jdbc.sql("select * from training_jobs where id = ?").param(id).query(this::job).optional();
    }

    List<TrainingJob> list(String ownerId, String datasetId, JobState state, ModelType model, int limit, long offset) {
        return filtered("select * from training_jobs", ownerId, datasetId, state, model,
                " order by created_at desc, id limit :limit offset :offset")
                .param("limit", limit).param("offset", offset).query(this::job).list();
    }

    long count(String ownerId, String datasetId, JobState state, ModelType model) {
        return filtered("select count(*) from training_jobs", ownerId, datasetId, state, model, "")
                .query(Long.class).single();
    }

    private JdbcClient.StatementSpec filtered(String select, String ownerId, String datasetId, JobState state,
                                              ModelType model, String tail) {
        String sql = select + " where owner_id = :o" + (datasetId != null ? " and dataset_id = :d" : "")
                + (state != null ? " and state = :s" : "") + (model != null ? " and model_type = :m" : "") + tail;
        JdbcClient.StatementSpec spec = jdbc.sql(sql).param("o", ownerId);
        if (datasetId != null) {
            spec = spec.param("d", datasetId);
        }
        if (state != null) {
            spec = spec.param("s", state.name());
        }
        if (model != null) {
            spec = spec.param("m", model.name());
        }
        return spec;
    }

    /** Moves a job to RUNNING unless it already finished; returns false if it had. */
    boolean markStarted(String id, String device, String worker, int stepsPerEpoch) {
        return jdbc.sql("""
                        update training_jobs set state = 'RUNNING', device = ?, worker = ?, steps_per_epoch = ?,
                               attempts = attempts + 1, started_at = coalesce(started_at, ?), updated_at = ?
                        where id = ? and state in ('QUEUED', 'RUNNING')""")
                .params(device, worker, stepsPerEpoch, JobRows.now(), JobRows.now(), id).update() == 1;
    }

    void progress(String id, int epoch, long step, double imagesPerSecond, double etaSeconds) {
        jdbc.sql("update training_jobs set epoch = ?, step = ?, images_per_second = ?, eta_seconds = ?, updated_at = ? where id = ?")
                .params(epoch, step, imagesPerSecond, etaSeconds, JobRows.now(), id).update();
    }

    boolean cancelRequested(String id) {
        return jdbc.sql("select cancel_requested from training_jobs where id = ?").param(id)
                .query(Boolean.class).optional().orElse(true);
    }

    /** An epoch's history row and the checkpoint that ends it, written together. */
    void epochDone(String id, EpochMetrics m, String checkpointSha, String reconstructionsSha, Double bestValLoss,
                   Integer bestEpoch) {
        jdbc.sql("delete from training_epochs where job_id = ? and epoch = ?").params(id, m.epoch()).update();
        jdbc.sql("""
                        insert into training_epochs (job_id, epoch, train_loss, train_recon, train_kl, val_loss, val_recon,
                            val_kl, val_psnr, val_psnr_corrupted, learning_rate, kl_weight, seconds)
                        values (?,?,?,?,?,?,?,?,?,?,?,?,?)""")
                .params(id, m.epoch(), m.trainLoss(), m.trainReconstruction(), m.trainKl(), m.valLoss(),
                        m.valReconstruction(), m.valKl(), m.valPsnr(), m.valPsnrCorrupted(), m.learningRate(),
                        m.klWeight(), m.seconds())
                .update();
        jdbc.sql("""
                        update training_jobs set epoch = ?, checkpoint_epoch = ?, checkpoint_sha256 = ?,
                               reconstructions_sha256 = ?, best_val_loss = ?, best_epoch = ?, updated_at = ?
                        where id = ?""")
                .params(m.epoch(), m.epoch(), checkpointSha, reconstructionsSha, bestValLoss, bestEpoch, JobRows.now(), id)
                .update();
    }

    void finish(String id, JobState state, String error, String modelSha, String provenanceJson) {
        jdbc.sql("""
                        update training_jobs set state = ?, error = ?, model_sha256 = coalesce(?, model_sha256),
                               provenance = coalesce(?, provenance), eta_seconds = 0, finished_at = ?, updated_at = ?
                        where id = ? and state in ('QUEUED', 'RUNNING')""")
                .params(state.name(), error == null ? null : JobRows.errorText(error), modelSha, provenanceJson, JobRows.now(), JobRows.now(), id)
                .update();
    }

    /** Returns the state the job was in; a queued job is cancelled at once, a running one at its next batch. */
    Optional<JobState> requestCancel(String ownerId, String id) {
        Optional<TrainingJob> job = find(ownerId, id);
        job.ifPresent(j -> {
            jdbc.sql("update training_jobs set cancel_requested = true, updated_at = ? where id = ?")
                    .params(JobRows.now(), id).update();
            if (j.state() == JobState.QUEUED) {
                finish(id, JobState.CANCELLED, "cancelled before it started", null, null);
            }
        });
        return job.map(TrainingJob::state);
    }

    void delete(String ownerId, String id) {
        jdbc.sql("delete from training_jobs where owner_id = ? and id = ?").params(ownerId, id).update();
    }

    List<EpochMetrics> epochs(String id) {
        return jdbc.sql("select * from training_epochs where job_id = ? order by epoch").param(id)
                .query((rs, n) -> new EpochMetrics(rs.getInt("epoch"), rs.getDouble("train_loss"),
                        rs.getDouble("train_recon"), rs.getDouble("train_kl"), JobRows.nullableDouble(rs, "val_loss"),
                        JobRows.nullableDouble(rs, "val_recon"), JobRows.nullableDouble(rs, "val_kl"), JobRows.nullableDouble(rs, "val_psnr"),
                        JobRows.nullableDouble(rs, "val_psnr_corrupted"), rs.getDouble("learning_rate"), rs.getDouble("kl_weight"),
                        rs.getDouble("seconds")))
                .list();
    }

    /** Queued or running jobs, for re-scheduling what a crash between insert and enqueue may have lost. */
    List<String> unfinishedIds() {
        return jdbc.sql("select id from training_jobs where state in ('QUEUED', 'RUNNING')").query(String.class).list();
    }

    boolean referencedBlob(String sha) {
        return jdbc.sql("""
                        select count(*) from training_jobs
                        where checkpoint_sha256 = :s or model_sha256 = :s or reconstructions_sha256 = :s""")
                .param("s", sha).query(Long.class).single() > 0;
    }

    private TrainingJob job(ResultSet rs, int n) throws SQLException {
        return new TrainingJob(rs.getString("id"), rs.getString("owner_id"), rs.getString("dataset_id"),
                ModelType.valueOf(rs.getString("model_type")), json.readValue(rs.getString("spec"), TrainingSpec.class),
                JobState.valueOf(rs.getString("state")), rs.getInt("total_epochs"), rs.getInt("epoch"),
                rs.getLong("step"), rs.getInt("steps_per_epoch"), JobRows.nullableDouble(rs, "images_per_second"),
                JobRows.nullableDouble(rs, "eta_seconds"), rs.getString("device"), rs.getString("worker"), JobRows.nullableDouble(rs, "best_val_loss"),
                (Integer) rs.getObject("best_epoch"), rs.getInt("attempts"), rs.getBoolean("cancel_requested"),
                rs.getString("error"), rs.getInt("checkpoint_epoch"), rs.getString("checkpoint_sha256"),
                rs.getString("model_sha256"), rs.getString("reconstructions_sha256"), rs.getString("provenance"),
                rs.getObject("created_at", OffsetDateTime.class), rs.getObject("started_at", OffsetDateTime.class),
                rs.getObject("finished_at", OffsetDateTime.class), rs.getObject("updated_at", OffsetDateTime.class));
    }
}
