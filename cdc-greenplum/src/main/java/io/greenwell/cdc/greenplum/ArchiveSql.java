package io.greenwell.cdc.greenplum;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The SQL of the change archive, per dialect; pure, so that golden tests pin it. The archive is
 * {@code event_archive} in the control schema, range-partitioned by day (UTC) of the event time:
 * declarative partitions on PostgreSQL; on Greenplum classic partitions, append-optimized,
 * column-oriented and compressed, distributed randomly so that one table's history spreads over
 * every segment. {@code archive_coverage} says, per (pipeline, stream), which events the archive
 * holds: every event applied after {@code since_offset} (all of them when it is null) up to
 * {@code last_offset}.
 */
final class ArchiveSql {

    static final String TABLE = "event_archive";
    static final String COVERAGE = "archive_coverage";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);

    private final Dialect dialect;
    private final String schema;
    private final String table;

    ArchiveSql(Dialect dialect, String schema) {
        this.dialect = dialect;
        this.schema = schema;
        this.table = Names.qualify(schema, TABLE);
    }

    /** @return the archive's qualified name */
    String table() {
        return table;
    }

    /**
     * @return the archive's columns, in order. The JSON ones are {@code json}: Maxwell's text
     *     verbatim (big numbers, duplicate keys, {@code \u0000} escapes and all), checked by the
     *     server as JSON and cheaper to write than {@code jsonb}, which parses and rebuilds every
     *     document; cast to {@code jsonb} to query them by containment
     */
    static String columns() {
        return "  \"pipeline\" text NOT NULL,\n"
                + "  \"stream\" text NOT NULL,\n"
                + "  \"stream_offset\" bigint NOT NULL,\n"
                + "  \"ts\" timestamp with time zone NOT NULL,\n"
                + "  \"server_id\" bigint,\n"
                + "  \"binlog_file\" text,\n"
                + "  \"binlog_pos\" bigint,\n"
                + "  \"xoffset\" integer,\n"
                + "  \"gtid\" text,\n"
                + "  \"xid\" numeric(20,0),\n"
                + "  \"commit\" boolean NOT NULL,\n"
                + "  \"database_name\" text,\n"
                + "  \"table_name\" text,\n"
                + "  \"type\" text NOT NULL,\n"
                + "  \"primary_key_columns\" json,\n"
                + "  \"data\" json,\n"
                + "  \"old\" json,\n"
                + "  \"ddl\" text,\n"
                + "  \"def\" json,\n"
                + "  \"archived_at\" timestamp with time zone NOT NULL DEFAULT now()\n";
    }

    /**
     * @param compression {@code zstd} or {@code zlib}: what the Greenplum server has; ignored on PostgreSQL
     * @param firstDay the day of the first partition (Greenplum needs one at creation)
     */
    String createArchive(String compression, LocalDate firstDay) {
        String head = "CREATE TABLE " + table + " (\n" + columns() + ")";
        if (!dialect.isGreenplum()) {
            return head + " PARTITION BY RANGE (\"ts\")";
        }
        return head + " WITH (" + aoOptions(compression) + ") DISTRIBUTED RANDOMLY PARTITION BY RANGE (\"ts\") (PARTITION "
                + partitionName(firstDay) + bounds(firstDay) + ")";
    }

    /** @return the name of a day's partition: {@code pYYYYMMDD} on Greenplum, {@code event_archive_pYYYYMMDD} on PostgreSQL */
    String partitionName(LocalDate day) {
        return (dialect.isGreenplum() ? "p" : TABLE + "_p") + DAY.format(day);
    }

    /** @return the day a partition's name stands for, or null when the name is not one of ours */
    LocalDate dayOf(String partitionName) {
        if (partitionName == null) {
            return null;
        }
        String digits = partitionName.substring(partitionName.lastIndexOf('p') + 1);
        if (digits.length() != 8 || !digits.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return LocalDate.parse(digits, DAY);
    }

    /**
     * @return the archive's partitions, one per row: their names, and their own tables' (in the
     *     control schema); {@code SELECT} with the schema as parameter 1
     */
    String selectPartitions() {
        if (dialect.isGreenplum()) {
            return "SELECT partitionname, partitiontablename FROM pg_catalog.pg_partitions WHERE schemaname = ? AND tablename = '" + TABLE + "'";
        }
        return "SELECT c.relname, c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid"
                + " JOIN pg_catalog.pg_class p ON p.oid = i.inhparent JOIN pg_catalog.pg_namespace n ON n.oid = p.relnamespace"
                + " WHERE n.nspname = ? AND p.relname = '" + TABLE + "'";
    }

    String addPartition(LocalDate day, String compression) {
        if (dialect.isGreenplum()) {
            return "ALTER TABLE " + table + " ADD PARTITION " + partitionName(day) + bounds(day) + " WITH (" + aoOptions(compression) + ")";
        }
        return "CREATE TABLE " + Names.qualify(schema, partitionName(day)) + " PARTITION OF " + table + " FOR VALUES FROM ('"
                + day + " 00:00:00+00') TO ('" + day.plusDays(1) + " 00:00:00+00')";
    }

    String dropPartition(LocalDate day) {
        if (dialect.isGreenplum()) {
            return "ALTER TABLE " + table + " DROP PARTITION " + partitionName(day);
        }
        return "DROP TABLE " + Names.qualify(schema, partitionName(day));
    }

    /** @return the statement that tells whether the Greenplum server knows a compression type (parameter 1) */
    static String hasCompression() {
        return "SELECT count(*) FROM pg_catalog.pg_compression WHERE compname = ?";
    }

    String createCoverage() {
        return "CREATE TABLE " + coverage() + " (\n"
                + "  \"pipeline\" text NOT NULL,\n"
                + "  \"stream\" text NOT NULL,\n"
                + "  \"since_offset\" bigint,\n"
                + "  \"since_ts\" timestamp with time zone NOT NULL,\n"
                + "  \"last_offset\" bigint NOT NULL,\n"
                + "  \"updated_at\" timestamp with time zone NOT NULL,\n"
                + "  PRIMARY KEY (\"pipeline\", \"stream\")\n"
                + ")" + (dialect == Dialect.GREENPLUM_6 ? " WITH (appendoptimized=false)" : dialect == Dialect.GREENPLUM_7 ? " USING heap" : "")
                + (dialect.isGreenplum() ? " DISTRIBUTED BY (\"pipeline\", \"stream\")" : "");
    }

    /** Parameter: pipeline. Columns: stream, since offset (null: from the start), last offset. */
    String selectCoverage() {
        return "SELECT \"stream\", \"since_offset\", \"last_offset\" FROM " + coverage() + " WHERE \"pipeline\" = ?";
    }

    /** Parameters: last offset, updated at, pipeline, stream. */
    String extendCoverage() {
        return "UPDATE " + coverage() + " SET \"last_offset\" = ?, \"updated_at\" = ? WHERE \"pipeline\" = ? AND \"stream\" = ?";
    }

    /** Parameters: pipeline, stream. */
    String deleteCoverage() {
        return "DELETE FROM " + coverage() + " WHERE \"pipeline\" = ? AND \"stream\" = ?";
    }

    /** Parameters: pipeline, stream, since offset, since ts, last offset, updated at. */
    String insertCoverage() {
        return "INSERT INTO " + coverage() + " (\"pipeline\", \"stream\", \"since_offset\", \"since_ts\", \"last_offset\", \"updated_at\")"
                + " VALUES (?, ?, ?, ?, ?, ?)";
    }

    /**
     * Before partitions older than a cut (parameters 1 and 2) are dropped: each stream's coverage
     * starts after the last event dropped.
     */
    String trimCoverage() {
        return "UPDATE " + coverage() + " k SET \"since_offset\" = m.o, \"since_ts\" = ? FROM (SELECT \"pipeline\", \"stream\","
                + " max(\"stream_offset\") AS o FROM " + table + " WHERE \"ts\" < ? GROUP BY \"pipeline\", \"stream\") m"
                + " WHERE k.\"pipeline\" = m.\"pipeline\" AND k.\"stream\" = m.\"stream\" AND (k.\"since_offset\" IS NULL OR k.\"since_offset\" < m.o)";
    }

    /** Parameters: pipeline, stream, offset: the archived events of a stream after an offset. */
    String deleteArchivedAfter() {
        return "DELETE FROM " + table + " WHERE \"pipeline\" = ? AND \"stream\" = ? AND \"stream_offset\" > ?";
    }

    /** Parameter: the lock's key. Serialises the archive's DDL between sessions, for the transaction. */
    static String lock() {
        return "SELECT pg_catalog.pg_advisory_xact_lock(?)";
    }

    private String coverage() {
        return Names.qualify(schema, COVERAGE);
    }

    /**
     * The COPY of a batch's events into the archive (which routes each to its day's partition) or
     * straight into one day's partition (the qualified table {@code into}), in
     * COPY's binary format: numbers and times need no parsing, text and JSON no escaping;
     * {@code archived_at} is the transaction's time.
     */
    String copyArchive(String into) {
        return "COPY " + into + " (\"pipeline\", \"stream\", \"stream_offset\", \"ts\", \"server_id\", \"binlog_file\", \"binlog_pos\","
                + " \"xoffset\", \"gtid\", \"xid\", \"commit\", \"database_name\", \"table_name\", \"type\", \"primary_key_columns\", \"data\","
                + " \"old\", \"ddl\", \"def\") FROM STDIN (FORMAT binary)";
    }

    private static String aoOptions(String compression) {
        return "appendonly=true, orientation=column, compresstype=" + compression + ", compresslevel=" + ("zstd".equals(compression) ? 3 : 5);
    }

    private static String bounds(LocalDate day) {
        return " START (" + instant(day) + ") INCLUSIVE END (" + instant(day.plusDays(1)) + ") EXCLUSIVE";
    }

    private static String instant(LocalDate day) {
        return "'" + day + " 00:00:00+00'::timestamp with time zone";
    }
}
