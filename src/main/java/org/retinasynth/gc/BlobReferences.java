package org.retinasynth.gc;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.retinasynth.storage.BlobColumns;
import org.retinasynth.storage.BlobColumns.Column;
import org.retinasynth.storage.BlobStore;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every place the database names a blob, in one list: the one thing the collector must not get
 * wrong, since a place missing here is live data deleted. A new column that may hold a sha256
 * must be added to {@link BlobColumns#KEYS} or {@link #TEXT_COLUMNS}; {@code BlobReferencesSchemaTest}
 * fails for any character column wide enough to hold a key that is in neither list nor among the
 * columns it knows name no blob.
 */
@Component
class BlobReferences {

    /** Columns holding one blob key each. */
    static final List<Column> HASH_COLUMNS = BlobColumns.KEYS;

    /**
     * JSON columns (specs, results, provenance): every 64-hex-digit run in them counts as a
     * reference. Some are dataset content hashes rather than blobs; marking those costs nothing.
     */
    static final List<Column> TEXT_COLUMNS = List.of(
            new Column("training_jobs", "spec"),
            new Column("training_jobs", "provenance"),
            new Column("generations", "plan"),
            new Column("generations", "provenance"),
            new Column("studies", "spec"),
            new Column("study_units", "result"),
            new Column("jobs", "spec_json"),
            new Column("jobs", "result_json"));

    /** Blobs that name further blobs: a study report lists its figures only inside itself. */
    static final List<Column> DOCUMENT_COLUMNS = List.of(new Column("studies", "report_sha256"));

    private static final Pattern KEY = Pattern.compile("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])");

    private final JdbcTemplate jdbc;
    private final TransactionTemplate snapshot;
    private final BlobStore blobs;

    BlobReferences(DataSource dataSource, PlatformTransactionManager transactions, BlobStore blobs) {
        this.jdbc = new JdbcTemplate(dataSource);
        // rows stream from the server instead of arriving all at once (PostgreSQL, inside a transaction)
        this.jdbc.setFetchSize(10_000);
        this.snapshot = new TransactionTemplate(transactions);
        // one consistent view of every table, so a row moving between tables mid-mark is seen once
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setReadOnly(true);
        this.blobs = blobs;
    }

    /** Every key the database names, directly or through a study report. */
    KeySet mark() {
        KeySet marked = new KeySet();
        snapshot.executeWithoutResult(status -> {
            for (Column c : HASH_COLUMNS) {
                jdbc.query(select(c), rs -> {
                    marked.add(rs.getString(1).trim());
                });
            }
            for (Column c : TEXT_COLUMNS) {
                jdbc.query(select(c), rs -> {
                    addKeysIn(rs.getString(1), marked);
                });
            }
            for (Column c : DOCUMENT_COLUMNS) {
                jdbc.query(select(c), rs -> {
                    blobs.get(rs.getString(1).trim())
                            .ifPresent(b -> addKeysIn(new String(b, StandardCharsets.UTF_8), marked));
                });
            }
        });
        return marked.seal();
    }

    /**
     * Whether a key column names the blob now: the check just before a delete, for rows committed
     * since the mark. (A row naming a blob in JSON or a report is written only after the blob is
     * put, which makes the blob younger than the grace period, so the age check covers those.)
     */
    boolean isReferenced(String sha256) {
        Long n = new NamedParameterJdbcTemplate(jdbc).queryForObject(BlobColumns.COUNT_REFERENCES,
                java.util.Map.of("sha256", sha256), Long.class);
        return n != null && n > 0;
    }

    private static String select(Column c) {
        return "select " + c.column() + " from " + c.table() + " where " + c.column() + " is not null";
    }

    private static void addKeysIn(String text, KeySet marked) {
        if (text == null) {
            return;
        }
        Matcher m = KEY.matcher(text);
        while (m.find()) {
            marked.add(m.group());
        }
    }
}
