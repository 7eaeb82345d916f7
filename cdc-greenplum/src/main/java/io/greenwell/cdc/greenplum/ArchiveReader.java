package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.event.TableId;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The queries of the change archive: events by selection, a row's history, the coverage of a
 * point, the barriers after it, and the events after it newest first. Events are ordered as they
 * applied: by binlog position (file, offset, then {@code xoffset}, the commit row last), then by
 * stream and offset, which orders events without positions.
 *
 * <p>Invariants: stateless apart from the schema; every method runs on the caller's connection
 * and transaction, and reads only.
 */
final class ArchiveReader {

    /** Called with each event of a scan; a scan may hold many, so they are never all kept. */
    @FunctionalInterface
    interface EventSink {
        void accept(ArchivedEvent event) throws SQLException;
    }

    private static final String COLUMNS = "\"pipeline\", \"stream\", \"stream_offset\", \"ts\", \"server_id\", \"binlog_file\", \"binlog_pos\","
            + " \"xoffset\", \"gtid\", \"xid\", \"commit\", \"database_name\", \"table_name\", \"type\", \"primary_key_columns\"::text,"
            + " \"data\"::text, \"old\"::text, \"ddl\", \"def\"::text";
    /** {@code xoffset} counts only within a position: without positions, stream order alone decides. */
    static final String ORDER = " ORDER BY \"binlog_file\" COLLATE \"C\", \"binlog_pos\","
            + " CASE WHEN \"binlog_pos\" IS NULL THEN NULL ELSE \"xoffset\" END NULLS LAST, \"stream\", \"stream_offset\"";
    static final String REVERSE = " ORDER BY \"binlog_file\" COLLATE \"C\" DESC, \"binlog_pos\" DESC,"
            + " CASE WHEN \"binlog_pos\" IS NULL THEN NULL ELSE \"xoffset\" END DESC NULLS FIRST, \"stream\" DESC, \"stream_offset\" DESC";
    private static final String ROWS = "\"type\" IN ('insert', 'update', 'delete')";

    private final String schema;
    private final String archive;

    ArchiveReader(String schema) {
        this.schema = schema;
        this.archive = Names.qualify(schema, ArchiveSql.TABLE);
    }

    /** @return the events of a selection, oldest first */
    List<ArchivedEvent> select(Connection c, ChangeArchive.Selection s) throws SQLException {
        StringBuilder where = new StringBuilder("TRUE");
        List<Object> params = new ArrayList<>();
        if (s.pipeline() != null) {
            where.append(" AND \"pipeline\" = ?");
            params.add(s.pipeline());
        }
        if (s.xid() != null) {
            where.append(" AND \"xid\" = ?");
            params.add(new BigDecimal(s.xid()));
        }
        if (s.since() != null) {
            where.append(" AND \"ts\" >= ?");
            params.add(Timestamp.from(s.since()));
        }
        if (s.until() != null) {
            where.append(" AND \"ts\" <= ?");
            params.add(Timestamp.from(s.until()));
        }
        if (!s.tables().isEmpty()) {
            where.append(" AND (");
            for (int i = 0; i < s.tables().size(); i++) {
                where.append(i == 0 ? "" : " OR ").append("(\"database_name\" = ? AND \"table_name\" = ?)");
                params.add(s.tables().get(i).database());
                params.add(s.tables().get(i).table());
            }
            where.append(")");
        }
        List<ArchivedEvent> out = new ArrayList<>();
        scan(c, where.toString(), params, ORDER, out::add);
        return out;
    }

