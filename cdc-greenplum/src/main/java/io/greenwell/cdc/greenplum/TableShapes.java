package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.spi.KeyResolver;
import io.greenwell.cdc.spi.TableShape;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target's tables as a compactor needs them (key and columns), for rows whose records do not
 * name their key.
 *
 * <p>Invariants: {@link #resolver()} runs on the pipeline's reader thread while the session works
 * on the applier thread, so it reads the catalog on a connection of its own (autocommit, opened
 * on first use, closed after a failure and opened again on the next call) under a lock; a table
 * that does not exist, or that the mapping excludes, is unknown. {@link #shapeOf} serves any
 * connection and catalog, such as the session's during a dead-letter retry.
 */
final class TableShapes {

    private static final Logger log = LoggerFactory.getLogger(TableShapes.class);

    private final TargetSession.Opener opener;
    private final SchemaMapping mapping;
    private final ValueWriter.Policies policies;
    private final Object lock = new Object();
    private Connection conn;
    private Catalog catalog;
    private boolean closed;

    TableShapes(TargetSession.Opener opener, SchemaMapping mapping, ValueWriter.Policies policies) {
        this.opener = opener;
        this.mapping = mapping;
        this.policies = policies;
    }

    /** @return a resolver that reads each table afresh on the resolver's own connection */
    KeyResolver resolver() {
        return table -> {
            if (!mapping.includes(table)) {
                return Optional.empty();
            }
            synchronized (lock) {
                if (closed) {
                    return Optional.empty();
                }
                try {
                    if (conn == null) {
                        conn = opener.open();
                        conn.setAutoCommit(true);
                        catalog = new Catalog(policies);
                    }
                    // the compactor asks once per table until DDL changes it: read the catalog afresh
                    catalog.invalidate(targetSchema(table), Names.target(table.table()));
                    return shapeOf(catalog, conn, table);
                } catch (SQLException | ApplyException e) {
                    closeConnection();
                    throw e instanceof ApplyException ? (ApplyException) e : catalogFailure(table, (SQLException) e);
                }
            }
        };
    }

    /** The shape of a table as the target has it, read through {@code cat} on {@code c}; empty when it does not exist. */
    Optional<TableShape> shapeOf(Catalog cat, Connection c, TableId table) {
        try {
            TargetTable t = cat.table(c, targetSchema(table), Names.target(table.table()));
            return t == null ? Optional.empty() : Optional.of(shape(t));
        } catch (SQLException e) {
            throw catalogFailure(table, e);
        }
    }

    /** Closes the resolver's connection; the resolver knows no table after this. */
    void close() {
        synchronized (lock) {
            closed = true;
            closeConnection();
        }
    }

    private static TableShape shape(TargetTable t) {
        List<String> columns = new ArrayList<>(t.columns.size());
        for (TargetTable.Column col : t.columns) {
            columns.add(col.name());
        }
        return new TableShape(t.primaryKey, columns);
    }

    private String targetSchema(TableId table) {
        return Names.target(mapping.schemaOf(table.database()));
    }

    private void closeConnection() {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException e) {
                log.debug("closing the catalog connection failed", e);
            }
            conn = null;
        }
    }

    private static ApplyException catalogFailure(TableId table, SQLException e) {
        return new ApplyException("cannot read table " + table + " from the target's catalog: " + e.getMessage(), table, null,
                e.getSQLState(), null, e);
    }
}
