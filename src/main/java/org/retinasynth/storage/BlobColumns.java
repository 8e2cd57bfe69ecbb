package org.retinasynth.storage;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The database columns that hold one blob key each. Blobs are content-addressed and shared (two
 * jobs, or a generated set and a dataset made from it, can name the same bytes), so whoever deletes
 * a blob first asks whether any of these still names it: job deletion at once, the collector after
 * its grace period. One list for both, so the two cannot disagree about what is live.
 */
public final class BlobColumns {

    /** A column of a table. */
    public record Column(String table, String column) {
    }

    /** Columns holding one blob key each. */
    public static final List<Column> KEYS = List.of(
            new Column("images", "original_sha256"),
            new Column("images", "processed_sha256"),
            new Column("training_jobs", "checkpoint_sha256"),
            new Column("training_jobs", "model_sha256"),
            new Column("training_jobs", "reconstructions_sha256"),
            new Column("generations", "model_sha256"),
            new Column("generated_images", "sha256"),
            new Column("studies", "report_sha256"),
            new Column("study_units", "blob_sha256"));

    /** One query counting the rows of {@link #KEYS} that name the key bound to {@code :sha256}. */
    public static final String COUNT_REFERENCES = KEYS.stream()
            .map(c -> "(select count(*) from " + c.table() + " where " + c.column() + " = :sha256)")
            .collect(Collectors.joining(" + ", "select ", ""));

    private BlobColumns() {}
}