    /**
     * The row changes of a table that touch one row, following its key through key changes: the
     * events whose image before or after holds one of the keys known, again until no new key turns
     * up. Key values are compared as text, as Maxwell writes them ({@code 1.50} is not {@code 1.5}).
     */
    List<ArchivedEvent> rowHistory(Connection c, TableId table, Map<String, String> key, java.time.Instant since, java.time.Instant until)
            throws SQLException {
        List<String> columns = new ArrayList<>(key.keySet());
        Set<List<String>> keys = new LinkedHashSet<>();
        keys.add(new ArrayList<>(key.values()));
        List<ArchivedEvent> found = List.of();
        for (int round = 0; round < 1_000; round++) {
            StringBuilder where = new StringBuilder("\"database_name\" = ? AND \"table_name\" = ? AND " + ROWS);
            List<Object> params = new ArrayList<>(List.of(table.database(), table.table()));
            if (since != null) {
                where.append(" AND \"ts\" >= ?");
                params.add(Timestamp.from(since));
            }
            if (until != null) {
                where.append(" AND \"ts\" <= ?");
                params.add(Timestamp.from(until));
            }
            // the images are json text: the database finds the candidates by text (its ->> would
            // unescape every string of a document, and a \u0000 in any of them fails), Java decides
            StringBuilder any = new StringBuilder();
            for (List<String> k : keys) {
                String v = k.get(0);
                if (v == null || !v.matches("[A-Za-z0-9 _.:+-]+")) {
                    any.setLength(0);
                    break;
                }
                any.append(any.length() == 0 ? "" : " OR ").append("strpos(\"data\"::text, ?) > 0 OR strpos(coalesce(\"old\"::text, ''), ?) > 0");
                params.add(v);
                params.add(v);
            }
            if (any.length() > 0) {
                where.append(" AND (").append(any).append(')');
            }
            List<ArchivedEvent> events = new ArrayList<>();
            int before = keys.size();
            scan(c, where.toString(), params, ORDER, e -> {
                Map<String, String> data = JsonMembers.of(e.data());
                Map<String, String> old = JsonMembers.of(e.old());
                List<String> after = new ArrayList<>();
                List<String> prior = new ArrayList<>();
                for (String col : columns) {
                    after.add(JsonMembers.text(data.get(col)));
                    prior.add(JsonMembers.text(old.containsKey(col) ? old.get(col) : data.get(col)));
                }
                if (keys.contains(after) || keys.contains(prior)) {
                    keys.add(after);
                    keys.add(prior);
                    events.add(e);
                }
            });
            found = events;
            if (keys.size() == before) {
                break;
            }
        }
        return found;
    }

