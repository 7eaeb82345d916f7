package io.greenwell.cdc.binlog;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The source's schema over time, kept in a table of a PostgreSQL or Greenplum database (usually
 * the target's): a snapshot of every followed table and database at one binlog offset, then one
 * entry per table or database a DDL statement changed, keyed by the statement's offset. A restart
 * at any offset after the first snapshot rebuilds the schema exactly as it was there (the latest
 * snapshot at or before it, and the entries after that snapshot and before the offset), so that
 * DDL read again after a restart finds the definitions it needs, however long the source was
 * stopped. Entries are written before the records of their statement are handed over, so any
 * checkpoint past a statement finds the statement's entries; a statement read again writes the
 * same entries again (replaced, not added).
 *
 * <p>Layout: {@code <schema>.binlog_schema_history (source, "offset", seq, kind, name, body)} with
 * the primary key {@code (source, "offset", seq)}; {@code source} tells sources apart
 * ({@code host:port/server-id}), {@code kind} is {@code snapshot} (a marker), {@code table} (a
 * definition, as a {@code table-create} record), {@code table-drop}, {@code database} (its
 * charset), {@code database-drop}, or {@code gap} (a start without the schema of its point: no
 * chain leads past it, see {@link #gap}). Snapshots are at even offsets (a binlog position), a
 * statement's entries at its position's odd neighbour, so both order along the binlog.
 *
 * <p>Used by the reader thread only; every call opens its own connection (DDL is rare).
 */
final class SchemaHistory {

    private final String url;
    private final java.util.Properties properties = new java.util.Properties();
    private final String table;
    private final String source;
    private final MaxwellDecoder decoder = MaxwellDecoder.create();

    /**
     * @param url the JDBC URL of the database that keeps it
     * @param user its user, or null for the URL's
     * @param password its password, or null for the URL's
     * @param schema the schema of its table
     * @param source the name of the source's entries
     */
    SchemaHistory(String url, String user, String password, String schema, String source) {
        this.url = url;
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", "greenwell");
        this.table = "\"" + schema.replace("\"", "\"\"") + "\".binlog_schema_history";
        this.source = source;
    }

    String describe() {
        return table + " (" + source + ")";
    }

    /** Creates the table where it is missing. */
    void open() {
        try (Connection c = DriverManager.getConnection(url, properties); Statement st = c.createStatement()) {
            String schema = table.substring(0, table.lastIndexOf('.'));
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM information_schema.schemata WHERE schema_name = '"
                    + schema.substring(1, schema.length() - 1).replace("\"\"", "\"").replace("'", "''") + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                }
            }
            st.execute("CREATE TABLE IF NOT EXISTS " + table + " (source text NOT NULL, \"offset\" bigint NOT NULL, seq integer NOT NULL,"
                    + " kind text NOT NULL, name text, body text, PRIMARY KEY (source, \"offset\", seq))");
        } catch (SQLException e) {
            throw failure("create", e);
        }
    }

    /**
     * @param offset where the source resumes ({@link BinlogPosition#commitOffset()})
     * @return the schema there, or null when no snapshot lies at or before it
     */
    SchemaState load(long offset, String serverCharset) {
        try (Connection c = DriverManager.getConnection(url, properties);
                PreparedStatement ps = c.prepareStatement("SELECT kind, name, body FROM " + table + " WHERE source = ? AND \"offset\" <= ?"
                        + " AND \"offset\" >= (SELECT max(\"offset\") FROM " + table + " WHERE source = ? AND kind IN ('snapshot', 'gap')"
                        + " AND \"offset\" <= ?) ORDER BY \"offset\", seq")) {
            ps.setString(1, source);
            ps.setLong(2, offset);
            ps.setString(3, source);
            ps.setLong(4, offset);
            SchemaState state = null;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String kind = rs.getString(1);
                    if (state == null && kind.equals("gap")) {
                        return null; // the latest mark before the offset says the entries before it do not lead here
                    }
                    if (state == null) {
                        state = new SchemaState(serverCharset);
                    }
                    switch (kind) {
                        case "snapshot" -> { }
                        case "table" -> state.put(((SchemaChange) decoder.decode(rs.getString(3).getBytes(StandardCharsets.UTF_8))).def());
                        case "table-drop" -> state.remove(tableId(rs.getString(2)));
                        case "database" -> state.putDatabase(rs.getString(2), rs.getString(3));
                        case "database-drop" -> state.removeDatabase(rs.getString(2));
                        default -> throw new CdcException("the schema history " + describe() + " holds an entry of unknown kind " + kind);
                    }
                }
            }
            return state;
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    /** Keeps the whole state as it is before the event at {@code offset} (a {@link BinlogPosition#commitOffset()}). */
    void snapshot(long offset, SchemaState state) {
        write(offset, (ps, seq) -> {
            seq = add(ps, offset, seq, "snapshot", null, null);
            for (var db : state.databases().entrySet()) {
                seq = add(ps, offset, seq, "database", db.getKey(), db.getValue());
            }
            for (TableDef def : state.tables()) {
                seq = add(ps, offset, seq, "table", name(def.id()), new String(DdlJson.tableRecord(def), StandardCharsets.UTF_8));
            }
            return seq;
        });
    }

    /**
     * Marks that the entries before {@code offset} (a {@link BinlogPosition#commitOffset()}) do not
     * lead past it: a source that starts there without the schema of that point (read from the
     * server instead, which may be ahead) writes this before it hands over any record, so that a
     * restart between here and its next snapshot reads the schema from the server again rather
     * than an older snapshot that misses the statements between.
     */
    void gap(long offset) {
        write(offset, (ps, seq) -> add(ps, offset, seq, "gap", null, null));
    }

    /** Keeps what one statement at {@code offset} (its {@link BinlogPosition#commitOffset()}) changed. */
    void changed(long offset, List<DdlReader.Change> changes, java.util.function.Predicate<String> followed) {
        long at = offset | 1;
        write(at, (ps, seq) -> {
            for (DdlReader.Change ch : changes) {
                switch (ch.kind()) {
                    case DATABASE_CREATE, DATABASE_ALTER -> seq = add(ps, at, seq, "database", ch.database(), ch.charset());
                    case DATABASE_DROP -> seq = add(ps, at, seq, "database-drop", ch.database(), null);
                    case TABLE_DROP -> seq = add(ps, at, seq, "table-drop", name(new TableId(ch.database(), ch.table())), null);
                    default -> {
                        if (ch.kind() == SchemaChange.Kind.TABLE_ALTER) {
                            seq = add(ps, at, seq, "table-drop", name(new TableId(ch.database(), ch.table())), null);
                        }
                        if (followed.test(ch.def().database())) { // not a table renamed out of the followed databases
                            seq = add(ps, at, seq, "table", name(ch.def().id()), new String(DdlJson.tableRecord(ch.def()), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            return seq;
        });
    }

    private interface Rows {
        int add(PreparedStatement ps, int seq) throws SQLException;
    }

    private void write(long offset, Rows rows) {
        try (Connection c = DriverManager.getConnection(url, properties)) {
            c.setAutoCommit(false);
            try (PreparedStatement del = c.prepareStatement("DELETE FROM " + table + " WHERE source = ? AND \"offset\" = ?");
                    PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (source, \"offset\", seq, kind, name, body)"
                            + " VALUES (?, ?, ?, ?, ?, ?)")) {
                del.setString(1, source);
                del.setLong(2, offset);
                del.executeUpdate();
                rows.add(ps, 0);
                ps.executeBatch();
            }
            c.commit();
        } catch (SQLException e) {
            throw failure("write", e);
        }
    }

    private int add(PreparedStatement ps, long offset, int seq, String kind, String name, String body) throws SQLException {
        ps.setString(1, source);
        ps.setLong(2, offset);
        ps.setInt(3, seq);
        ps.setString(4, kind);
        ps.setString(5, name);
        ps.setString(6, body);
        ps.addBatch();
        return seq + 1;
    }

    /** @return {@code db.table}: MySQL's database names hold no dot */
    private static String name(TableId id) {
        return id.database() + "." + id.table();
    }

    /** The inverse of {@link #name}. */
    private static TableId tableId(String name) {
        int dot = name.indexOf('.');
        return new TableId(name.substring(0, dot), name.substring(dot + 1));
    }

    private CdcException failure(String what, SQLException e) {
        return new CdcException("cannot " + what + " the binlog source's schema history " + describe() + ": " + e.getMessage(), e);
    }
}
