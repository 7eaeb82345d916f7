package io.greenwell.cdc.greenplum;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.List;

/**
 * One row of {@code dead_letter}: a raw event that could not be applied, with where it came from
 * and why. Written in the same transaction as the batch it was taken out of.
 */
record DeadLetter(String stream, long offset, byte[] raw, String table, String key, String error, String sqlState) {

    /** Writes dead letters with one batched statement. */
    static void write(Connection c, Sql sql, String schema, String pipeline, List<DeadLetter> letters, long nowMillis)
            throws SQLException {
        if (letters.isEmpty()) {
            return;
        }
        Timestamp now = new Timestamp(nowMillis);
        try (PreparedStatement ps = c.prepareStatement(sql.insertDeadLetter(schema))) {
            for (DeadLetter d : letters) {
                ps.setString(1, pipeline);
                ps.setString(2, d.stream);
                if (d.offset >= 0) {
                    ps.setLong(3, d.offset);
                } else {
                    ps.setNull(3, Types.BIGINT);
                }
                ps.setBytes(4, d.raw);
                ps.setString(5, clean(d.table));
                ps.setString(6, clean(d.key));
                ps.setString(7, clean(d.error));
                ps.setString(8, d.sqlState);
                ps.setTimestamp(9, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** PostgreSQL text cannot hold U+0000, and a message quoting a bad value may. */
    private static String clean(String s) {
        return s == null ? null : s.replace('\0', '\uFFFD');
    }
}
