package db.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Training jobs and studies keep their dataset's id as provenance after the dataset is deleted,
 * as generated sets keep their model's: the service refuses the delete only while such a job is
 * unfinished, so the foreign keys that refused it for ever go. They were declared without names,
 * which H2 and PostgreSQL generate differently, hence a Java migration that looks them up.
 */
public class V7__jobs_outlive_their_datasets extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        for (String table : List.of("training_jobs", "studies")) {
            List<String> names = new ArrayList<>();
            try (ResultSet keys = c.getMetaData().getImportedKeys(c.getCatalog(), c.getSchema(), table)) {
                while (keys.next()) {
                    if ("datasets".equalsIgnoreCase(keys.getString("PKTABLE_NAME"))) {
                        names.add(keys.getString("FK_NAME"));
                    }
                }
            }
            if (names.isEmpty()) {
                throw new IllegalStateException("no foreign key from " + table + " to datasets found");
            }
            for (String name : names) {
                try (Statement s = c.createStatement()) {
                    s.execute("alter table " + table + " drop constraint \"" + name.replace("\"", "\"\"") + "\"");
                }
            }
        }
    }
}
