package io.greenwell.cdc.greenplum;

import java.util.List;
import java.util.Set;

/**
 * Every SQL statement the target sends, built as text for one dialect. Pure (no I/O), so golden
 * tests pin the text of each dialect and a denylist test checks that Greenplum 6 never gets syntax
 * newer than PostgreSQL 9.4. Identifiers are always quoted; values never appear in the text (they
 * travel by COPY or bind parameters); the only literals are the staging op codes and sequence
 * ranges, which are generated numbers.
 */
final class Sql {

    /**
     * Set once per session: the server probes the connection after 30 s without traffic, so that
     * the session of a client that vanished without closing it (a machine that died) ends, and
     * its stream locks go, within about 45 s rather than after the system's keepalive time of
     * hours. Ignored on Unix-domain sockets.
     */
    static final List<String> SESSION = List.of("SET tcp_keepalives_idle = 30", "SET tcp_keepalives_interval = 5",
            "SET tcp_keepalives_count = 3");

    /**
     * Set once per session unless synchronous commits are asked for: a crash of the server can
     * then lose only whole last transactions, each with its checkpoint, which are applied again.
     */
    static final String ASYNCHRONOUS_COMMIT = "SET synchronous_commit = off";

    /** This transaction's COMMIT waits for its WAL, and so for that of every commit before it. */
    static final String SYNCHRONOUS_COMMIT_NOW = "SET LOCAL synchronous_commit = on";

    /** Gives the transaction an id, so that its COMMIT writes (and, synchronous, flushes) a record. */
    static final String TRANSACTION_ID = "SELECT pg_catalog.txid_current()";

    /** What a closing target undoes in its session, which a pool may hand to others. */
    static final List<String> SESSION_RESET = List.of("RESET synchronous_commit",
            "RESET tcp_keepalives_idle", "RESET tcp_keepalives_interval", "RESET tcp_keepalives_count");

    /** Staging op codes. */
    static final char UPSERT = 'U';
    static final char DELETE = 'D';
    static final char PARTIAL = 'P';
    static final char MOVE_TO = 'M';
    static final char MOVE_FROM = 'F';
    static final char COPIED = 'C';
    static final char KEYLESS_DELETE = 'X';

    /**
     * Types whose text output is canonical (equal values print the same), so the text of a row
     * of them can serve as a hash-join key when deleting rows of a table without a key. The exact
     * comparison ({@code IS NOT DISTINCT FROM}) is always made as well.
     */
    private static final Set<String> CANONICAL_TEXT = Set.of(
            "int2", "int4", "int8", "text", "varchar", "bpchar", "date", "timestamp", "timestamptz", "bool", "bytea",
            "bit", "varbit", "uuid", "_text", "_varchar");

    private final Dialect dialect;

    Sql(Dialect dialect) {
        this.dialect = dialect;
    }

    Dialect dialect() {
        return dialect;
    }

    String createSchema(String schema) {
        return "CREATE SCHEMA " + Names.quote(schema);
    }

    String dropSchema(String schema) {
        return "DROP SCHEMA " + Names.quote(schema) + " CASCADE";
    }

    String dropTable(String schema, String table) {
        return "DROP TABLE " + Names.qualify(schema, table);
    }

    String renameColumn(String table, String from, String to) {
        return "ALTER TABLE " + table + " RENAME COLUMN " + Names.quote(from) + " TO " + Names.quote(to);
    }

    String addColumn(String table, String column, String type) {
        return "ALTER TABLE " + table + " ADD COLUMN " + Names.quote(column) + " " + type;
    }

    /** A column added with a constant that fills the existing rows, as MySQL fills them, and kept as the column's default. */
    String addColumn(String table, String column, String type, String defaultLiteral) {
        return addColumn(table, column, type) + " DEFAULT " + defaultLiteral;
    }

