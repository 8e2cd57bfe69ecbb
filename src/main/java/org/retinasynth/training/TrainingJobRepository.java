package org.retinasynth.training;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.retinasynth.jobs.JobState;
import org.retinasynth.jobs.JobStore;
import org.retinasynth.jobs.Page;
import org.retinasynth.jobs.Progress;
import org.retinasynth.model.ModelType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.ObjectMapper;

/** A training job's own columns and its epoch history; the common job row is the {@link JobStore}'s. */
@Repository
class TrainingJobRepository {

    private final JdbcClient jdbc;
    private final JobStore store;
    private final ObjectMapper json;

    TrainingJobRepository(JdbcClient jdbc, JobStore store, ObjectMapper json) {
        this.jdbc = jdbc;
        this.store = store;
        this.json = json;
    }

    @Transactional
    void insert(String id, String ownerId, TrainingSpec spec) {
        store.insert(id, ownerId, TrainingRunner.TYPE.name(), null, 0);
        jdbc.sql("""
                        insert into training_jobs (id, dataset_id, model_type, spec, total_epochs)
                        values (?,?,?,?,?)""")
                .params(id, spec.datasetId(), spec.modelType().name(), json.writeValueAsString(spec), spec.epochs())
                .update();
    }

    Optional<TrainingJob> find(String ownerId, String id) {
        return store.find(ownerId, TrainingRunner.TYPE.name(), TrainingRunner.TYPE.table(), id, this::job);
    }

    /** For the worker, which acts for whichever owner queued the job. */
    Optional<TrainingJob> find(String id) {
        return store.find(TrainingRunner.TYPE.table(), id, this::job);
    }

    Page<TrainingJob> page(String ownerId, String datasetId, JobState state, ModelType model, int page, int size) {
        Map<String, Object> filters = new LinkedHashMap<>();
        filters.put("dataset_id", datasetId);
        filters.put("model_type", model == null ? null : model.name());
        return store.page(ownerId, TrainingRunner.TYPE.name(), TrainingRunner.TYPE.table(), state, filters, page, size,
                this::job);
    }

    void stepsPerEpoch(String id, int steps) {
        jdbc.sql("update training_jobs set steps_per_epoch = ? where id = ?").params(steps, id).update();
    }

    @Transactional
    void progress(String id, int epoch, Progress progress) {
        store.progress(id, progress);
        jdbc.sql("update training_jobs set epoch = ? where id = ?").params(epoch, id).update();
    }

    /** An epoch's history row and the checkpoint that ends it, written together. */
    @Transactional
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
                               reconstructions_sha256 = ?, best_val_loss = ?, best_epoch = ?
                        where id = ?""")
                .params(m.epoch(), m.epoch(), checkpointSha, reconstructionsSha, bestValLoss, bestEpoch, id)
                .update();
    }

    void modelSaved(String id, String modelSha, String provenanceJson) {
        jdbc.sql("update training_jobs set model_sha256 = ?, provenance = ? where id = ?")
                .params(modelSha, provenanceJson, id).update();
    }

    List<EpochMetrics> epochs(String id) {
        return jdbc.sql("select * from training_epochs where job_id = ? order by epoch").param(id)
                .query((rs, n) -> new EpochMetrics(rs.getInt("epoch"), rs.getDouble("train_loss"),
                        rs.getDouble("train_recon"), rs.getDouble("train_kl"), JobStore.nullableDouble(rs, "val_loss"),
                        JobStore.nullableDouble(rs, "val_recon"), JobStore.nullableDouble(rs, "val_kl"),
                        JobStore.nullableDouble(rs, "val_psnr"), JobStore.nullableDouble(rs, "val_psnr_corrupted"),
                        rs.getDouble("learning_rate"), rs.getDouble("kl_weight"), rs.getDouble("seconds")))
                .list();
    }

    /** The blobs a job's row names, for deleting those nothing else uses once it is gone. */
    List<String> blobs(TrainingJob job) {
        return java.util.Arrays.asList(job.checkpointSha256(), job.modelSha256(), job.reconstructionsSha256());
    }

    private TrainingJob job(ResultSet rs, int n) throws SQLException {
        return new TrainingJob(JobStore.job(rs), json.readValue(rs.getString("spec"), TrainingSpec.class),
                rs.getInt("epoch"), rs.getInt("steps_per_epoch"), JobStore.nullableDouble(rs, "best_val_loss"),
                (Integer) rs.getObject("best_epoch"), rs.getInt("checkpoint_epoch"), rs.getString("checkpoint_sha256"),
                rs.getString("model_sha256"), rs.getString("reconstructions_sha256"), rs.getString("provenance"));
    }
}
