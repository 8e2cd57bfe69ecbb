package org.retinasynth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards {@link BlobReferences} against a new place that names blobs: every character column of
 * the migrated schema wide enough for a 64-character key must be one the collector reads, or one
 * listed here as naming no blob. Adding a column fails this test until it is classified.
 */
class BlobReferencesSchemaTest {

    /** Wide character columns that never hold a blob key, and why. */
    private static final Set<String> NAME_NO_BLOB = Set.of(
            "owners.name",
            "api_keys.key_hash", // sha256 of an API key, not of stored bytes
            "api_keys.label",
            "datasets.name", "datasets.description", "datasets.class_names",
            "uploads.report", // counts and rejected file names
            "images.filename", "images.quality", "images.device", "images.patient",
            "generated_images.filename",
            "study_units.unit_key",
            "jobs.phase", "jobs.worker", "jobs.error");

    /** Tables of the libraries, not of the service. */
    private static final Set<String> NOT_OURS = Set.of("flyway_schema_history", "scheduled_tasks");

    @Test
    void everyWideCharacterColumnIsClassified() {
        GcDatabase db = new GcDatabase();
        List<String> wide = db.jdbc.sql("""
                        select table_name || '.' || column_name from information_schema.columns
                        where lower(table_schema) = 'public' and upper(data_type) in ('CHARACTER',
                              'CHARACTER VARYING', 'CHARACTER LARGE OBJECT') and character_maximum_length >= 64""")
                .query(String.class).list().stream().filter(c -> !NOT_OURS.contains(c.substring(0, c.indexOf('.'))))
                .toList();
        List<String> read = Stream.concat(BlobReferences.HASH_COLUMNS.stream(), BlobReferences.TEXT_COLUMNS.stream())
                .map(c -> c.table() + "." + c.column()).toList();
        List<String> unclassified = new ArrayList<>(wide);
        unclassified.removeAll(read);
        unclassified.removeAll(NAME_NO_BLOB);
        assertThat(unclassified).as("columns that may hold a blob key: add each to BlobReferences or, if it never "
                + "names a blob, to NAME_NO_BLOB here").isEmpty();
        // and nothing the collector reads or this test excuses has been renamed away
        assertThat(wide).containsAll(read).containsAll(NAME_NO_BLOB);
        assertThat(wide).hasSizeGreaterThan(20);
    }
}