    /** @return a string constant that means the same whatever standard_conforming_strings is */
    static String literal(String value) {
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    String dropColumn(String table, String column) {
        return "ALTER TABLE " + table + " DROP COLUMN " + Names.quote(column);
    }

    /** Converts the existing values with a cast, as MySQL converts them on MODIFY. */
    String alterColumnType(String table, String column, String type) {
        return "ALTER TABLE " + table + " ALTER COLUMN " + Names.quote(column) + " TYPE " + type + " USING " + Names.quote(column)
                + "::" + type;
    }

    String dropConstraint(String table, String constraint) {
        return "ALTER TABLE " + table + " DROP CONSTRAINT " + Names.quote(constraint);
    }

    String addPrimaryKey(String table, List<String> key) {
        return "ALTER TABLE " + table + " ADD PRIMARY KEY (" + list(key) + ")";
    }

    /**
     * Greenplum only, and alone in its statement: redistributes the table by a new key (a
     * primary key must contain the distribution key), or randomly without one.
     */
    String setDistribution(String table, List<String> key) {
        if (!dialect.isGreenplum()) {
            throw new IllegalStateException("distribution is Greenplum's");
        }
        return "ALTER TABLE " + table + " SET" + distribution(key);
    }

    String renameTable(String table, String to) {
        return "ALTER TABLE " + table + " RENAME TO " + Names.quote(to);
    }

    String setSchema(String table, String schema) {
        return "ALTER TABLE " + table + " SET SCHEMA " + Names.quote(schema);
    }

    /** A column of a table to create: target name and type. */
    record ColumnSpec(String name, String type) {}

    /**
     * @param key target names of the primary-key columns; empty for none
     */
    String createTable(String schema, String table, List<ColumnSpec> columns, List<String> key) {
        StringBuilder sb = new StringBuilder("CREATE TABLE ").append(Names.qualify(schema, table)).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            ColumnSpec c = columns.get(i);
            sb.append(i == 0 ? "\n  " : ",\n  ").append(Names.quote(c.name())).append(' ').append(c.type());
        }
        if (!key.isEmpty()) {
            sb.append(",\n  PRIMARY KEY (").append(list(key)).append(')');
        }
        sb.append("\n)");
        sb.append(storage());
        sb.append(distribution(key));
        return sb.toString();
    }

    /**
     * A session staging table: the target's columns (NOT NULL dropped afterwards), the op code,
     * a batch-local sequence number and a copy count; rows vanish at every commit.
     */
    String createStaging(String staging, String targetQualified, Extras x, List<String> key) {
        return "CREATE TEMPORARY TABLE " + Names.quote(staging) + " (LIKE " + targetQualified + ", "
                + Names.quote(x.op) + " char(1), " + Names.quote(x.seq) + " integer, " + Names.quote(x.n) + " integer)"
                + storage() + " ON COMMIT DELETE ROWS" + distribution(key);
    }

    /** @return the statement that drops NOT NULL from these staging columns */
    String dropNotNull(String staging, List<String> columns) {
        StringBuilder sb = new StringBuilder("ALTER TABLE ").append(stage(staging));
        for (int i = 0; i < columns.size(); i++) {
            sb.append(i == 0 ? " " : ", ").append("ALTER COLUMN ").append(Names.quote(columns.get(i))).append(" DROP NOT NULL");
        }
        return sb.toString();
    }

    String truncate(String staging) {
        return "TRUNCATE " + stage(staging);
    }

    String dropStaging(String staging) {
        return "DROP TABLE " + stage(staging);
    }

    String copy(String staging, List<String> columns, Extras x) {
        return "COPY " + stage(staging) + " (" + list(columns) + ", " + Names.quote(x.op) + ", " + Names.quote(x.seq) + ", "
                + Names.quote(x.n) + ") FROM STDIN";
    }

    /**
     * @param snapshot whether the rows are a bootstrap's, for a shadow table
     * @return whether the rows a batch created are copied straight into their tables: on
     *     PostgreSQL, where it saves their DELETE and INSERT (about a third of the time of the
     *     statements); on Greenplum only a bootstrap's, as there a second COPY and a savepoint per
     *     table and batch, each dispatched to every segment, cost more than the statements they
     *     save unless nearly every row of the batch is created
     */
    boolean copiesCreatedRows(boolean snapshot) {
        return snapshot || !dialect.isGreenplum();
    }

    /** Copies rows straight into a table: the rows the batch created. */
    String copyInto(String target, List<String> columns) {
        return "COPY " + target + " (" + list(columns) + ") FROM STDIN";
    }

