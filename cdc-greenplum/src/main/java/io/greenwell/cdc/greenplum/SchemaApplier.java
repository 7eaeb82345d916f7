package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies Maxwell's DDL records to the target inside the batch's transaction: a database becomes a
 * schema, a table-create a table with the type map, the primary key and, on Greenplum,
 * {@code DISTRIBUTED BY} the key and heap storage. A schema or table that exists already is
 * checked rather than created again ({@code IF NOT EXISTS} is not in every dialect): a table with
 * the same columns and key is left alone, one of another shape stops the pipeline.
 */
final class SchemaApplier {

    private static final Logger log = LoggerFactory.getLogger(SchemaApplier.class);

    private final Sql sql;
    private final Catalog catalog;
    private final SchemaMapping mapping;
    private final TypeMap.Options types;
    private final Map<SchemaChange.Kind, DdlPolicy> policies;

    SchemaApplier(Sql sql, Catalog catalog, SchemaMapping mapping, TypeMap.Options types, Map<SchemaChange.Kind, DdlPolicy> policies) {
        this.sql = sql;
        this.catalog = catalog;
        this.mapping = mapping;
        this.types = types;
        this.policies = Map.copyOf(policies);
    }

    /**
     * @return false when the mapping filters the record out, true when it was applied
     * @throws ApplyException when the target cannot take it
     */
    boolean apply(Connection c, SchemaChange ch) throws SQLException {
        if (!included(ch)) {
            return false;
        }
        DdlPolicy policy = policies.getOrDefault(ch.kind(), DdlPolicy.APPLY);
        if (policy == DdlPolicy.IGNORE) {
            log.info("{} ignored by policy: {}", ch.kind().wireName(), ch.sql());
            return false;
        }
        if (policy == DdlPolicy.FAIL) {
            throw new ApplyException("the DDL policy refuses " + ch.kind().wireName() + ": " + ch.sql(), ch.table(), null, null,
                    null, null);
        }
        switch (ch.kind()) {
            case DATABASE_CREATE:
                ensureSchema(c, schemaOf(ch.database()));
                return true;
            case DATABASE_ALTER:
                // a charset change: PostgreSQL text has no per-schema charset
                return true;
            case DATABASE_DROP:
                dropSchema(c, schemaOf(ch.database()));
                return true;
            case TABLE_CREATE:
                createTable(c, ch);
                return true;
            case TABLE_DROP:
                dropTable(c, ch.table());
                return true;
            default:
                alterTable(c, ch);
                return true;
        }
    }

    private boolean included(SchemaChange ch) {
        switch (ch.kind()) {
            case DATABASE_CREATE:
            case DATABASE_ALTER:
            case DATABASE_DROP:
                return mapping.includesDatabase(ch.database());
            case TABLE_CREATE:
                return mapping.includes(ch.def().id());
            case TABLE_ALTER:
                return mapping.includes(ch.table()) || (ch.def() != null && mapping.includes(ch.def().id()));
            default:
                return mapping.includes(ch.table());
        }
    }

    String schemaOf(String database) {
        return Names.target(mapping.schemaOf(database));
    }

    /**
     * Creates a schema unless it exists. Instances applying different partitions may create the
     * same schema at the same moment (a table-create in each): the loser's CREATE fails on the
     * catalog's unique index once the winner commits. That failure is reported as a serialization
     * failure (40001), so the batch is retried in a new transaction, which sees the schema (going
     * on in the same transaction is not enough: its catalog cache may still miss the schema).
     */
    private void ensureSchema(Connection c, String schema) throws SQLException {
        if (catalog.schemaExists(c, schema)) {
            return;
        }
        try {
            execute(c, sql.createSchema(schema));
        } catch (ApplyException e) {
            if ("23505".equals(e.sqlState()) || "42P06".equals(e.sqlState())) {
                throw new ApplyException("schema " + schema + " was created by another instance at the same time; the batch is"
                        + " applied again", null, null, "40001", null, e);
            }
            throw e;
        }
    }

