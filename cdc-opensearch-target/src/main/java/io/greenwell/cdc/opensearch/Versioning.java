package io.greenwell.cdc.opensearch;

/**
 * Where the external version of a document comes from. The engine keeps a document only when its
 * version is above the stored one, so the version must grow with every change of a row.
 */
public enum Versioning {

    /**
     * From the binlog position of the last event behind the change (Maxwell's
     * {@code output_binlog_position}): binlog file number, offset of the rows event and the row's
     * {@code xoffset}, in that order of weight. Exact for one MySQL server, on any number of
     * streams. An event without a position (a stream without {@code output_binlog_position}) goes
     * to the dead letters.
     */
    POSITION,

    /**
     * From the transport offset of the last event behind the change, plus one. Needs no binlog
     * position, but is monotonic only while each row's changes stay on one stream (a Kafka
     * partition by database, table or key; one file) and that stream is never replaced by another
     * whose offsets start again from zero.
     */
    OFFSET
}