    static String savepoint(String name) {
        return "SAVEPOINT " + name;
    }

    static String releaseSavepoint(String name) {
        return "RELEASE SAVEPOINT " + name;
    }

    static String rollbackToSavepoint(String name) {
        return "ROLLBACK TO SAVEPOINT " + name;
    }

    /** Copies the pre-batch rows that moves read into staging, before anything is deleted. */
    String copyMoveSources(String staging, String target, List<String> columns, List<String> key, Extras x) {
        return "INSERT INTO " + stage(staging) + " (" + list(columns) + ", " + Names.quote(x.op) + ", " + Names.quote(x.seq) + ")"
                + " SELECT " + list("t", columns) + ", '" + COPIED + "', f." + Names.quote(x.seq)
                + " FROM " + target + " AS t JOIN " + stage(staging) + " AS f ON " + keyEq("t", "f", key)
                + " WHERE f." + Names.quote(x.op) + " = '" + MOVE_FROM + "'";
    }

    /** Deletes every key that is deleted, replaced or moved into. */
    String deleteKeys(String staging, String target, List<String> key, Extras x) {
        return "DELETE FROM " + target + " AS t USING " + stage(staging) + " AS s WHERE " + keyEq("t", "s", key)
                + " AND s." + Names.quote(x.op) + " IN ('" + DELETE + "', '" + UPSERT + "', '" + MOVE_TO + "')";
    }

    /**
     * Deletes exactly n copies of each staged image of a table without a key. The candidate rows
     * are matched on every column ({@code IS NOT DISTINCT FROM}, json compared as text), hashed on
     * the text of the columns whose text is canonical, numbered per image, and the first n of each
     * image go. Rows are named by {@code ctid}, and on Greenplum by {@code (gp_segment_id, ctid)}
     * since a ctid is only unique within one segment.
     *
     * @param columns the target's columns
     */
    String deleteKeyless(String staging, String target, List<TargetTable.Column> columns, Extras x) {
        StringBuilder on = new StringBuilder();
        StringBuilder hashT = new StringBuilder();
        StringBuilder hashS = new StringBuilder();
        for (TargetTable.Column c : columns) {
            String q = Names.quote(c.name());
            if (CANONICAL_TEXT.contains(c.typname()) || (c.typname().equals("numeric") && c.typmod() != -1)) {
                hashT.append(hashT.length() == 0 ? "" : ", ").append("t2.").append(q);
                hashS.append(hashS.length() == 0 ? "" : ", ").append("s.").append(q);
            }
            if (on.length() > 0) {
                on.append(" AND ");
            }
            if (c.typname().equals("json")) {
                on.append("t2.").append(q).append("::text IS NOT DISTINCT FROM s.").append(q).append("::text");
            } else {
                on.append("t2.").append(q).append(" IS NOT DISTINCT FROM s.").append(q);
            }
        }
        String join = hashT.length() == 0 ? on.toString() : "ROW(" + hashT + ")::text = ROW(" + hashS + ")::text AND " + on;
        String seg = dialect.isGreenplum() ? "t2.gp_segment_id AS g, " : "";
        String inner = "SELECT " + seg + "t2.ctid AS r, s." + Names.quote(x.n) + " AS n, row_number() OVER (PARTITION BY s."
                + Names.quote(x.seq) + ") AS k FROM " + target + " AS t2 JOIN " + stage(staging) + " AS s ON " + join
                + " WHERE s." + Names.quote(x.op) + " = '" + KEYLESS_DELETE + "'";
        if (dialect.isGreenplum()) {
            return "DELETE FROM " + target + " AS t WHERE (t.gp_segment_id, t.ctid) IN (SELECT x.g, x.r FROM (" + inner
                    + ") AS x WHERE x.k <= x.n)";
        }
        return "DELETE FROM " + target + " AS t WHERE t.ctid = ANY (ARRAY(SELECT x.r FROM (" + inner + ") AS x WHERE x.k <= x.n))";
    }