    private void dropSchema(Connection c, String schema) throws SQLException {
        if (catalog.schemaExists(c, schema)) {
            execute(c, sql.dropSchema(schema));
        }
        catalog.invalidateSchema(schema);
    }

    private void dropTable(Connection c, TableId table) throws SQLException {
        String schema = schemaOf(table.database());
        String name = Names.target(table.table());
        if (catalog.table(c, schema, name) != null) {
            execute(c, sql.dropTable(schema, name));
        }
        catalog.invalidate(schema, name);
    }

    private void createTable(Connection c, SchemaChange ch) throws SQLException {
        TableDef def = ch.def();
        String schema = schemaOf(def.database());
        String name = Names.target(def.table());
        MysqlDdl.CreateTable parsed = MysqlDdl.parseCreateTable(ch.sql());
        TargetTable like = null;
        if (parsed.likeTable() != null) {
            String likeDb = parsed.likeDatabase() != null ? parsed.likeDatabase() : def.database();
            like = catalog.table(c, schemaOf(likeDb), Names.target(parsed.likeTable()));
        }
        List<Sql.ColumnSpec> cols = columns(def, parsed, like, types);
        List<String> names = new ArrayList<>();
        for (Sql.ColumnSpec col : cols) {
            names.add(col.name());
        }
        List<String> key = key(def);
        TargetTable existing = catalog.table(c, schema, name);
        if (existing != null) {
            List<String> have = new ArrayList<>();
            for (TargetTable.Column col : existing.columns) {
                have.add(col.name());
            }
            if (!have.equals(names) || !existing.primaryKey.equals(key)) {
                throw new ApplyException("table " + existing.qualified + " exists with columns " + have + " and key "
                        + existing.primaryKey + ", but the stream creates it with columns " + names + " and key " + key,
                        def.id(), null, null, null, null);
            }
            log.info("table {} exists already with the same columns and key; left as it is", existing.qualified);
            return;
        }
        ensureSchema(c, schema);
        execute(c, sql.createTable(schema, name, cols, key));
        catalog.invalidate(schema, name);
    }

    private void alterTable(Connection c, SchemaChange ch) throws SQLException {
        TableDef oldDef = ch.oldDef();
        TableDef def = ch.def();
        String schema = schemaOf(ch.table().database());
        String name = Names.target(ch.table().table());
        TargetTable cur = catalog.table(c, schema, name);
        if (cur == null) {
            throw new ApplyException("table " + Names.qualify(schema, name) + " does not exist in the target, so it cannot be altered: "
                    + ch.sql(), ch.table(), null, "42P01", null, null);
        }
        String newSchema = schemaOf(def.database());
        String newName = Names.target(def.table());
        if (!newSchema.equals(schema)) {
            ensureSchema(c, newSchema);
        }
        List<String> statements = planAlter(sql, cur, oldDef, def, MysqlDdl.parseAlter(ch.sql()),
                catalog.primaryKeyName(c, schema, name), newSchema, newName, types);
        for (String st : statements) {
            execute(c, st);
        }
        catalog.invalidate(schema, name);
        catalog.invalidate(newSchema, newName);
    }

