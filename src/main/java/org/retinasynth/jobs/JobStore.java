package org.retinasynth.jobs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.retinasynth.quota.Quota;
import org.retinasynth.quota.QuotaService;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The one store of every job's common row. Every state change goes through {@link #move}, whose
 * guard comes from {@link JobState#sourcesOf}; a kind's own columns live in its own table, which a
 * kind's reads join by id ({@link #find(String, String, String, String, RowMapper)}, {@link #page}).
 */
@Repository
public class JobStore {

    /** A queued execution to re-enqueue: its kind is the queue's task name. */
    public record Ref(String kind, String id) {
    }

    private final JdbcClient jdbc;
    private final QuotaService quotas;

    JobStore(JdbcClient jdbc, QuotaService quotas) {
        this.jdbc = jdbc;
        this.quotas = quotas;
    }

    /** A new QUEUED job; the kind's own row is inserted by the caller in the same transaction or right after. */
    public void insert(String id, String ownerId, String kind, String parentId, long total) {
        insert(id, ownerId, kind, parentId, total, null);
    }

    /** A new QUEUED job whose spec is kept on the common row ({@code specJson}). */
    public void insert(String id, String ownerId, String kind, String parentId, long total, String specJson) {
        // a study's units are part of the job the owner asked for, counted once with it
        if (parentId == null) {
            quotas.require(ownerId, Quota.ACTIVE_JOBS, 1);
        }
        OffsetDateTime now = now();
        jdbc.sql("""
                        insert into jobs (id, owner_id, kind, parent_id, state, total, spec_json, created_at, updated_at)
                        values (?,?,?,?,?,?,?,?,?)""")
                .params(id, ownerId, kind, parentId, JobState.QUEUED.name(), total, specJson, now, now).update();
    }

    /** The result of a kind that keeps it on the common row. */
    public void result(String id, String resultJson) {
        jdbc.sql("update jobs set result_json = ?, updated_at = ? where id = ?").params(resultJson, now(), id).update();
    }

    /** For a worker, which acts for whichever owner queued the job. */
    public Optional<Job> find(String id) {
        return jdbc.sql("select * from jobs where id = ?").param(id).query((rs, n) -> job(rs)).optional();
    }

    /** Several jobs by id in one query (absent ids are left out), for a poller watching many at once. */
    public List<Job> findAll(java.util.Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select * from jobs where id in (:ids)").param("ids", List.copyOf(ids))
                .query((rs, n) -> job(rs)).list();
    }

    /** An owner's job of one kind joined with that kind's row; empty for another owner's id. */
    public <T> Optional<T> find(String ownerId, String kind, String table, String id, RowMapper<T> row) {
        return jdbc.sql("select * from jobs j join " + table + " k on k.id = j.id "
                        + "where j.owner_id = ? and j.kind = ? and j.id = ?")
                .params(ownerId, kind, id).query(row).optional();
    }

    /** The same row for a worker. */
    public <T> Optional<T> find(String table, String id, RowMapper<T> row) {
        return jdbc.sql("select * from jobs j join " + table + " k on k.id = j.id where j.id = ?")
                .param(id).query(row).optional();
    }

    /**
     * An owner's top-level jobs of one kind, newest first. {@code filters} are equality tests on
     * columns named by the kind's code (never by a request); null values are left out.
     */
    public <T> Page<T> page(String ownerId, String kind, String table, JobState state, Map<String, Object> filters,
                            int page, int size, RowMapper<T> row) {
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("j.owner_id", ownerId);
        where.put("j.kind", kind);
        where.put("j.state", state == null ? null : state.name());
        filters.forEach((column, value) -> where.put("k." + column, value));
        StringBuilder sql = new StringBuilder(" from jobs j" + (table == null ? "" : " join " + table + " k on k.id = j.id")
                + " where j.parent_id is null");
        Map<String, Object> params = new LinkedHashMap<>();
        where.forEach((column, value) -> {
            if (value != null) {
                String name = "p" + params.size();
                sql.append(" and ").append(column).append(" = :").append(name);
                params.put(name, value);
            }
        });
        List<T> items = jdbc.sql("select *" + sql + " order by j.created_at desc, j.id limit :limit offset :offset")
                .params(params).param("limit", size).param("offset", (long) page * size).query(row).list();
        long total = jdbc.sql("select count(*)" + sql).params(params).query(Long.class).single();
        return new Page<>(items, page, size, total);
    }

    public List<Job> children(String parentId) {
        return jdbc.sql("select * from jobs where parent_id = ? order by created_at, id").param(parentId)
                .query((rs, n) -> job(rs)).list();
    }

    /** Moves a job to RUNNING for an attempt on this worker; false if it has ended meanwhile. */
    public boolean markStarted(String id, String device, String worker, Long total) {
        return jdbc.sql("update jobs set state = ?, device = ?, worker = ?, total = coalesce(?, total), "
                        + "attempts = attempts + 1, started_at = coalesce(started_at, ?), updated_at = ? "
                        + "where id = ? and state in (" + sources(JobState.RUNNING) + ")")
                .params(JobState.RUNNING.name(), device, worker, total, now(), now(), id).update() == 1;
    }

    public void progress(String id, Progress p) {
        jdbc.sql("update jobs set done = ?, total = ?, phase = coalesce(?, phase), rate = ?, eta_seconds = ?, "
                        + "updated_at = ? where id = ?")
                .params(p.done(), p.total(), p.phase(), p.rate(), p.etaSeconds(), now(), id).update();
    }

    /** A job that no longer exists counts as cancelled, so that its worker stops. */
    public boolean cancelRequested(String id) {
        return jdbc.sql("select cancel_requested from jobs where id = ?").param(id)
                .query(Boolean.class).optional().orElse(true);
    }

    /** Flags a job and its units; each stops at its next check. */
    public void requestCancel(String id) {
        jdbc.sql("update jobs set cancel_requested = true, updated_at = ? where id = ? or parent_id = ?")
                .params(now(), id, id).update();
    }

    /**
     * Ends a job in {@code target} if the state table allows it from where the job is now;
     * false if it does not (already ended, or a move that is not allowed).
     */
    public boolean move(String id, JobState target, String error) {
        if (!target.finished()) {
            throw new IllegalArgumentException("jobs are started with markStarted, not moved to " + target);
        }
        return jdbc.sql("update jobs set state = ?, error = ?, eta_seconds = 0, finished_at = ?, updated_at = ? "
                        + "where id = ? and state in (" + sources(target) + ")")
                .params(target.name(), error == null ? null : errorText(error), now(), now(), id).update() == 1;
    }

    /** Ends a job only while it is still queued; false once a worker has it. */
    public boolean cancelIfQueued(String id, String reason) {
        return jdbc.sql("update jobs set state = ?, error = ?, eta_seconds = 0, finished_at = ?, updated_at = ? "
                        + "where id = ? and state = ?")
                .params(JobState.CANCELLED.name(), reason, now(), now(), id, JobState.QUEUED.name()).update() == 1;
    }

    /** Deletes a job with its kind's row and its units (foreign keys cascade). */
    public void delete(String id) {
        jdbc.sql("delete from jobs where id = ?").param(id).update();
    }

    public List<Ref> unfinished() {
        return jdbc.sql("select kind, id from jobs where state in ('QUEUED', 'RUNNING') order by created_at, id")
                .query((rs, n) -> new Ref(rs.getString("kind"), rs.getString("id"))).list();
    }

    /** The common part of a row that may carry a kind's columns too. */
    public static Job job(ResultSet rs) throws SQLException {
        return new Job(rs.getString("id"), rs.getString("owner_id"), rs.getString("kind"), rs.getString("parent_id"),
                JobState.valueOf(rs.getString("state")),
                new Progress(rs.getLong("done"), rs.getLong("total"), rs.getString("phase"),
                        nullableDouble(rs, "rate"), nullableDouble(rs, "eta_seconds")),
                rs.getString("device"), rs.getString("worker"), rs.getInt("attempts"),
                rs.getBoolean("cancel_requested"), rs.getString("error"),
                rs.getObject("created_at", OffsetDateTime.class), rs.getObject("started_at", OffsetDateTime.class),
                rs.getObject("finished_at", OffsetDateTime.class), rs.getObject("updated_at", OffsetDateTime.class),
                rs.getString("spec_json"), rs.getString("result_json"));
    }

    /** A nullable double column: null, not 0, when the row has no value yet. */
    public static Double nullableDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    public static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    private static String sources(JobState target) {
        return String.join(", ", JobState.sourcesOf(target).stream().map(s -> "'" + s.name() + "'").toList());
    }

    /** An error message cut to fit the {@code error varchar(4000)} column. */
    private static String errorText(String s) {
        return s.length() > 3900 ? s.substring(0, 3900) + "…" : s;
    }
}
