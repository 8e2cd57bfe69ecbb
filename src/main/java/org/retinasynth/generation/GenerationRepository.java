package org.retinasynth.generation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.retinasynth.jobs.JobRows;
import org.retinasynth.training.JobState;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/** SQL for generated sets and their images; reads by an owner always name the owner. */
@Repository
class GenerationRepository {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    /** Typed, so that a null grade (unconditional model) binds the same on every driver. */
    private static final int[] ROW_TYPES = {Types.VARCHAR, Types.INTEGER, Types.INTEGER, Types.INTEGER, Types.VARCHAR,
            Types.CHAR};

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final JdbcTemplate batch;
    private final TransactionTemplate tx;

    GenerationRepository(JdbcClient jdbc, JdbcTemplate batch, ObjectMapper json, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.json = json;
        this.tx = tx;
    }

    void insert(String id, String ownerId, String modelJobId, String modelSha, GenerationPlan plan,
                Map<String, Object> provenance) {
        OffsetDateTime now = JobRows.now();
        jdbc.sql("""
                        insert into generations (id, owner_id, model_job_id, model_sha256, plan, state, total_images,
                                                 provenance, created_at, updated_at)
                        values (?,?,?,?,?,?,?,?,?,?)""")
                .params(id, ownerId, modelJobId, modelSha, json.writeValueAsString(plan), JobState.QUEUED.name(),
                        plan.total(), json.writeValueAsString(provenance), now, now)
                .update();
    }

    Optional<Generation> find(String ownerId, String id) {
        return jdbc.sql("select * from generations where owner_id = ? and id = ?").params(ownerId, id)
                .query(this::generation).optional();
    }

    /** For the worker, which acts for whichever owner asked. */
    Optional<Generation> find(String id) {
        return jdbc.sql("select * from generations where id = ?").param(id).query(this::generation).optional();
    }

    List<Generation> list(String ownerId, String modelJobId, JobState state, int limit, long offset) {
        return filtered("select * from generations", ownerId, modelJobId, state,
                " order by created_at desc, id limit :limit offset :offset")
                .param("limit", limit).param("offset", offset).query(this::generation).list();
    }

    long count(String ownerId, String modelJobId, JobState state) {
        return filtered("select count(*) from generations", ownerId, modelJobId, state, "").query(Long.class).single();
    }

    private JdbcClient.StatementSpec filtered(String select, String ownerId, String modelJobId, JobState state,
                                              String tail) {
        String sql = select + " where owner_id = :o" + (modelJobId != null ? " and model_job_id = :m" : "")
                + (state != null ? " and state = :s" : "") + tail;
        JdbcClient.StatementSpec spec = jdbc.sql(sql).param("o", ownerId);
        if (modelJobId != null) {
            spec = spec.param("m", modelJobId);
        }
        if (state != null) {
            spec = spec.param("s", state.name());
        }
        return spec;
    }

    /** Moves a set to RUNNING unless it already finished; returns false if it had. */
    boolean markStarted(String id, String worker) {
        return jdbc.sql("""
                        update generations set state = 'RUNNING', worker = ?, attempts = attempts + 1,
                               started_at = coalesce(started_at, ?), updated_at = ?
                        where id = ? and state in ('QUEUED', 'RUNNING')""")
                .params(worker, JobRows.now(), JobRows.now(), id).update() == 1;
    }

    /** Chunks whose rows are all stored; rows of a chunk are committed together. */
    int finishedChunks(String id) {
        return jdbc.sql("select coalesce(max(chunk) + 1, 0) from generated_images where generation_id = ?").param(id)
                .query(Integer.class).single();
    }

