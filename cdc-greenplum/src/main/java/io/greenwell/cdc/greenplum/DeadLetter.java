package io.greenwell.cdc.greenplum;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
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

    /**
     * A dead letter read for a retry. There is no id column: the row is named by its {@code ctid},
     * and on Greenplum by {@code gp_segment_id} too (a ctid is unique per segment only), which is
     * valid while {@link #lockAndRead} keeps the table locked in the open transaction.
     *
     * @param segment the row's {@code gp_segment_id} on Greenplum, -1 on PostgreSQL
     * @param ctid the row's {@code ctid} as text
     * @param offset the offset, or -1 when not known
     * @param raw the raw record, or null when it was not kept
     */
    record Stored(int segment, String ctid, String pipeline, String stream, long offset, byte[] raw) {}

    /** A letter that failed again, and why. */
    record Again(Stored letter, String error, String sqlState) {}

    /**
     * Locks the table for the open transaction, then reads the dead letters of a pipeline (or all)
     * in pipeline, stream and offset order.
     */
    static List<Stored> lockAndRead(Connection c, Sql sql, String schema, String pipeline) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql.lockDeadLetters(schema));
        }
        boolean gp = sql.dialect().isGreenplum();
        List<Stored> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.selectDeadLetters(schema, pipeline != null))) {
            if (pipeline != null) {
                ps.setString(1, pipeline);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = 1;
                    int segment = gp ? rs.getInt(i++) : -1;
                    String ctid = rs.getString(i++);
                    String p = rs.getString(i++);
                    String stream = rs.getString(i++);
                    long offset = rs.getLong(i++);
                    if (rs.wasNull()) {
                        offset = -1;
                    }
                    out.add(new Stored(segment, ctid, p, stream, offset, rs.getBytes(i)));
                }
            }
        }
        return out;
    }

    /** @return the rows of a pipeline in the dead-letter table; 0 when there is no such table */
    static long count(Connection c, Sql sql, Catalog catalog, String schema, String pipeline) throws SQLException {
        if (catalog.table(c, schema, "dead_letter") == null) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement(sql.countDeadLetters(schema))) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Deletes these letters, read by {@link #lockAndRead} in the open transaction. */
    static void remove(Connection c, Sql sql, String schema, List<Stored> letters) throws SQLException {
        if (letters.isEmpty()) {
            return;
        }
        boolean gp = sql.dialect().isGreenplum();
        try (PreparedStatement ps = c.prepareStatement(sql.deleteDeadLetter(schema))) {
            for (Stored d : letters) {
                name(ps, 1, d, gp);
                ps.addBatch();
            }
            exactlyOneEach(ps.executeBatch(), letters.size());
        }
    }

    /** Writes the new error, SQLSTATE and time of letters that failed again. */
    static void failedAgain(Connection c, Sql sql, String schema, List<Again> letters, long nowMillis) throws SQLException {
        if (letters.isEmpty()) {
            return;
        }
        boolean gp = sql.dialect().isGreenplum();
        Timestamp now = new Timestamp(nowMillis);
        try (PreparedStatement ps = c.prepareStatement(sql.updateDeadLetter(schema))) {
            for (Again a : letters) {
                ps.setString(1, clean(a.error));
                ps.setString(2, a.sqlState);
                ps.setTimestamp(3, now);
                name(ps, 4, a.letter, gp);
                ps.addBatch();
            }
            exactlyOneEach(ps.executeBatch(), letters.size());
        }
    }

    private static void name(PreparedStatement ps, int first, Stored d, boolean gp) throws SQLException {
        int i = first;
        if (gp) {
            ps.setInt(i++, d.segment);
        }
        ps.setString(i, d.ctid);
    }

    /** Each statement must have found its letter: the table is locked, so anything else is a bug. */
    private static void exactlyOneEach(int[] counts, int expected) throws SQLException {
        if (counts.length != expected) {
            throw new SQLException("dead letters: " + counts.length + " results for " + expected + " rows");
        }
        for (int n : counts) {
            if (n != 1 && n != Statement.SUCCESS_NO_INFO) {
                throw new SQLException("a dead letter was not where the retry read it (" + n + " rows); nothing was changed");
            }
        }
    }

    /** PostgreSQL text cannot hold U+0000, and a message quoting a bad value may. */
    private static String clean(String s) {
        return s == null ? null : s.replace('\0', '\uFFFD');
    }
}
