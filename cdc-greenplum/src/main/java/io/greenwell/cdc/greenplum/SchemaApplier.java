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
import java.util.List;
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

    SchemaApplier(Sql sql, Catalog catalog, SchemaMapping mapping, TypeMap.Options types) {
        this.sql = sql;
        this.catalog = catalog;
        this.mapping = mapping;
        this.types = types;
    }

    /**
     * @return false when the mapping filters the record out, true when it was applied
     * @throws ApplyException when the target cannot take it
     */
    boolean apply(Connection c, SchemaChange ch) throws SQLException {
        switch (ch.kind()) {
            case DATABASE_CREATE:
                if (!mapping.includesDatabase(ch.database())) {
                    return false;
                }
                ensureSchema(c, schemaOf(ch.database()));
                return true;
            case DATABASE_ALTER:
                // a charset change: PostgreSQL text has no per-schema charset
                return mapping.includesDatabase(ch.database());
            case DATABASE_DROP:
                if (!mapping.includesDatabase(ch.database())) {
                    return false;
                }
                dropSchema(c, schemaOf(ch.database()));
                return true;
            case TABLE_CREATE:
                if (!mapping.includes(ch.def().id())) {
                    return false;
                }
                createTable(c, ch);
                return true;
            case TABLE_DROP:
                if (!mapping.includes(ch.table())) {
                    return false;
                }
                dropTable(c, ch.table());
                return true;
            default:
                if (!mapping.includes(ch.table())) {
                    return false;
                }
                throw new ApplyException(ch.kind().wireName() + " is not applied by this version of the target: " + ch.sql(),
                        ch.table(), null, null, null, null);
        }
    }

    String schemaOf(String database) {
        return Names.target(mapping.schemaOf(database));
    }

    private void ensureSchema(Connection c, String schema) throws SQLException {
        if (!catalog.schemaExists(c, schema)) {
            execute(c, sql.createSchema(schema));
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