    /**
     * Inserts staged images.
     *
     * @param columns the columns the images hold
     * @param range the sequence range {@code [from, to]} of one column-set group, or null for all
     */
    String insertImages(String staging, String target, List<String> columns, Extras x, int[] range) {
        return "INSERT INTO " + target + " (" + list(columns) + ") SELECT " + list("s", columns) + " FROM " + stage(staging)
                + " AS s WHERE s." + Names.quote(x.op) + " = '" + UPSERT + "'" + range("s", x, range);
    }

    /** Inserts moved rows: the overlay's columns from the move, the others from the copied source row. */
    String insertMoves(String staging, String target, List<String> columns, Set<String> overlay, Extras x, int[] range) {
        StringBuilder sel = new StringBuilder();
        for (String c : columns) {
            sel.append(sel.length() == 0 ? "" : ", ").append(overlay.contains(c) ? "m." : "c.").append(Names.quote(c));
        }
        return "INSERT INTO " + target + " (" + list(columns) + ") SELECT " + sel + " FROM " + stage(staging) + " AS m JOIN "
                + stage(staging) + " AS c ON c." + Names.quote(x.seq) + " = m." + Names.quote(x.seq) + " AND c." + Names.quote(x.op)
                + " = '" + COPIED + "' WHERE m." + Names.quote(x.op) + " = '" + MOVE_TO + "'" + range("m", x, range);
    }

    /** Sets some columns of existing rows, for one column-set group of partial changes. */
    String updatePartials(String staging, String target, List<String> columns, List<String> key, Extras x, int[] range) {
        StringBuilder set = new StringBuilder();
        for (String c : columns) {
            set.append(set.length() == 0 ? "" : ", ").append(Names.quote(c)).append(" = s.").append(Names.quote(c));
        }
        return "UPDATE " + target + " AS t SET " + set + " FROM " + stage(staging) + " AS s WHERE " + keyEq("t", "s", key)
                + " AND s." + Names.quote(x.op) + " = '" + PARTIAL + "'" + range("s", x, range);
    }

    // ---- bootstraps ----

    /**
     * A shadow table: a regular table in the control schema, {@code LIKE} its target, with its
     * primary key (a snapshot row seen twice is caught, and on PostgreSQL the rows go straight in
     * by COPY), distributed like it.
     */
    String createShadow(String schema, String shadow, String targetQualified, List<String> key) {
        return "CREATE TABLE " + Names.qualify(schema, shadow) + " (LIKE " + targetQualified
                + (key.isEmpty() ? "" : ", PRIMARY KEY (" + list(key) + ")") + ")" + storage() + distribution(key);
    }

    String comment(String schema, String table, String text) {
        return "COMMENT ON TABLE " + Names.qualify(schema, table) + " IS " + (text == null ? "NULL" : literal(text));
    }

    /** One row of a table, if it has any. */
    String anyRow(String qualified) {
        return "SELECT 1 FROM " + qualified + " LIMIT 1";
    }

    /** The tables of a schema with a comment (parameters: schema, comment). */
    String tablesCommented() {
        return "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') = ?";
    }

    /** The comment of a table, by schema and name (parameters). */
    String tableComment() {
        return "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?";
    }

    /** Replaces a target's rows: readers see the old rows or the snapshot (DELETE, not TRUNCATE, which is not MVCC-safe). */
    String deleteAll(String targetQualified) {
        return "DELETE FROM " + targetQualified;
    }

    String copyRows(String fromQualified, String toQualified, List<String> columns) {
        return "INSERT INTO " + toQualified + " (" + list(columns) + ") SELECT " + list(columns) + " FROM " + fromQualified;
    }

    // ---- checkpoints ----

    String createCheckpointTable(String schema) {
        return "CREATE TABLE " + Names.qualify(schema, "checkpoint") + " (\n"
                + "  \"pipeline\" text NOT NULL,\n"
                + "  \"stream\" text NOT NULL,\n"
                + "  \"offset\" bigint NOT NULL,\n"
                + "  \"position\" text NOT NULL,\n"
                + "  \"updated_at\" timestamp with time zone NOT NULL,\n"
                + "  PRIMARY KEY (\"pipeline\", \"stream\")\n"
                + ")" + storage() + distribution(List.of("pipeline", "stream"));
    }