    /**
     * @return the pipelines that archived events of a table; when none did, every pipeline the
     *     archive covers (one of them may carry the table, unchanged since it began)
     * @throws ChangeArchive.ArchiveGapException when the archive covers no pipeline at all
     */
    Set<String> pipelinesOf(Connection c, TableId table) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT \"pipeline\" FROM " + archive
                + " WHERE \"database_name\" = ? AND \"table_name\" = ?")) {
            ps.setString(1, table.database());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        if (out.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT \"pipeline\" FROM " + Names.qualify(schema, ArchiveSql.COVERAGE));
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        if (out.isEmpty()) {
            throw new ChangeArchive.ArchiveGapException("the archive holds nothing: no pipeline has run with the archive on");
        }
        return out;
    }

    /**
     * Checks that the archive holds every event after a point of every stream of these pipelines:
     * each stream's coverage reaches its checkpoint (nothing applied since without the archive),
     * and the first event it holds lies at or before the point (or it holds the stream from its start).
     *
     * @throws ChangeArchive.ArchiveGapException naming the stream and what is missing
     */
    void checkCoverage(Connection c, Set<String> pipelines, ArchivePoint at) throws SQLException {
        for (String pipeline : pipelines) {
            Map<String, Long> checkpoints = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT \"stream\", \"offset\" FROM " + Names.qualify(schema, "checkpoint")
                    + " WHERE \"pipeline\" = ?")) {
                ps.setString(1, pipeline);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        checkpoints.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            Set<String> covered = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT \"stream\", \"since_offset\", \"last_offset\", \"since_ts\" FROM "
                    + Names.qualify(schema, ArchiveSql.COVERAGE) + " WHERE \"pipeline\" = ?")) {
                ps.setString(1, pipeline);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String stream = rs.getString(1);
                        long since = rs.getLong(2);
                        boolean fromStart = rs.wasNull();
                        long last = rs.getLong(3);
                        java.time.Instant sinceTime = rs.getTimestamp(4).toInstant();
                        covered.add(stream);
                        Long at0 = checkpoints.get(stream);
                        if (at0 == null || at0 != last) {
                            throw new ChangeArchive.ArchiveGapException("the archive of stream " + stream + " of pipeline " + pipeline
                                    + " ends at offset " + last + ", but the pipeline applied up to " + at0
                                    + " (batches applied without the archive, or a checkpoint reset): the table now is not the archive's");
                        }
                        if (!fromStart) {
                            checkStart(c, pipeline, stream, since, sinceTime, at);
                        }
                    }
                }
            }
            for (String stream : checkpoints.keySet()) {
                if (!covered.contains(stream)) {
                    throw new ChangeArchive.ArchiveGapException("stream " + stream + " of pipeline " + pipeline
                            + " was never applied with the archive on: its changes are not archived");
                }
            }
            if (at.time() == null) {
                checkPositioned(c, pipeline, at);
            }
        }
    }

    /** A binlog position places only streams whose archive has positions: refuses one whose events have none. */
    private void checkPositioned(Connection c, String pipeline, ArchivePoint at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT \"stream\" FROM " + archive + " WHERE \"pipeline\" = ?"
                + " GROUP BY \"stream\" HAVING count(\"binlog_file\") = 0 LIMIT 1")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new ChangeArchive.ArchiveGapException("the archive of stream " + rs.getString(1) + " of pipeline " + pipeline
                            + " has no binlog positions (Maxwell's output_binlog_position is off): give a time instead of " + at);
                }
            }
        }
    }

    /**
     * The first event a stream's coverage holds must lie at or before the point; when it holds
     * none, the point must not lie before the coverage began.
     */
    private void checkStart(Connection c, String pipeline, String stream, long since, java.time.Instant sinceTime, ArchivePoint at)
            throws SQLException {
        List<ArchivedEvent> first = new ArrayList<>();
        scan(c, "\"pipeline\" = ? AND \"stream\" = ? AND \"stream_offset\" > ?", List.of(pipeline, stream, since),
                " ORDER BY \"stream_offset\" LIMIT 1", first::add);
        if (first.isEmpty()) {
            if (at.time() == null || at.time().isBefore(sinceTime)) {
                throw new ChangeArchive.ArchiveGapException("the archive of stream " + stream + " of pipeline " + pipeline
                        + " holds no event since it began at " + sinceTime + (at.time() == null ? ": give a time, not a binlog position"
                        : ", after " + at));
            }
            return;
        }
        ArchivedEvent e = first.get(0);
        boolean before;
        if (at.time() != null) {
            before = !e.time().isAfter(at.time());
        } else if (e.binlogFile() == null) {
            throw new ChangeArchive.ArchiveGapException("the archive of stream " + stream + " has no binlog positions"
                    + " (Maxwell's output_binlog_position is off): give a time instead of " + at);
        } else {
            int f = e.binlogFile().compareTo(at.binlogFile());
            before = f < 0 || (f == 0 && e.binlogPosition() <= at.binlogPosition());
        }
        if (!before) {
            throw new ChangeArchive.ArchiveGapException("the archive of stream " + stream + " of pipeline " + pipeline + " starts at "
                    + describe(e) + ", after " + at + " (the archive was turned on later, or its older partitions were dropped)");
        }
    }

    /** @return the first DDL record or bootstrap marker of the table (or its database's creation or drop) after the point, or null */
    ArchivedEvent barrierAfter(Connection c, TableId table, ArchivePoint at) throws SQLException {
        List<Object> params = new ArrayList<>();
        String after = after(c, at, params);
        params.addAll(List.of(table.database(), table.table(), table.database(), table.table(), table.database()));
        List<ArchivedEvent> found = new ArrayList<>();
        scan(c, after + " AND ((\"database_name\" = ? AND \"table_name\" = ? AND NOT " + ROWS + ")"
                + " OR (\"type\" LIKE 'table-%' AND \"def\" ->> 'database' = ? AND \"def\" ->> 'table' = ?)"
                + " OR (\"type\" IN ('database-create', 'database-drop') AND \"database_name\" = ?))", params, ORDER + " LIMIT 1", found::add);
        return found.isEmpty() ? null : found.get(0);
    }

    /** Scans the row changes of a table after a point, newest first. */
    void rowsAfter(Connection c, TableId table, ArchivePoint at, EventSink sink) throws SQLException {
        List<Object> params = new ArrayList<>();
        String after = after(c, at, params);
        params.add(table.database());
        params.add(table.table());
        scan(c, after + " AND \"database_name\" = ? AND \"table_name\" = ? AND " + ROWS, params, REVERSE, sink);
    }

    /**
     * The condition of the events after a point. A time compares with the event time. A binlog position compares with
     * the events' positions, and places the events that have none (bootstrap markers and rows) by their stream offset:
     * after the point when they come after their stream's last event at or before it (a stream without one has all
     * its events after the point; the coverage check refuses a position before a stream's first event).
     */
    private String after(Connection c, ArchivePoint at, List<Object> params) throws SQLException {
        if (at.time() != null) {
            params.add(Timestamp.from(at.time()));
            return "\"ts\" > ?";
        }
        StringBuilder beyond = new StringBuilder();
        StringBuilder known = new StringBuilder();
        List<Object> beyondParams = new ArrayList<>();
        List<Object> knownParams = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT \"pipeline\", \"stream\", max(\"stream_offset\") FROM " + archive
                + " WHERE \"binlog_file\" COLLATE \"C\" < ? OR (\"binlog_file\" = ? AND \"binlog_pos\" <= ?) GROUP BY 1, 2")) {
            ps.setString(1, at.binlogFile());
            ps.setString(2, at.binlogFile());
            ps.setLong(3, at.binlogPosition());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String or = beyond.length() == 0 ? "" : " OR ";
                    beyond.append(or).append("(\"pipeline\" = ? AND \"stream\" = ? AND \"stream_offset\" > ?)");
                    known.append(or).append("(\"pipeline\" = ? AND \"stream\" = ?)");
                    beyondParams.addAll(List.of(rs.getString(1), rs.getString(2), rs.getLong(3)));
                    knownParams.addAll(List.of(rs.getString(1), rs.getString(2)));
                }
            }
        }
        params.add(at.binlogFile());
        params.add(at.binlogFile());
        params.add(at.binlogPosition());
        String positioned = "\"binlog_file\" COLLATE \"C\" > ? OR (\"binlog_file\" = ? AND \"binlog_pos\" > ?)";
        if (beyond.length() == 0) {
            return "(" + positioned + " OR \"binlog_file\" IS NULL)";
        }
        params.addAll(beyondParams);
        params.addAll(knownParams);
        return "(" + positioned + " OR (\"binlog_file\" IS NULL AND (" + beyond + " OR NOT (" + known + "))))";
    }

    private void scan(Connection c, String where, List<Object> params, String order, EventSink sink) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM " + archive + " WHERE " + where + order)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            ps.setFetchSize(5_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(event(rs));
                }
            }
        }
    }

    private static ArchivedEvent event(ResultSet rs) throws SQLException {
        long serverId = rs.getLong(5);
        Long server = rs.wasNull() ? null : serverId;
        long pos = rs.getLong(7);
        Long position = rs.wasNull() ? null : pos;
        int xo = rs.getInt(8);
        Integer xoffset = rs.wasNull() ? null : xo;
        BigDecimal xid = rs.getBigDecimal(10);
        String keys = rs.getString(15);
        List<String> keyColumns = new ArrayList<>();
        if (keys != null && !keys.equals("null")) {
            for (String k : JsonMembers.elements(keys)) {
                keyColumns.add(JsonMembers.text(k));
            }
        }
        return new ArchivedEvent(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getTimestamp(4).toInstant(), server, rs.getString(6),
                position, xoffset, rs.getString(9), xid == null ? null : xid.toBigIntegerExact(), rs.getBoolean(11), rs.getString(12),
                rs.getString(13), rs.getString(14), keyColumns, rs.getString(16), rs.getString(17), rs.getString(18), rs.getString(19));
    }

    /** @return an event named for a message: stream, offset, position, type, table */
    static String describe(ArchivedEvent e) {
        return "the " + e.type() + " of " + e.database() + (e.table() == null ? "" : "." + e.table()) + " at stream " + e.stream()
                + " offset " + e.offset() + (e.position() == null ? "" : " (binlog " + e.position() + ")") + (e.xid() == null ? "" : " xid " + e.xid())
                + " of " + e.time();
    }
}
