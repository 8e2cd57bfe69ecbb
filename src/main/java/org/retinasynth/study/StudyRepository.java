package org.retinasynth.study;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.retinasynth.jobs.JobRows;
import org.retinasynth.training.JobState;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.ObjectMapper;

/** SQL for studies and their finished units; reads by an owner always name the owner. */
@Repository
class StudyRepository {

    /** A finished piece of work: its JSON result and, for a model, the archive in the blob store. */
    record Unit(String key, String resultJson, String blobSha256, double seconds) {
    }

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    StudyRepository(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(String id, String ownerId, StudySpec spec) {
        OffsetDateTime now = JobRows.now();
        jdbc.sql("""
                        insert into studies (id, owner_id, dataset_id, spec, state, created_at, updated_at)
                        values (?,?,?,?,?,?,?)""")
                .params(id, ownerId, spec.datasetId(), json.writeValueAsString(spec), JobState.QUEUED.name(), now, now)
                .update();
    }

    Optional<Study> find(String ownerId, String id) {
        return jdbc.sql("select * from studies where owner_id = ? and id = ?").params(ownerId, id)
                .query(this::study).optional();
    }

    /** For the worker, which acts for whichever owner queued the study. */
    Optional<Study> find(String id) {
        return jdbc.sql("select * from studies where id = ?").param(id).query(this::study).optional();
    }

    List<Study> list(String ownerId, JobState state, int limit, long offset) {
        String where = " where owner_id = :o" + (state != null ? " and state = :s" : "");
        JdbcClient.StatementSpec s = jdbc.sql("select * from studies" + where
                        + " order by created_at desc, id limit :limit offset :offset")
                .param("o", ownerId).param("limit", limit).param("offset", offset);
        return (state != null ? s.param("s", state.name()) : s).query(this::study).list();
    }

    long count(String ownerId, JobState state) {
        JdbcClient.StatementSpec s = jdbc.sql("select count(*) from studies where owner_id = :o"
                + (state != null ? " and state = :s" : "")).param("o", ownerId);
        return (state != null ? s.param("s", state.name()) : s).query(Long.class).single();
    }

    /** Moves a study to RUNNING unless it already finished; returns false if it had. */
    boolean markStarted(String id, String device, String worker, int totalSteps) {
        return jdbc.sql("""
                        update studies set state = 'RUNNING', device = ?, worker = ?, total_steps = ?,
                               attempts = attempts + 1, started_at = coalesce(started_at, ?), updated_at = ?
                        where id = ? and state in ('QUEUED', 'RUNNING')""")
                .params(device, worker, totalSteps, JobRows.now(), JobRows.now(), id).update() == 1;
    }

    void progress(String id, String phase, int step, Double etaSeconds) {
        jdbc.sql("update studies set phase = ?, step = ?, eta_seconds = ?, updated_at = ? where id = ?")
                .params(phase, step, etaSeconds, JobRows.now(), id).update();
    }

    boolean cancelRequested(String id) {
        return jdbc.sql("select cancel_requested from studies where id = ?").param(id)
                .query(Boolean.class).optional().orElse(true);
    }

    void requestCancel(String id) {
        jdbc.sql("update studies set cancel_requested = true, updated_at = ? where id = ?").params(JobRows.now(), id).update();
    }

    void finish(String id, JobState state, String error, String reportSha) {
        jdbc.sql("""
                        update studies set state = ?, error = ?, report_sha256 = coalesce(?, report_sha256),
                               eta_seconds = 0, finished_at = ?, updated_at = ?
                        where id = ? and state in ('QUEUED', 'RUNNING')""")
                .params(state.name(), error == null ? null : JobRows.errorText(error), reportSha, JobRows.now(), JobRows.now(), id)
                .update();
    }

    void delete(String ownerId, String id) {
        jdbc.sql("delete from study_units where study_id = (select id from studies where owner_id = ? and id = ?)")
                .params(ownerId, id).update();
        jdbc.sql("delete from studies where owner_id = ? and id = ?").params(ownerId, id).update();
    }

    void saveUnit(String studyId, Unit unit) {
        jdbc.sql("delete from study_units where study_id = ? and unit_key = ?").params(studyId, unit.key()).update();
        jdbc.sql("""
                        insert into study_units (study_id, unit_key, result, blob_sha256, seconds, created_at)
                        values (?,?,?,?,?,?)""")
                .params(studyId, unit.key(), unit.resultJson(), unit.blobSha256(), unit.seconds(), JobRows.now()).update();
    }

    Map<String, Unit> units(String studyId) {
        return jdbc.sql("select * from study_units where study_id = ?").param(studyId)
                .query((rs, n) -> new Unit(rs.getString("unit_key"), rs.getString("result"),
                        rs.getString("blob_sha256"), rs.getDouble("seconds")))
                .list().stream().collect(Collectors.toMap(Unit::key, u -> u));
    }

    /** Blobs the study's units and report point at, for deleting what nothing else uses. */
    List<String> blobs(String studyId) {
        return jdbc.sql("""
                        select blob_sha256 from study_units where study_id = :s and blob_sha256 is not null
                        union select report_sha256 from studies where id = :s and report_sha256 is not null""")
                .param("s", studyId).query(String.class).list();
    }

    boolean referencedBlob(String sha) {
        return jdbc.sql("""
                        select (select count(*) from study_units where blob_sha256 = :s)
                             + (select count(*) from studies where report_sha256 = :s)""")
                .param("s", sha).query(Long.class).single() > 0;
    }

    List<String> unfinishedIds() {
        return jdbc.sql("select id from studies where state in ('QUEUED', 'RUNNING')").query(String.class).list();
    }

    private Study study(ResultSet rs, int n) throws SQLException {
        double eta = rs.getDouble("eta_seconds");
        Double etaOrNull = rs.wasNull() ? null : eta;
        return new Study(rs.getString("id"), rs.getString("owner_id"), rs.getString("dataset_id"),
                json.readValue(rs.getString("spec"), StudySpec.class), JobState.valueOf(rs.getString("state")),
                rs.getString("phase"), rs.getInt("step"), rs.getInt("total_steps"), etaOrNull, rs.getString("device"),
                rs.getString("worker"), rs.getInt("attempts"), rs.getBoolean("cancel_requested"), rs.getString("error"),
                rs.getString("report_sha256"), rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("started_at", OffsetDateTime.class), rs.getObject("finished_at", OffsetDateTime.class),
                rs.getObject("updated_at", OffsetDateTime.class));
    }
}
