package org.retinasynth.jobs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Column helpers that every job kind's repository needs alike. */
public final class JobRows {

    private JobRows() {
    }

    /** A nullable double column: null, not 0, when the row has no value yet. */
    public static Double nullableDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    /** An error message cut to fit the {@code error varchar(4000)} column of every job table. */
    public static String errorText(String s) {
        return s.length() > 3900 ? s.substring(0, 3900) + "…" : s;
    }

    public static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