    /**
     * The statements of a table-alter, from the difference between {@code old} and {@code def}
     * and the statement text: column renames first (which defs alone cannot tell from a drop and
     * an add), the old primary key dropped when the key changes, dropped and added columns,
     * type changes the statement or the defs show (values converted by a cast, as MySQL converts
     * them; on Greenplum, a key column's type changes with the table randomly distributed and
     * without its primary key, which come back after), the new key (on Greenplum after redistributing by it), and last the table's rename
     * and move to another schema. Pure, for golden tests.
     *
     * @param cur the target table as the catalog has it
     * @param pkName the name of its primary-key constraint, or null
     */
    static List<String> planAlter(Sql sql, TargetTable cur, TableDef oldDef, TableDef def, MysqlDdl.AlterTable parsed, String pkName,
            String newSchema, String newName, TypeMap.Options types) {
        List<String> out = new ArrayList<>();
        String t = cur.qualified;
        // column renames, then the current column list under the new names
        List<String> current = new ArrayList<>();
        Map<String, String> formerName = new HashMap<>();
        for (ColumnDef col : oldDef.columns()) {
            String renamed = parsed.renamed(col.name());
            if (renamed != null && !renamed.equalsIgnoreCase(col.name()) && column(def, renamed) != null && column(oldDef, renamed) == null) {
                String to = column(def, renamed).name();
                out.add(sql.renameColumn(t, Names.target(col.name()), Names.target(to)));
                current.add(to);
                formerName.put(to.toLowerCase(Locale.ROOT), col.name());
            } else {
                current.add(col.name());
                formerName.put(col.name().toLowerCase(Locale.ROOT), col.name());
            }
        }
        List<String> oldKey = new ArrayList<>();
        for (String k : oldDef.primaryKey()) {
            String renamed = parsed.renamed(k);
            oldKey.add(Names.target(renamed != null && column(def, renamed) != null ? column(def, renamed).name() : k));
        }
        List<String> newKey = key(def);
        // the type changes, decided first: on Greenplum a key column's type can change only without
        // the primary key and, when its hash changes, without the distribution (redistributed after)
        List<String> alters = new ArrayList<>();
        boolean keyTypeChanges = false;
        for (ColumnDef col : def.columns()) {
            if (!containsIgnoreCase(current, col.name())) {
                continue;
            }
            ColumnDef before = column(oldDef, formerName.get(col.name().toLowerCase(Locale.ROOT)));
            MysqlDdl.ColumnType stated = parsed.column(col.name());
            boolean defChanged = before == null || !before.type().equalsIgnoreCase(col.type()) || before.isUnsigned() != col.isUnsigned()
                    || !Objects.equals(before.columnLength(), col.columnLength());
            if (stated == null && !defChanged) {
                continue;
            }
            String desired = TypeMap.pgType(col, stated, types);
            int p = cur.position(col.name());
            String have = p >= 0 ? cur.columns.get(p).type() : null;
            if (!TypeMap.catalogForm(desired).equals(have)) {
                alters.add(sql.alterColumnType(t, Names.target(col.name()), desired));
                keyTypeChanges |= cur.primaryKey.contains(Names.target(col.name()));
            }
        }
        boolean rebuildKey = !oldKey.equals(newKey) || !cur.primaryKey.equals(newKey)
                || (keyTypeChanges && sql.dialect().isGreenplum());
        if (rebuildKey && pkName != null) {
            out.add(sql.dropConstraint(t, pkName));
        }
        for (String col : current) {
            if (column(def, col) == null) {
                out.add(sql.dropColumn(t, Names.target(col)));
            }
        }
        for (ColumnDef col : def.columns()) {
            if (!containsIgnoreCase(current, col.name())) {
                MysqlDdl.ColumnType stated = parsed.column(col.name());
                String type = TypeMap.pgType(col, stated, types);
                String fill = fill(stated, type);
                out.add(fill == null ? sql.addColumn(t, Names.target(col.name()), type) : sql.addColumn(t, Names.target(col.name()), type, fill));
                if (fill == null && stated != null && stated.defaultValue() != null) {
                    log.warn("{}: column {} is added without its DEFAULT {} (no exact {} constant for it): the rows that exist get NULL,"
                            + " where MySQL gave them the default", t, col.name(), stated.defaultValue(), type);
                }
            }
        }
        if (keyTypeChanges && sql.dialect().isGreenplum()) {
            out.add(sql.setDistribution(t, List.of()));
        }
        out.addAll(alters);
        if (rebuildKey) {
            if (sql.dialect().isGreenplum()) {
                out.add(sql.setDistribution(t, newKey));
            }
            if (!newKey.isEmpty()) {
                out.add(sql.addPrimaryKey(t, newKey));
            }
        }
        if (!newName.equals(cur.name)) {
            out.add(sql.renameTable(t, newName));
            t = Names.qualify(cur.schema, newName);
        }
        if (!newSchema.equals(cur.schema)) {
            out.add(sql.setSchema(t, newSchema));
        }
        return out;
    }

