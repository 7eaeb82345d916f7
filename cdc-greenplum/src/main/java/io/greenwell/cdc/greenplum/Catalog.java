package io.greenwell.cdc.greenplum;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads target tables from {@code pg_catalog} (the same queries on PostgreSQL and both Greenplum
 * versions) and caches them until DDL invalidates them.
 */
final class Catalog {

    private static final String COLUMNS = "SELECT a.attnum, a.attname, t.typname, pg_catalog.format_type(a.atttypid, a.atttypmod),"
            + " a.atttypmod, a.attnotnull"
            + " FROM pg_catalog.pg_attribute a"
            + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
            + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
            + " ORDER BY a.attnum";

    private static final String PRIMARY_KEY = "SELECT i.indkey,"
            + " i.indimmediate AND NOT c.relhastriggers AND NOT c.relhasrules AND NOT c.relhassubclass"
            + " FROM pg_catalog.pg_index i"
            + " JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = ? AND i.indisprimary";

    private static final String PRIMARY_KEY_NAME = "SELECT k.conname FROM pg_catalog.pg_constraint k"
            + " JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = ? AND k.contype = 'p'";

    private static final String SCHEMA = "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?";

    private final ValueWriter.Policies policies;
    private final Map<List<String>, TargetTable> tables = new HashMap<>();

    Catalog(ValueWriter.Policies policies) {
        this.policies = policies;
    }

    /**
     * @return the table, or null when it does not exist
     */
    TargetTable table(Connection c, String schema, String name) throws SQLException {
        List<String> key = List.of(schema, name);
        TargetTable t = tables.get(key);
        if (t == null) {
            t = read(c, schema, name);
            if (t != null) {
                tables.put(key, t);
            }
        }
        return t;
    }

    boolean schemaExists(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SCHEMA)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** @return the name of the table's primary-key constraint, or null */
    String primaryKeyName(Connection c, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PRIMARY_KEY_NAME)) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Forgets one table. */
    void invalidate(String schema, String name) {
        tables.remove(List.of(schema, name));
    }

    /** Forgets every table of a schema. */
    void invalidateSchema(String schema) {
        tables.keySet().removeIf(k -> k.get(0).equals(schema));
    }

    /** Forgets everything (after a rollback of DDL, or a new connection). */
    void clear() {
        tables.clear();
    }

    private TargetTable read(Connection c, String schema, String name) throws SQLException {
        List<TargetTable.Column> cols = new ArrayList<>();
        Map<Integer, String> byAttnum = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String col = rs.getString(2);
                    String typname = rs.getString(3);
                    int typmod = rs.getInt(5);
                    byAttnum.put(rs.getInt(1), col);
                    cols.add(new TargetTable.Column(col, typname, rs.getString(4), typmod, rs.getBoolean(6),
                            ValueWriter.forType(typname, typmod, policies)));
                }
            }
        }
        if (cols.isEmpty()) {
            return null;
        }
        List<String> pk = new ArrayList<>();
        boolean plain = false;
        try (PreparedStatement ps = c.prepareStatement(PRIMARY_KEY)) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    for (String attnum : rs.getString(1).trim().split("\\s+")) {
                        pk.add(byAttnum.get(Integer.parseInt(attnum)));
                    }
                    plain = rs.getBoolean(2);
                }
            }
        }
        return new TargetTable(schema, name, cols, pk, plain);
    }
}
