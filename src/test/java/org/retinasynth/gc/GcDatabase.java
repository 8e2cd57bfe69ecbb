package org.retinasynth.gc;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.retinasynth.storage.BlobStore;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** A fresh in-memory database with the service's schema, and rows that name blobs in every way the schema allows. */
final class GcDatabase {

    final DriverManagerDataSource dataSource;
    final JdbcClient jdbc;
    final DataSourceTransactionManager transactions;

    GcDatabase() {
        dataSource = new DriverManagerDataSource("jdbc:h2:mem:gc-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(dataSource).load().migrate();
        jdbc = JdbcClient.create(dataSource);
        transactions = new DataSourceTransactionManager(dataSource);
    }

    BlobReferences references(BlobStore store) {
        return new BlobReferences(dataSource, transactions, store);
    }

    /**
     * One owner, dataset, upload and image, a training job, a generated set, and a finished study
     * with a unit and a report naming a figure, each row naming its own blob; returns place -> key.
     */
    Map<String, String> referencedWorld(BlobStore store) {
        Map<String, String> refs = new LinkedHashMap<>();
        String owner = id();
        jdbc.sql("insert into owners (id, name, created_at) values (?, ?, current_timestamp)").params(owner, owner).update();
        String dataset = id();
        jdbc.sql("""
                insert into datasets (id, owner_id, name, working_size, class_names, split_seed, val_fraction,
                                      test_fraction, created_at)
                values (?, ?, 'd', 32, '0,1', 1, 0.2, 0.2, current_timestamp)""").params(dataset, owner).update();
        String upload = id();
        jdbc.sql("""
                insert into uploads (id, dataset_id, source, accepted, rejected, bytes, report, created_at)
                values (?, ?, 'files', 1, 0, 1, '{}', current_timestamp)""").params(upload, dataset).update();
        refs.put("images.original_sha256", put(store, "original"));
        refs.put("images.processed_sha256", put(store, "processed"));
        jdbc.sql("""
                insert into images (id, dataset_id, upload_id, filename, grade, split, split_given, original_sha256,
                                    original_format, original_bytes, width, height, fov_x, fov_y, fov_w, fov_h,
                                    processed_sha256, brightness, contrast, sharpness, created_at)
                values (?, ?, ?, 'a.png', 0, 'TRAIN', false, ?, 'png', 1, 1, 1, 0, 0, 1, 1, ?, 0, 0, 0, current_timestamp)""")
                .params(id(), dataset, upload, refs.get("images.original_sha256"), refs.get("images.processed_sha256"))
                .update();

        String training = job(owner, null, "training-job", null, null);
        refs.put("training_jobs.checkpoint_sha256", put(store, "checkpoint"));
        refs.put("training_jobs.model_sha256", put(store, "model"));
        refs.put("training_jobs.reconstructions_sha256", put(store, "reconstructions"));
        refs.put("training_jobs.provenance", put(store, "named in provenance"));
        jdbc.sql("""
                insert into training_jobs (id, dataset_id, model_type, spec, total_epochs, checkpoint_sha256,
                                           model_sha256, reconstructions_sha256, provenance)
                values (?, ?, 'VAE', '{}', 1, ?, ?, ?, ?)""")
                .params(training, dataset, refs.get("training_jobs.checkpoint_sha256"),
                        refs.get("training_jobs.model_sha256"), refs.get("training_jobs.reconstructions_sha256"),
                        "{\"archive\":\"" + refs.get("training_jobs.provenance") + "\"}").update();

        String generation = job(owner, null, "generation-job", null, null);
        refs.put("generations.model_sha256", put(store, "generation model"));
        jdbc.sql("insert into generations (id, model_job_id, model_sha256, plan, total_images) values (?, ?, ?, '{}', 1)")
                .params(generation, training, refs.get("generations.model_sha256")).update();
        refs.put("generated_images.sha256", put(store, "generated"));
        jdbc.sql("insert into generated_images (generation_id, idx, chunk, filename, sha256) values (?, 0, 0, 'g.png', ?)")
                .params(generation, refs.get("generated_images.sha256")).update();

        refs.putAll(study(store, owner, dataset, "study"));
        refs.remove("study id");

        refs.put("jobs.spec_json", put(store, "named in a spec"));
        refs.put("jobs.result_json", put(store, "named in a result"));
        job(owner, null, "other-job", "{\"input\":\"" + refs.get("jobs.spec_json") + "\"}",
                "{\"output\":\"" + refs.get("jobs.result_json") + "\"}");
        return refs;
    }

    /** A study with a unit blob, a report and a figure the report names; returns place -> key. */
    Map<String, String> study(BlobStore store, String owner, String dataset, String tag) {
        Map<String, String> refs = new LinkedHashMap<>();
        String study = job(owner, null, "study-job", null, null);
        refs.put("study report figure", put(store, tag + " figure"));
        refs.put("studies.report_sha256", store.put(("{\"figures\":[{\"name\":\"loss\",\"sha256\":\""
                + refs.get("study report figure") + "\"}]}").getBytes(StandardCharsets.UTF_8)));
        jdbc.sql("insert into studies (id, dataset_id, spec, report_sha256) values (?, ?, '{}', ?)")
                .params(study, dataset, refs.get("studies.report_sha256")).update();
        String unit = job(owner, study, "study-unit", null, null);
        refs.put("study_units.blob_sha256", put(store, tag + " unit archive"));
        jdbc.sql("""
                insert into study_units (study_id, unit_key, result, blob_sha256, seconds, created_at, job_id)
                values (?, 'gen-VAE', '{}', ?, 1, current_timestamp, ?)""")
                .params(study, refs.get("study_units.blob_sha256"), unit).update();
        refs.put("study id", study);
        return refs;
    }

    String ownerId() {
        return jdbc.sql("select id from owners limit 1").query(String.class).single();
    }

    String datasetId() {
        return jdbc.sql("select id from datasets limit 1").query(String.class).single();
    }

    String job(String owner, String parent, String kind, String spec, String result) {
        String id = id();
        jdbc.sql("""
                insert into jobs (id, owner_id, kind, parent_id, state, spec_json, result_json, created_at, updated_at)
                values (?, ?, ?, ?, 'SUCCEEDED', ?, ?, current_timestamp, current_timestamp)""")
                .params(id, owner, kind, parent, spec, result).update();
        return id;
    }

    static String put(BlobStore store, String text) {
        return store.put(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
