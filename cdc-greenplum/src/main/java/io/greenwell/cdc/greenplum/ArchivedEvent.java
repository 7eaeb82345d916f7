package io.greenwell.cdc.greenplum;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One event of the change archive ({@code <control schema>.event_archive}), as it was applied: a
 * row change, a DDL record or a bootstrap marker, with where it came from and Maxwell's envelope.
 *
 * <p>{@code data}, {@code old} and {@code def} are JSON text exactly as Maxwell wrote it (the
 * archive keeps it as {@code json}, verbatim). Values are Maxwell's (binary columns as base64, SET
 * columns as arrays, JSON columns embedded, decimals with their scale).
 *
 * @param pipeline the pipeline that applied it, never null
 * @param stream its stream, never null
 * @param offset its offset in the stream
 * @param time the MySQL event time (Maxwell's {@code ts}), never null
 * @param serverId MySQL's {@code server_id}, or null
 * @param binlogFile the binlog file of its position, or null without positions
 * @param binlogPosition the offset in that file, or null without positions
 * @param xoffset its index in its transaction, or null (the commit row, one-row transactions)
 * @param gtid the GTID, or null
 * @param xid the MySQL transaction id, or null
 * @param commit true when it closed its transaction
 * @param database the MySQL database, or null
 * @param table the MySQL table, or null (database DDL)
 * @param type Maxwell's {@code type}: {@code insert}, {@code update}, {@code delete},
 *     {@code table-create}, {@code bootstrap-start} ...; never null
 * @param keyColumns Maxwell's {@code primary_key_columns}, in key order; empty when it did not say
 * @param data the row image (the row after an insert or update, the deleted row), or null
 * @param old the previous values of the changed columns of an update (a table definition for a
 *     {@code table-alter}), or null
 * @param sql the DDL statement, or null
 * @param def the table definition of a DDL record, or null
 */
public record ArchivedEvent(
        String pipeline,
        String stream,
        long offset,
        Instant time,
        Long serverId,
        String binlogFile,
        Long binlogPosition,
        Integer xoffset,
        String gtid,
        BigInteger xid,
        boolean commit,
        String database,
        String table,
        String type,
        List<String> keyColumns,
        String data,
        String old,
        String sql,
        String def) {

    /** Validates and copies. */
    public ArchivedEvent {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        keyColumns = keyColumns == null ? List.of() : List.copyOf(keyColumns);
    }

    /** @return true for an insert, update or delete */
    public boolean isRow() {
        return "insert".equals(type) || "update".equals(type) || "delete".equals(type);
    }

    /** @return the binlog position as Maxwell writes it ({@code file:offset}), or null */
    public String position() {
        return binlogFile == null ? null : binlogFile + ":" + binlogPosition;
    }
}
