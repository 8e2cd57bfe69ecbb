package org.retinasynth.study;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.retinasynth.jobs.JobState;
import org.retinasynth.jobs.JobStore;
import org.retinasynth.jobs.Page;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.ObjectMapper;

/** A study's own columns and its units' rows; the common job rows are the {@link JobStore}'s. */
@Repository
class StudyRepository {

    /** A finished piece of work: its JSON result and, for a model, the archive in the blob store. */
    record Unit(String key, String resultJson, String blobSha256, double seconds) {
    }

    /** A unit's row: queued as a child job ({@code jobId}), finished once it has a result. */
    record UnitRow(String studyId, String key, String jobId, boolean finished) {
    }

    private final JdbcClient jdbc;
    private final JobStore store;
    private final ObjectMapper json;

    StudyRepository(JdbcClient jdbc, JobStore store, ObjectMapper json) {
        this.jdbc = jdbc;
        this.store = store;
        this.json = json;
    }

    @Transactional
    void insert(String id, String ownerId, StudySpec spec) {
        store.insert(id, ownerId, StudyRunner.TYPE.name(), null, 0);
        jdbc.sql("insert into studies (id, dataset_id, spec) values (?,?,?)")
                .params(id, spec.datasetId(), json.writeValueAsString(spec)).update();
    }

    Optional<Study> find(String ownerId, String id) {
        return store.find(ownerId, StudyRunner.TYPE.name(), StudyRunner.TYPE.table(), id, this::study);
    }

    /** For the worker, which acts for whichever owner queued the study. */
    Optional<Study> find(String id) {
        return store.find(StudyRunner.TYPE.table(), id, this::study);
    }

    Page<Study> page(String ownerId, JobState state, int page, int size) {
        return store.page(ownerId, StudyRunner.TYPE.name(), StudyRunner.TYPE.table(), state, Map.of(), page, size,
                this::study);
    }

    void reportDone(String id, String reportSha) {
        jdbc.sql("update studies set report_sha256 = ? where id = ?").params(reportSha, id).update();
    }

    /** Queues nothing itself: the unit's child job and its row, together. */
    @Transactional
    void addUnit(String studyId, String ownerId, String key, String jobId) {
        store.insert(jobId, ownerId, StudyUnitRunner.TYPE.name(), studyId, 0);
        jdbc.sql("insert into study_units (study_id, unit_key, job_id, created_at) values (?,?,?,?)")
                .params(studyId, key, jobId, JobStore.now()).update();
    }

    Optional<UnitRow> unitOfJob(String jobId) {
        return jdbc.sql("select study_id, unit_key, job_id, result from study_units where job_id = ?").param(jobId)
                .query(this::unitRow).optional();
    }

    Map<String, UnitRow> unitRows(String studyId) {
        return jdbc.sql("select study_id, unit_key, job_id, result from study_units where study_id = ?")
                .param(studyId).query(this::unitRow).list().stream()
                .collect(Collectors.toMap(UnitRow::key, u -> u));
    }

    /** Stores a unit's result in its row, or in a new row for a result no job of its own made. */
    void saveUnit(String studyId, Unit unit) {
        int updated = jdbc.sql("update study_units set result = ?, blob_sha256 = ?, seconds = ? "
                        + "where study_id = ? and unit_key = ?")
                .params(unit.resultJson(), unit.blobSha256(), unit.seconds(), studyId, unit.key()).update();
        if (updated == 0) {
            jdbc.sql("""
                            insert into study_units (study_id, unit_key, result, blob_sha256, seconds, created_at)
                            values (?,?,?,?,?,?)""")
                    .params(studyId, unit.key(), unit.resultJson(), unit.blobSha256(), unit.seconds(), JobStore.now())
                    .update();
        }
    }

    /** The finished units. */
    Map<String, Unit> units(String studyId) {
        return jdbc.sql("select * from study_units where study_id = ? and result is not null").param(studyId)
                .query((rs, n) -> new Unit(rs.getString("unit_key"), rs.getString("result"),
                        rs.getString("blob_sha256"), rs.getDouble("seconds")))
                .list().stream().collect(Collectors.toMap(Unit::key, u -> u));
    }

    /** The worker each unit ran on (its last attempt), for the report's provenance. */
    Map<String, String> unitWorkers(String studyId) {
        return jdbc.sql("select u.unit_key, j.worker from study_units u join jobs j on j.id = u.job_id "
                        + "where u.study_id = ? and j.worker is not null")
                .param(studyId).query((rs, n) -> Map.entry(rs.getString(1), rs.getString(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Blobs the study's units and report point at, for deleting what nothing else uses. */
    List<String> blobs(String studyId) {
        return jdbc.sql("""
                        select blob_sha256 from study_units where study_id = :s and blob_sha256 is not null
                        union select report_sha256 from studies where id = :s and report_sha256 is not null""")
                .param("s", studyId).query(String.class).list();
    }

    private UnitRow unitRow(ResultSet rs, int n) throws SQLException {
        return new UnitRow(rs.getString("study_id"), rs.getString("unit_key"), rs.getString("job_id"),
                rs.getString("result") != null);
    }

    private Study study(ResultSet rs, int n) throws SQLException {
        return new Study(JobStore.job(rs), rs.getString("dataset_id"),
                json.readValue(rs.getString("spec"), StudySpec.class), rs.getString("report_sha256"));
    }
}
