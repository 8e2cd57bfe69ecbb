package org.retinasynth.generation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.retinasynth.jobs.JobState;
import org.retinasynth.jobs.JobStore;
import org.retinasynth.jobs.Page;
import org.retinasynth.jobs.Progress;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
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
    private final JobStore store;
    private final ObjectMapper json;
    private final JdbcTemplate batch;
    private final TransactionTemplate tx;

    GenerationRepository(JdbcClient jdbc, JobStore store, JdbcTemplate batch, ObjectMapper json,
                         TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.store = store;
        this.batch = batch;
        this.json = json;
        this.tx = tx;
    }

    @Transactional
    void insert(String id, String ownerId, String modelJobId, String modelSha, GenerationPlan plan,
                GenerationProvenance provenance) {
        store.insert(id, ownerId, GenerationRunner.TYPE.name(), null, plan.total());
        jdbc.sql("""
                        insert into generations (id, model_job_id, model_sha256, plan, total_images, provenance)
                        values (?,?,?,?,?,?)""")
                .params(id, modelJobId, modelSha, json.writeValueAsString(plan), plan.total(),
                        json.writeValueAsString(provenance))
                .update();
    }

    Optional<Generation> find(String ownerId, String id) {
        return store.find(ownerId, GenerationRunner.TYPE.name(), GenerationRunner.TYPE.table(), id, this::generation);
    }

    /** For the worker, which acts for whichever owner asked. */
    Optional<Generation> find(String id) {
        return store.find(GenerationRunner.TYPE.table(), id, this::generation);
    }

    Page<Generation> page(String ownerId, String modelJobId, JobState state, int page, int size) {
        Map<String, Object> filters = new LinkedHashMap<>();
        filters.put("model_job_id", modelJobId);
        return store.page(ownerId, GenerationRunner.TYPE.name(), GenerationRunner.TYPE.table(), state, filters, page,
                size, this::generation);
    }

    /** Chunks whose rows are all stored; rows of a chunk are committed together. */
    int finishedChunks(String id) {
        return jdbc.sql("select coalesce(max(chunk) + 1, 0) from generated_images where generation_id = ?").param(id)
                .query(Integer.class).single();
    }

    /**
     * A chunk's rows and the progress they make, in one transaction; with {@code provenance} (a
     * filtered set's tallies so far) that too, so that the tallies never count a chunk the rows lack.
     */
    void chunkDone(String id, int chunk, List<GeneratedImage> images, Progress progress,
                   GenerationProvenance provenance) {
        tx.executeWithoutResult(status -> {
            if (provenance != null) {
                provenance(id, provenance);
            }
            jdbc.sql("delete from generated_images where generation_id = ? and chunk = ?").params(id, chunk).update();
            batch.batchUpdate("insert into generated_images (generation_id, idx, chunk, grade, filename, sha256) "
                    + "values (?,?,?,?,?,?)", images.stream().map(i -> new Object[] {id, i.index(), i.chunk(), i.grade(),
                    i.filename(), i.sha256()}).toList(), ROW_TYPES);
            store.progress(id, progress);
        });
    }

    void provenance(String id, GenerationProvenance provenance) {
        jdbc.sql("update generations set provenance = ? where id = ?")
                .params(json.writeValueAsString(provenance), id).update();
    }

    /** The image blobs the set names, read before its rows go. */
    List<String> blobs(String id) {
        return jdbc.sql("select distinct sha256 from generated_images where generation_id = ?").param(id)
                .query(String.class).list();
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

    private Generation generation(ResultSet rs, int n) throws SQLException {
        String provenance = rs.getString("provenance");
        return new Generation(JobStore.job(rs), rs.getString("model_job_id"), rs.getString("model_sha256"),
                json.readValue(rs.getString("plan"), GenerationPlan.class),
                provenance == null ? null : json.readValue(provenance, GenerationProvenance.class));
    }
}
