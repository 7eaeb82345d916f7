package io.greenwell.cdc.binlog;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tables and databases of the chosen databases as the binlog has reached them, in Maxwell's
 * model ({@link TableDef}): what a DDL statement's {@code old} is, and what its {@code def} is
 * built from. Rows never need it (every TABLE_MAP event describes its table in full); DDL does.
 *
 * <h2>Where it comes from, and when it can be trusted</h2>
 * It starts from {@code information_schema}, read when the source starts, which shows the schema
 * at the binlog's end of that moment, not at the position the source resumes from. A table's
 * definition from there is used for a statement only if no DDL about that table lies between
 * the resume position and the end the read was sure of ({@link #seedUntil}): the source checks
 * every DDL it reads before that end, and a table such a statement touched is known again only
 * from the binlog itself (its {@code CREATE}). A statement that needs a table's old definition
 * that is not known this way stops the source, naming the statement (never a guessed schema).
 * A fresh start reads the schema and the binlog's end together, so it holds from the first event.
 *
 * <p>Used by the reader thread only.
 */
final class SchemaState {

    private final String serverCharset;
    private final Map<TableId, TableDef> tables = new HashMap<>();
    /** Tables whose entry came from the start's read and may be later than the statement being read. */
    private final Set<TableId> seeded = new HashSet<>();
    private final Map<String, String> databaseCharsets = new HashMap<>();
    private final Set<String> seededDatabases = new HashSet<>();
    /** Before this binlog offset ({@link BinlogPosition#commitOffset()}), seeded entries may be ahead of the statement. */
    private long seedUntil;

    SchemaState(String serverCharset) {
        this.serverCharset = serverCharset;
    }

    String serverCharset() {
        return serverCharset;
    }

    /**
     * The old definition of a table for a statement at {@code offset}.
     *
     * @return the definition, or null when the table does not exist
     * @throws CdcException when the table's definition at that point is not known
     */
    TableDef table(TableId id, long offset, String statement) {
        TableDef def = tables.get(id);
        // before the horizon, a seeded table may already hold the statement's change, and a table the seed lacks may have
        // been there (renamed or dropped later)
        if (offset < seedUntil && (def == null ? seedUntil > 0 : seeded.contains(id))) {
            throw new CdcException("the binlog source cannot tell the definition of table " + id + " before the statement `"
                    + statement + "`: the statement ran between the position the source resumed from and its start, and the"
                    + " definition read at the start may already include it; reload the table (a new bootstrap of " + id
                    + ") and run with skipDdl past it, or start the pipeline over");
        }
        return def;
    }

    /** @return the table's definition as the state has it, sure or not (for what rows need of it), or null */
    TableDef peek(TableId id) {
        return tables.get(id);
    }

    /** @return whether a table exists as far as this state is sure; a seeded one before its horizon counts as unknown (false) */
    boolean surelyExists(TableId id, long offset) {
        return tables.containsKey(id) && (!seeded.contains(id) || offset >= seedUntil);
    }

    void put(TableDef def) {
        tables.put(def.id(), def);
        seeded.remove(def.id());
    }

    void remove(TableId id) {
        tables.remove(id);
        seeded.remove(id);
    }

    /** @return every table's definition, for a snapshot of the state */
    java.util.Collection<TableDef> tables() {
        return tables.values();
    }

    /** @return every database's charset, for a snapshot of the state */
    Map<String, String> databases() {
        return databaseCharsets;
    }

    /** @return the tables of a database, for its drop */
    List<TableId> tablesOf(String database) {
        List<TableId> out = new ArrayList<>();
        for (TableId id : tables.keySet()) {
            if (id.database().equals(database)) {
                out.add(id);
            }
        }
        return out;
    }

    /** @return the charset a table created in the database gets without one of its own */
    String databaseCharset(String database) {
        String cs = databaseCharsets.get(database);
        return cs != null ? cs : serverCharset;
    }

    boolean databaseExists(String database, long offset) {
        return databaseCharsets.containsKey(database) && (!seededDatabases.contains(database) || offset >= seedUntil);
    }

    void putDatabase(String database, String charset) {
        databaseCharsets.put(database, charset);
        seededDatabases.remove(database);
    }

    void removeDatabase(String database) {
        databaseCharsets.remove(database);
        seededDatabases.remove(database);
        for (TableId id : tablesOf(database)) {
            remove(id);
        }
    }

    /**
     * Reads the chosen databases' tables from {@code information_schema}.
     *
     * @param databases the databases, or empty for every one but the server's own
     */
    void seed(Connection c, Collection<String> databases, Set<String> systemDatabases) throws SQLException {
        long until = Long.MAX_VALUE; // until the horizon is known
        String where = databases.isEmpty() ? "NOT IN (" + placeholders(systemDatabases.size()) + ")" : "IN (" + placeholders(databases.size()) + ")";
        List<String> args = new ArrayList<>(databases.isEmpty() ? systemDatabases : databases);
        try (PreparedStatement ps = c.prepareStatement("SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA"
                + " WHERE SCHEMA_NAME " + where)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    databaseCharsets.put(rs.getString(1), rs.getString(2));
                    seededDatabases.add(rs.getString(1));
                }
            }
        }
        Map<TableId, String> charsets = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES"
                + " WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA " + where)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // no charset name holds an underscore, so a collation's charset is the part before its first
                    charsets.put(new TableId(rs.getString(1), rs.getString(2)), DdlReader.charsetOfCollation(rs.getString(3)));
                }
            }
        }
        Map<TableId, List<String>> keys = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS"
                + " WHERE INDEX_NAME = 'PRIMARY' AND TABLE_SCHEMA " + where + " ORDER BY TABLE_SCHEMA, TABLE_NAME, SEQ_IN_INDEX")) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.computeIfAbsent(new TableId(rs.getString(1), rs.getString(2)), k -> new ArrayList<>()).add(rs.getString(3));
                }
            }
        }
        Set<String> jsonChecked = mariaDbJsonColumns(c, where, args);
        Map<TableId, List<ColumnDef>> columns = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME,"
                + " DATETIME_PRECISION FROM information_schema.COLUMNS WHERE TABLE_SCHEMA " + where
                + " ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION")) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableId id = new TableId(rs.getString(1), rs.getString(2));
                    if (!charsets.containsKey(id)) {
                        continue; // a view
                    }
                    String name = rs.getString(3);
                    boolean json = jsonChecked.contains(id + "." + name);
                    columns.computeIfAbsent(id, k -> new ArrayList<>()).add(column(name, json ? "json" : rs.getString(4), rs.getString(5),
                            rs.getString(6), (Integer) rs.getObject(7, Integer.class)));
                }
            }
        }
        columns.forEach((id, cols) -> seeded(new TableDef(id.database(), id.table(), charsets.get(id), cols, keys.getOrDefault(id, List.of())),
                until));
    }

    /**
     * Sets where the start's read holds from: statements that start before this offset may or may not be in it.
     *
     * @param offset a {@link BinlogPosition#commitOffset()}
     */
    void horizon(long offset) {
        seedUntil = offset;
    }

    /** Takes a table's definition as read at the start, valid from binlog offset {@code until} on. */
    void seeded(TableDef def, long until) {
        seedUntil = until;
        tables.put(def.id(), def);
        seeded.add(def.id());
    }

    /** MariaDB's JSON is LONGTEXT with a {@code json_valid} check, which Maxwell reads as {@code json}. */
    private static Set<String> mariaDbJsonColumns(Connection c, String where, List<String> args) throws SQLException {
        Set<String> out = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
                + " WHERE CONSTRAINT_SCHEMA " + where)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)^json_valid\\(`((?:[^`]|``)+)`\\)$").matcher(rs.getString(3).trim());
                    if (m.matches()) {
                        out.add(new TableId(rs.getString(1), rs.getString(2)) + "." + m.group(1).replace("``", "`"));
                    }
                }
            }
        } catch (SQLException e) {
            // MySQL before 8.0.16 has no CHECK_CONSTRAINTS, and its JSON is a type of its own
        }
        return out;
    }

    /** A column as Maxwell's schema capture gives it, from {@code information_schema.COLUMNS}. */
    static ColumnDef column(String name, String dataType, String columnType, String charset, Integer fsp) {
        String type = SqlTokens.lower(dataType);
        String full = SqlTokens.lower(columnType);
        switch (type) {
            case "tinyint": case "smallint": case "mediumint": case "int": case "bigint":
                return new ColumnDef(name, type, !full.contains("unsigned"), null, List.of(), null);
            case "datetime": case "timestamp": case "time":
                return new ColumnDef(name, type, null, null, List.of(), fsp == null ? 0 : fsp);
            case "enum": case "set":
                SqlTokens t = new SqlTokens(columnType);
                t.next();
                return new ColumnDef(name, type, null, null, DdlReader.stringList(t), null);
            case "binary": case "varbinary": case "tinyblob": case "blob": case "mediumblob": case "longblob":
                return new ColumnDef(name, type, null, "binary", List.of(), null);
            case "char": case "varchar": case "tinytext": case "text": case "mediumtext": case "longtext":
                return new ColumnDef(name, type, null, charset, List.of(), null);
            default:
                return ColumnDef.of(name, type);
        }
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(Math.max(1, n), "?"));
    }

    private static void bind(PreparedStatement ps, List<String> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setString(i + 1, args.get(i));
        }
        if (args.isEmpty()) {
            ps.setString(1, "");
        }
    }
}