    /** The changes a Greenplum table had when maintenance last analyzed it (see {@link MaintenanceSql}). */
    String createMaintenanceTable(String schema) {
        return "CREATE TABLE " + Names.qualify(schema, "maintenance") + " (\n"
                + "  \"schema_name\" text NOT NULL,\n"
                + "  \"table_name\" text NOT NULL,\n"
                + "  \"changes_at_analyze\" bigint NOT NULL,\n"
                + "  \"analyzed_at\" timestamp with time zone NOT NULL,\n"
                + "  PRIMARY KEY (\"schema_name\", \"table_name\")\n"
                + ")" + storage() + distribution(List.of("schema_name", "table_name"));
    }

    String createDeadLetterTable(String schema) {
        return "CREATE TABLE " + Names.qualify(schema, "dead_letter") + " (\n"
                + "  \"pipeline\" text NOT NULL,\n"
                + "  \"stream\" text,\n"
                + "  \"offset\" bigint,\n"
                + "  \"raw_record\" bytea,\n"
                + "  \"table_name\" text,\n"
                + "  \"key\" text,\n"
                + "  \"error\" text NOT NULL,\n"
                + "  \"sqlstate\" text,\n"
                + "  \"failed_at\" timestamp with time zone NOT NULL\n"
                + ")" + storage() + distribution(List.of());
    }

