package io.greenwell.cdc.event;

import java.math.BigDecimal;

/**
 * The envelope of a Maxwell record: when and where it happened and how it belongs to its
 * transaction. Fields that Maxwell did not write are null (or -1 / false where documented).
 *
 * @param timestampMillis the event time in milliseconds since the epoch: row {@code ts} is seconds
 *     and is multiplied here, DDL {@code ts} is already milliseconds
 * @param xid the MySQL transaction id, or null (bootstrap rows, MyISAM, DDL)
 * @param xoffset the row's index in its transaction, or -1 (absent on the commit row)
 * @param commit true when this row closes its transaction
 * @param position the binlog position, or null without {@code output_binlog_position}
 * @param gtid the GTID, or null
 * @param serverId the MySQL {@code server_id}, or null
 * @param threadId the MySQL thread id, or null
 * @param schemaId Maxwell's schema version id, or null
 * @param pushTs when Maxwell serialised the record, in epoch seconds with a fraction, or null
 * @param query the SQL statement that produced the row ({@code output_row_query}), or null
 * @param comment the bootstrap comment, or null
 */
public record EventMeta(
        long timestampMillis,
        Long xid,
        int xoffset,
        boolean commit,
        SourcePosition position,
        String gtid,
        Long serverId,
        Long threadId,
        Long schemaId,
        BigDecimal pushTs,
        String query,
        String comment) {

    /** Metadata with nothing but a time, for in-memory events. */
    public static final EventMeta NONE = new EventMeta(0, null, -1, false, null, null, null, null, null, null, null, null);
}
