package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maxwell bootstraps as reloads. {@code bootstrap-start} (re)creates the table's shadow, a regular
 * table in the control schema {@code LIKE} the target, so that it survives a crash (Maxwell reruns
 * a failed bootstrap from its start); the snapshot's rows are applied to the shadow like any
 * change set; {@code bootstrap-complete} replaces the target's rows with the shadow's in the
 * batch's transaction ({@code DELETE} and {@code INSERT … SELECT}, keeping the table, its grants
 * and views) and drops the shadow. Rows the stream never reported deleted (TRUNCATE, cascades) are
 * gone afterwards, and a table without a key is not doubled.
 *
 * <p>A table that is empty at {@code bootstrap-start} (a first load) and takes created rows by
 * COPY ({@link TargetTable#plainKeyed}) is loaded straight: its shadow stays empty and carries
 * {@link #DIRECT} as its comment, the snapshot's rows go into the table itself, and
 * {@code bootstrap-complete} only drops the shadow. There is nothing to replace, so the result is
 * the same, and the copy of every row at the end is saved; readers see the rows arrive batch by
 * batch instead of all at once. A rerun of a bootstrap (or a new one after one that never
 * completed) goes through the shadow. So does the rest of a bootstrap loaded straight once a change
 * of the table itself arrives before its {@code bootstrap-complete} (Maxwell sends none; another
 * producer, or partitions read out of order, may): the rows loaded so far are copied into the
 * shadow ({@link #toShadow}), and the table is replaced at the end, as in any bootstrap.
 */
final class Bootstraps {

    private static final Logger log = LoggerFactory.getLogger(Bootstraps.class);

    /** The comment of the shadow of a bootstrap that loads its empty table straight. */
    static final String DIRECT = "greenwell: a bootstrap loaded straight into its empty table";

    private final Sql sql;
    private final Catalog catalog;
    private final SchemaApplier schemas;
    private final String control;

    Bootstraps(Sql sql, Catalog catalog, SchemaApplier schemas, String control) {
        this.sql = sql;
        this.catalog = catalog;
        this.schemas = schemas;
        this.control = control;
    }

    /** Empties (re-creates) the shadow of a table; decides whether the bootstrap loads the table straight. */
    void start(Connection c, TableId table) throws SQLException {
        TargetTable target = target(c, table);
        String shadow = shadowName(target);
        boolean direct;
        if (catalog.table(c, control, shadow) != null) {
            // a rerun, or a new bootstrap after one that never completed: through the shadow, so that the
            // table's rows (the attempt's before, and whatever changed since) are replaced at once at the end
            run(c, sql.dropTable(control, shadow));
            direct = false;
        } else {
            direct = target.plainKeyed && empty(c, target);
        }
        run(c, sql.createShadow(control, shadow, target.qualified, target.primaryKey));
        if (direct) {
            run(c, sql.comment(control, shadow, DIRECT));
        }
        catalog.invalidate(control, shadow);
        log.info("bootstrap of {} started {}", target.qualified, direct ? "straight into the empty table" : "into "
                + Names.qualify(control, shadow));
    }

    /**
     * @return the table the snapshot rows of a table go to: its shadow, or the table itself when the
     *     bootstrap loads it straight; the shadow is created when a bootstrap-start was missed
     */
    TargetTable shadow(Connection c, TableId table) throws SQLException {
        TargetTable target = target(c, table);
        String shadow = shadowName(target);
        TargetTable t = catalog.table(c, control, shadow);
        if (t == null) {
            start(c, table);
            t = catalog.table(c, control, shadow);
        }
        return direct(c, shadow) ? target : t;
    }

    /** Replaces the target's rows with the shadow's, and drops the shadow. */
    void complete(Connection c, TableId table) throws SQLException {
        TargetTable target = target(c, table);
        String shadowName = shadowName(target);
        TargetTable shadow = catalog.table(c, control, shadowName);
        if (shadow == null) {
            throw new ApplyException("bootstrap-complete for " + table + " without its bootstrap-start: no shadow table "
                    + Names.qualify(control, shadowName), table, null, null, null, null);
        }
        if (direct(c, shadowName)) {
            run(c, sql.dropTable(control, shadowName));
            catalog.invalidate(control, shadowName);
            log.info("bootstrap of {} complete (loaded straight)", target.qualified);
            return;
        }
        List<String> columns = new ArrayList<>();
        for (TargetTable.Column col : target.columns) {
            for (TargetTable.Column s : shadow.columns) {
                if (s.name().equals(col.name())) {
                    columns.add(col.name());
                    break;
                }
            }
        }
        run(c, sql.deleteAll(target.qualified));
        run(c, sql.copyRows(shadow.qualified, target.qualified, columns));
        run(c, sql.dropTable(control, shadowName));
        catalog.invalidate(control, shadowName);
        log.info("bootstrap of {} complete", target.qualified);
    }

    /**
     * Turns a bootstrap loaded straight into one through its shadow: the rows the table holds (the
     * snapshot's so far, and the changes since) are copied into the shadow, which loses its mark.
     *
     * @return the shadow, which takes the rest of the snapshot's rows
     */
    TargetTable toShadow(Connection c, TableId table) throws SQLException {
        TargetTable target = target(c, table);
        String shadowName = shadowName(target);
        TargetTable shadow = catalog.table(c, control, shadowName);
        if (shadow == null || !direct(c, shadowName)) {
            return shadow(c, table);
        }
        run(c, sql.copyRows(target.qualified, shadow.qualified, target.columnNames));
        run(c, sql.comment(control, shadowName, null));
        catalog.invalidate(control, shadowName);
        log.info("bootstrap of {} goes on into {}: the table changed before the bootstrap completed", target.qualified,
                Names.qualify(control, shadowName));
        return catalog.table(c, control, shadowName);
    }

    /** @return the names of the shadows of the bootstraps being loaded straight; a new set, empty when none */
    Set<String> directShadows(Connection c) throws SQLException {
        Set<String> out = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql.tablesCommented())) {
            ps.setString(1, control);
            ps.setString(2, DIRECT);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private boolean direct(Connection c, String shadow) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.tableComment())) {
            ps.setString(1, control);
            ps.setString(2, shadow);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && DIRECT.equals(rs.getString(1));
            }
        }
    }

    private boolean empty(Connection c, TargetTable t) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql.anyRow(t.qualified))) {
            return !rs.next();
        }
    }

    private TargetTable target(Connection c, TableId table) throws SQLException {
        String schema = schemas.schemaOf(table.database());
        String name = Names.target(table.table());
        TargetTable t = catalog.table(c, schema, name);
        if (t == null) {
            throw new ApplyException("cannot bootstrap " + table + ": table " + Names.qualify(schema, name) + " does not exist in the target",
                    table, null, "42P01", null, null);
        }
        return t;
    }

    /** A stable, unambiguous name per target table (the schema's length keeps "a.b"+"c" apart from "a"+"b.c"). */
    static String shadowName(TargetTable target) {
        return Names.target("bootstrap_" + target.schema.length() + "_" + target.schema + "." + target.name);
    }

    private static void run(Connection c, String statement) {
        try (Statement st = c.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new ApplyException("bootstrap statement failed [" + statement + "]: " + e.getMessage(), null, null, e.getSQLState(),
                    null, e);
        }
    }
}
