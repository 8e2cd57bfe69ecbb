package org.retinasynth.dataset;

import java.awt.Rectangle;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Owner-scoped SQL for datasets, uploads and images. Every dataset query names the owner, so a
 * caller cannot reach another owner's rows by id; image queries go through an owned dataset id.
 */
@Repository
class DatasetRepository {

    private static final String DATASET_COLUMNS = """
            d.id, d.owner_id, d.name, d.description, d.working_size, d.class_names, d.split_seed,
            d.val_fraction, d.test_fraction, d.created_at,
            (select count(*) from images i where i.dataset_id = d.id) as image_count""";

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    DatasetRepository(JdbcClient jdbc, JdbcTemplate batch) {
        this.batch = batch;
        this.jdbc = jdbc;
    }

    void insert(Dataset d) {
        jdbc.sql("""
                        insert into datasets (id, owner_id, name, description, working_size, class_names, split_seed,
                                              val_fraction, test_fraction, created_at)
                        values (?,?,?,?,?,?,?,?,?,?)""")
                .params(d.id(), d.ownerId(), d.name(), d.description(), d.workingSize(),
                        String.join("\n", d.classNames()), d.splitSeed(), d.valFraction(), d.testFraction(),
                        d.createdAt())
                .update();
    }

    Optional<Dataset> find(String ownerId, String id) {
        return jdbc.sql("select " + DATASET_COLUMNS + " from datasets d where d.owner_id = ? and d.id = ?")
                .params(ownerId, id).query(DatasetRepository::dataset).optional();
    }

    boolean nameTaken(String ownerId, String name) {
        return jdbc.sql("select count(*) from datasets where owner_id = ? and name = ?")
                .params(ownerId, name).query(Long.class).single() > 0;
    }

    List<Dataset> page(String ownerId, int page, int size) {
        return jdbc.sql("select " + DATASET_COLUMNS
                        + " from datasets d where d.owner_id = ? order by d.created_at desc, d.id limit ? offset ?")
                .params(ownerId, size, (long) page * size).query(DatasetRepository::dataset).list();
    }

    long count(String ownerId) {
        return jdbc.sql("select count(*) from datasets where owner_id = ?").param(ownerId).query(Long.class).single();
    }

    /** Deletes the dataset (images and uploads cascade) and returns the blob keys it referenced. */
    Set<String> delete(String ownerId, String id) {
        Set<String> blobs = new java.util.HashSet<>(jdbc.sql(
                "select original_sha256 from images where dataset_id = ? union select processed_sha256 from images where dataset_id = ?")
                .params(id, id).query(String.class).list());
        jdbc.sql("delete from datasets where owner_id = ? and id = ?").params(ownerId, id).update();
        return blobs;
    }

    /** Generated sets share blobs with the datasets registered from them, so their images count too. */
    boolean blobReferenced(String sha256) {
        return jdbc.sql("""
                        select (select count(*) from images where original_sha256 = :s or processed_sha256 = :s)
                             + (select count(*) from generated_images where sha256 = :s)""")
                .param("s", sha256).query(Long.class).single() > 0;
    }

    Set<String> filenames(String datasetId) {
        return Set.copyOf(jdbc.sql("select filename from images where dataset_id = ?").param(datasetId)
                .query(String.class).list());
    }

    void insertUpload(String id, String datasetId, String source, int accepted, int rejected, long bytes,
                      String reportJson, OffsetDateTime at) {
        jdbc.sql("insert into uploads (id, dataset_id, source, accepted, rejected, bytes, report, created_at) values (?,?,?,?,?,?,?,?)")
                .params(id, datasetId, source, accepted, rejected, bytes, reportJson, at).update();
    }

    List<String> uploadReports(String datasetId) {
        return jdbc.sql("select report from uploads where dataset_id = ? order by created_at, id").param(datasetId)
                .query(String.class).list();
    }