    String insertDeadLetter(String schema) {
        return "INSERT INTO " + Names.qualify(schema, "dead_letter")
                + " (\"pipeline\", \"stream\", \"offset\", \"raw_record\", \"table_name\", \"key\", \"error\", \"sqlstate\", \"failed_at\")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    }

    String selectCheckpoints(String schema) {
        return "SELECT \"stream\", \"offset\", \"position\" FROM " + Names.qualify(schema, "checkpoint") + " WHERE \"pipeline\" = ?";
    }

    String insertCheckpoint(String schema) {
        return "INSERT INTO " + Names.qualify(schema, "checkpoint")
                + " (\"pipeline\", \"stream\", \"offset\", \"position\", \"updated_at\") VALUES (?, ?, ?, ?, ?)";
    }

    /** The fenced update: only the checkpoint this instance read or wrote last is replaced. */
    String updateCheckpoint(String schema) {
        return "UPDATE " + Names.qualify(schema, "checkpoint") + " SET \"offset\" = ?, \"position\" = ?, \"updated_at\" = ?"
                + " WHERE \"pipeline\" = ? AND \"stream\" = ? AND \"offset\" = ? AND \"position\" = ?";
    }

    // ---- dead-letter retries ----

    /**
     * Taken first in a retry's transaction: keeps other retries and the dead letters of running
     * batches out until it commits, so that the rows read stay where they were ({@code ctid}).
     */
    String lockDeadLetters(String schema) {
        return "LOCK TABLE " + Names.qualify(schema, "dead_letter") + " IN SHARE ROW EXCLUSIVE MODE";
    }

    /**
     * The dead letters to retry, in stream and offset order, each named by {@code ctid} (on
     * Greenplum by {@code gp_segment_id} and {@code ctid}, first): valid while the table is locked.
     *
     * @param onePipeline true: of the pipeline bound as the only parameter; false: of every pipeline
     */
    String countDeadLetters(String schema) {
        return "SELECT count(*) FROM " + Names.qualify(schema, "dead_letter") + " WHERE \"pipeline\" = ?";
    }

    String selectDeadLetters(String schema, boolean onePipeline) {
        return "SELECT " + rowId() + ", \"pipeline\", \"stream\", \"offset\", \"raw_record\" FROM "
                + Names.qualify(schema, "dead_letter") + (onePipeline ? " WHERE \"pipeline\" = ?" : "")
                + " ORDER BY \"pipeline\", \"stream\", \"offset\", \"failed_at\"";
    }

    /** Deletes one dead letter named as {@link #selectDeadLetters} names it (segment first on Greenplum, then the ctid). */
    String deleteDeadLetter(String schema) {
        return "DELETE FROM " + Names.qualify(schema, "dead_letter") + " WHERE " + rowIdEquals();
    }

    /** Records why a dead letter failed again: error, SQLSTATE and time, then its name as for {@link #deleteDeadLetter}. */
    String updateDeadLetter(String schema) {
        return "UPDATE " + Names.qualify(schema, "dead_letter") + " SET \"error\" = ?, \"sqlstate\" = ?, \"failed_at\" = ? WHERE "
                + rowIdEquals();
    }

    /**
     * Keeps batches of running pipelines out of the tables a retry writes until it commits
     * (they take ROW EXCLUSIVE), while readers go on.
     *
     * @param qualified the tables, qualified and quoted
     */
    String lockTables(List<String> qualified) {
        return "LOCK TABLE " + String.join(", ", qualified) + " IN SHARE ROW EXCLUSIVE MODE";
    }

    private String rowId() {
        return dialect.isGreenplum() ? "gp_segment_id, ctid" : "ctid";
    }

    private String rowIdEquals() {
        return dialect.isGreenplum() ? "gp_segment_id = ? AND ctid = CAST(? AS tid)" : "ctid = CAST(? AS tid)";
    }

    // ---- stream locks ----

    /** Takes the session-level advisory lock of a (pipeline, stream) if it is free; answers a boolean. */
    String tryStreamLock() {
        return "SELECT pg_catalog.pg_try_advisory_lock(?)";
    }

    /**
     * Releases every session-level advisory lock of this session, however often each was taken
     * (a pooled session may have taken one again through a new connection object).
     */
    String releaseStreamLocks() {
        return "SELECT pg_catalog.pg_advisory_unlock_all()";
    }

    /**
     * Who holds an advisory lock of this database: pid, application name and client address. A
     * bigint key shows in {@code pg_locks} as its high half ({@code classid}, bound first), its
     * low half ({@code objid}) and {@code objsubid} 1.
     */
    String streamLockHolder() {
        return "SELECT l.pid, a.application_name, pg_catalog.host(a.client_addr) FROM pg_catalog.pg_locks AS l"
                + " LEFT JOIN pg_catalog.pg_stat_activity AS a ON a.pid = l.pid"
                + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                + " AND l.database = (SELECT d.oid FROM pg_catalog.pg_database AS d WHERE d.datname = pg_catalog.current_database())"
                + " AND l.classid = CAST(CAST(? AS bigint) AS oid) AND l.objid = CAST(CAST(? AS bigint) AS oid)";
    }

    // ---- pieces ----

    /** The names of the staging table's own columns, chosen not to collide with the target's. */
    record Extras(String op, String seq, String n) {
        static Extras avoiding(List<String> columns) {
            return new Extras(free("gw_op", columns), free("gw_seq", columns), free("gw_n", columns));
        }

        private static String free(String base, List<String> columns) {
            String name = base;
            while (columns.contains(name)) {
                name = name + "_";
            }
            return name;
        }
    }

    private String storage() {
        switch (dialect) {
            case GREENPLUM_6:
                return " WITH (appendoptimized=false)";
            case GREENPLUM_7:
                return " USING heap";
            default:
                return "";
        }
    }

    private String distribution(List<String> key) {
        if (!dialect.isGreenplum()) {
            return "";
        }
        return key.isEmpty() ? " DISTRIBUTED RANDOMLY" : " DISTRIBUTED BY (" + list(key) + ")";
    }

    private static String stage(String staging) {
        return "pg_temp." + Names.quote(staging);
    }

    private static String range(String alias, Extras x, int[] range) {
        if (range == null) {
            return "";
        }
        return " AND " + alias + "." + Names.quote(x.seq) + " BETWEEN " + range[0] + " AND " + range[1];
    }

    private static String keyEq(String a, String b, List<String> key) {
        StringBuilder sb = new StringBuilder();
        for (String k : key) {
            String q = Names.quote(k);
            sb.append(sb.length() == 0 ? "" : " AND ").append(a).append('.').append(q).append(" = ").append(b).append('.').append(q);
        }
        return sb.toString();
    }

    private static String list(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(sb.length() == 0 ? "" : ", ").append(Names.quote(n));
        }
        return sb.toString();
    }

    private static String list(String alias, List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(sb.length() == 0 ? "" : ", ").append(alias).append('.').append(Names.quote(n));
        }
        return sb.toString();
    }
}