    /** A chunk's rows and the progress they make, in one transaction. */
    void chunkDone(String id, int chunk, List<GeneratedImage> images, int done, double imagesPerSecond,
                   double etaSeconds) {
        tx.executeWithoutResult(status -> {
            jdbc.sql("delete from generated_images where generation_id = ? and chunk = ?").params(id, chunk).update();
            batch.batchUpdate("insert into generated_images (generation_id, idx, chunk, grade, filename, sha256) "
                    + "values (?,?,?,?,?,?)", images.stream().map(i -> new Object[] {id, i.index(), i.chunk(), i.grade(),
                    i.filename(), i.sha256()}).toList(), ROW_TYPES);
            jdbc.sql("update generations set done_images = ?, images_per_second = ?, eta_seconds = ?, updated_at = ? where id = ?")
                    .params(done, imagesPerSecond, etaSeconds, JobRows.now(), id).update();
        });
    }

    boolean cancelRequested(String id) {
        return jdbc.sql("select cancel_requested from generations where id = ?").param(id)
                .query(Boolean.class).optional().orElse(true);
    }

    void requestCancel(String ownerId, String id) {
        jdbc.sql("update generations set cancel_requested = true, updated_at = ? where owner_id = ? and id = ?")
                .params(JobRows.now(), ownerId, id).update();
    }

    void finish(String id, JobState state, String error, Map<String, Object> provenance) {
        jdbc.sql("""
                        update generations set state = ?, error = ?, provenance = coalesce(?, provenance),
                               eta_seconds = 0, finished_at = ?, updated_at = ?
                        where id = ? and state in ('QUEUED', 'RUNNING')""")
                .params(state.name(), error == null ? null : JobRows.errorText(error),
                        provenance == null ? null : json.writeValueAsString(provenance), JobRows.now(), JobRows.now(), id)
                .update();
    }

    /** Returns the image blobs the set referenced. */
    List<String> delete(String ownerId, String id) {
        List<String> shas = jdbc.sql("select distinct sha256 from generated_images where generation_id = ?").param(id)
                .query(String.class).list();
        jdbc.sql("delete from generations where owner_id = ? and id = ?").params(ownerId, id).update();
        return shas;
    }

    /** Generated images are content-addressed like dataset images, so a registered set shares blobs. */
    boolean blobReferenced(String sha) {
        return jdbc.sql("""
                        select (select count(*) from generated_images where sha256 = :s)
                             + (select count(*) from images where original_sha256 = :s or processed_sha256 = :s)""")
                .param("s", sha).query(Long.class).single() > 0;
    }

    List<GeneratedImage> images(String id, Integer grade, int limit) {
        String sql = "select * from generated_images where generation_id = :id" + (grade != null ? " and grade = :g" : "")
                + " order by idx limit :limit";
        JdbcClient.StatementSpec spec = jdbc.sql(sql).param("id", id).param("limit", limit);
        if (grade != null) {
            spec = spec.param("g", grade);
        }
        return spec.query((rs, n) -> new GeneratedImage(rs.getInt("idx"), rs.getInt("chunk"),
                (Integer) rs.getObject("grade"), rs.getString("filename"), rs.getString("sha256"))).list();
    }

    List<String> unfinishedIds() {
        return jdbc.sql("select id from generations where state in ('QUEUED', 'RUNNING')").query(String.class).list();
    }

    private Generation generation(ResultSet rs, int n) throws SQLException {
        String provenance = rs.getString("provenance");
        return new Generation(rs.getString("id"), rs.getString("owner_id"), rs.getString("model_job_id"),
                rs.getString("model_sha256"), json.readValue(rs.getString("plan"), GenerationPlan.class),
                JobState.valueOf(rs.getString("state")), rs.getInt("total_images"), rs.getInt("done_images"),
                JobRows.nullableDouble(rs, "images_per_second"), JobRows.nullableDouble(rs, "eta_seconds"), rs.getString("worker"),
                rs.getInt("attempts"), rs.getBoolean("cancel_requested"), rs.getString("error"),
                provenance == null ? Map.of() : json.readValue(provenance, MAP),
                rs.getObject("created_at", OffsetDateTime.class), rs.getObject("started_at", OffsetDateTime.class),
                rs.getObject("finished_at", OffsetDateTime.class), rs.getObject("updated_at", OffsetDateTime.class));
    }
}