    /** All rows of one upload in JDBC batches: one round trip per batch instead of per image. */
    void insertImages(List<DatasetImage> images) {
        batch.batchUpdate("""
                        insert into images (id, dataset_id, upload_id, filename, grade, split, split_given, quality, device,
                            patient, eye, original_sha256, original_format, original_bytes, width, height,
                            fov_x, fov_y, fov_w, fov_h, processed_sha256, brightness, contrast, sharpness, created_at)
                        values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", images, 500, (ps, i) -> {
            Rectangle f = i.fieldOfView();
            ImageQuality q = i.imageQuality();
            Object[] values = {i.id(), i.datasetId(), i.uploadId(), i.filename(), i.grade(), i.split().label(),
                    i.splitGiven(), i.quality(), i.device(), i.patient(), i.eye(), i.originalSha256(),
                    i.originalFormat(), i.originalBytes(), i.width(), i.height(), f.x, f.y, f.width, f.height,
                    i.processedSha256(), q.brightness(), q.contrast(), q.sharpness(), i.createdAt()};
            for (int k = 0; k < values.length; k++) {
                StatementCreatorUtils.setParameterValue(ps, k + 1, SqlTypeValue.TYPE_UNKNOWN, values[k]);
            }
        });
    }

    /** Images of a dataset, optionally filtered; ordered by filename so pages are stable. */
    List<DatasetImage> images(String datasetId, Integer grade, Split split, int limit, long offset) {
        return filtered("select * from images", datasetId, grade, split, " order by filename limit :limit offset :offset")
                .param("limit", limit).param("offset", offset).query(DatasetRepository::image).list();
    }

    long countImages(String datasetId, Integer grade, Split split) {
        return filtered("select count(*) from images", datasetId, grade, split, "").query(Long.class).single();
    }

    private JdbcClient.StatementSpec filtered(String select, String datasetId, Integer grade, Split split, String tail) {
        String sql = select + " where dataset_id = :d" + (grade != null ? " and grade = :g" : "")
                + (split != null ? " and split = :s" : "") + tail;
        JdbcClient.StatementSpec spec = jdbc.sql(sql).param("d", datasetId);
        if (grade != null) {
            spec = spec.param("g", grade);
        }
        if (split != null) {
            spec = spec.param("s", split.label());
        }
        return spec;
    }

    /** Every split each patient of the dataset already has images in. */
    Map<String, Set<Split>> patientSplits(String datasetId) {
        Map<String, Set<Split>> result = new java.util.HashMap<>();
        jdbc.sql("select distinct patient, split from images where dataset_id = ? and patient is not null")
                .param(datasetId)
                .query((rs, n) -> Map.entry(rs.getString("patient"), Split.valueOf(rs.getString("split").toUpperCase())))
                .list()
                .forEach(e -> result.computeIfAbsent(e.getKey(), p -> java.util.EnumSet.noneOf(Split.class))
                        .add(e.getValue()));
        return result;
    }

    Optional<DatasetImage> image(String datasetId, String imageId) {
        return jdbc.sql("select * from images where dataset_id = ? and id = ?").params(datasetId, imageId)
                .query(DatasetRepository::image).optional();
    }

    private static Dataset dataset(ResultSet rs, int n) throws SQLException {
        return new Dataset(rs.getString("id"), rs.getString("owner_id"), rs.getString("name"),
                rs.getString("description"), rs.getInt("working_size"),
                Arrays.asList(rs.getString("class_names").split("\n")), rs.getLong("split_seed"),
                rs.getDouble("val_fraction"), rs.getDouble("test_fraction"),
                rs.getObject("created_at", OffsetDateTime.class), rs.getLong("image_count"));
    }

    private static DatasetImage image(ResultSet rs, int n) throws SQLException {
        return new DatasetImage(rs.getString("id"), rs.getString("dataset_id"), rs.getString("upload_id"),
                rs.getString("filename"), rs.getInt("grade"), Split.valueOf(rs.getString("split").toUpperCase()),
                rs.getBoolean("split_given"), rs.getString("quality"), rs.getString("device"),
                rs.getString("patient"), rs.getString("eye"),
                rs.getString("original_sha256"), rs.getString("original_format"), rs.getLong("original_bytes"),
                rs.getInt("width"), rs.getInt("height"),
                new Rectangle(rs.getInt("fov_x"), rs.getInt("fov_y"), rs.getInt("fov_w"), rs.getInt("fov_h")),
                rs.getString("processed_sha256"),
                new ImageQuality(rs.getDouble("brightness"), rs.getDouble("contrast"), rs.getDouble("sharpness")),
                rs.getObject("created_at", OffsetDateTime.class));
    }
}