    /**
     * The constant that fills an added column's existing rows as MySQL fills them ({@code ADD COLUMN c int DEFAULT 3}), where
     * the target type takes MySQL's constant unchanged: numbers into numeric types, strings into text types, date and time
     * strings into {@code date} and {@code timestamp}. Else null: the rows get NULL (a bit string, a boolean, a set, a time
     * zone, an expression such as {@code CURRENT_TIMESTAMP} have no exact counterpart).
     */
    static String fill(MysqlDdl.ColumnType stated, String type) {
        if (stated == null || stated.defaultValue() == null) {
            return null;
        }
        String v = stated.defaultValue();
        boolean number = v.matches("[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");
        if (stated.name().equals("year")) {
            return year(v, stated.defaultQuoted());
        }
        if (type.equals("smallint") || type.equals("integer") || type.equals("bigint") || type.startsWith("numeric") || type.equals("real")
                || type.equals("double precision")) {
            return number ? v : null;
        }
        if (type.equals("text") || type.startsWith("varchar") || type.startsWith("character")) {
            return v.indexOf('\0') >= 0 ? null : Sql.literal(v); // PostgreSQL's text holds no NUL
        }
        if ((type.equals("date") || type.equals("timestamp") || type.matches("timestamp\\(\\d\\)")) && stated.defaultQuoted()
                && !v.startsWith("0000")) {
            return Sql.literal(v);
        }
        return null;
    }

    /**
     * A YEAR's default as MySQL stores it: one or two digits are 2000 + n below 70 and 1900 + n from 70 (the number 0 is year
     * 0, the string {@code '0'} 2000), four digits as they are. @return null for anything else
     */
    private static String year(String v, boolean quoted) {
        if (!v.matches("[0-9]{1,4}")) {
            return null;
        }
        int y = Integer.parseInt(v);
        if (v.length() <= 2 && (y > 0 || quoted)) {
            y += y < 70 ? 2000 : 1900;
        }
        return Integer.toString(y);
    }

    private static ColumnDef column(TableDef def, String name) {
        if (name == null) {
            return null;
        }
        for (ColumnDef c : def.columns()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    private static boolean containsIgnoreCase(List<String> names, String name) {
        for (String n : names) {
            if (n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The target columns of a table-create: exact names (hashed past 63 bytes), types from the
     * type map, or from the table a {@code CREATE TABLE … LIKE} copies when the target has it.
     */
    static List<Sql.ColumnSpec> columns(TableDef def, MysqlDdl.CreateTable parsed, TargetTable like, TypeMap.Options types) {
        List<Sql.ColumnSpec> cols = new ArrayList<>();
        for (ColumnDef col : def.columns()) {
            String type = null;
            if (like != null) {
                int p = like.position(col.name());
                if (p >= 0) {
                    type = like.columns.get(p).type();
                }
            }
            if (type == null) {
                type = TypeMap.pgType(col, parsed.column(col.name()), types);
            }
            cols.add(new Sql.ColumnSpec(Names.target(col.name()), type));
        }
        return cols;
    }

    /** @return the target names of a table's primary key */
    static List<String> key(TableDef def) {
        List<String> key = new ArrayList<>();
        for (String k : def.primaryKey()) {
            key.add(Names.target(k));
        }
        return key;
    }

    private static void execute(Connection c, String statement) {
        try (Statement st = c.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new ApplyException("the target rejected DDL [" + statement + "]: " + e.getMessage(), null, null,
                    e.getSQLState(), null, e);
        }
    }
}
