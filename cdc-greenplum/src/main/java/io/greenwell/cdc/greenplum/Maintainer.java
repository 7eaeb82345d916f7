package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One maintenance run: reads every table's figures (see {@link MaintenanceSql} for where they come
 * from on each dialect), decides per table by a {@link Maintenance}'s thresholds, and runs
 * {@code VACUUM}, {@code ANALYZE} or {@code VACUUM ANALYZE} one table at a time.
 *
 * <p>Invariants:
 * <ul>
 *   <li>It works on a {@link TargetSession} of its own (never the batches' connection), through
 *       {@link TargetSession#run}, with the connection in autocommit for the run ({@code VACUUM}
 *       cannot run in a transaction block) and back in manual commit after it; so it never runs
 *       inside an apply transaction, and a lost connection is retried like a batch's.</li>
 *   <li>Every command waits at most the lock timeout for its table's lock (a batch holds it on
 *       Greenplum 6, whose {@code DELETE} takes an EXCLUSIVE lock), then the table is reported
 *       {@link MaintenanceReport.Outcome#LOCKED} and left for the next run. A command the server
 *       refuses (the table was dropped in between) or skips with a warning (not its owner) is
 *       reported {@link MaintenanceReport.Outcome#FAILED}; the other tables go on.</li>
 *   <li>A dry run writes nothing, not even the control schema's {@code maintenance} table.</li>
 *   <li>Runs are serialized ({@code synchronized}); {@link #cancel} may be called from any thread
 *       and cancels the command running.</li>
 * </ul>
 */
final class Maintainer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Maintainer.class);

    private final TargetSession session;
    private final String control;
    private volatile Statement running;
    private volatile boolean cancelled;

    Maintainer(TargetSession session, String controlSchema) {
        this.session = session;
        this.control = Names.target(controlSchema);
    }

    /** The figures of one table, as read. */
    private record Figures(String schema, String table, long live, long dead, long changes, boolean analyzed, Timestamp lastAnalyze) {}

    /** The changes a Greenplum table had when it was last analyzed here. */
    private record Baseline(long changes, Timestamp at) {}

    /**
     * @param tables which user tables to look at, by schema and name
     * @param catalog whether to look at Greenplum's catalog tables (and {@link Maintenance#catalog} allows it)
     * @return what was decided and done, never null
     * @throws ApplyException when the figures could not be read, or the connection was lost for good
     */
    synchronized MaintenanceReport run(Maintenance m, BiPredicate<String, String> tables, boolean catalog, boolean dryRun) {
        return session.run("maintenance failed", c -> {
            c.setAutoCommit(true);
            try {
                return once(c, m, tables, catalog && m.catalog(), dryRun);
            } finally {
                if (!c.isClosed()) {
                    try (Statement st = c.createStatement()) {
                        st.execute(MaintenanceSql.RESET_LOCK_TIMEOUT); // a pooled connection goes back as it came
                    }
                    c.setAutoCommit(false);
                }
            }
        });
    }

    private MaintenanceReport once(Connection c, Maintenance m, BiPredicate<String, String> tables, boolean catalog, boolean dryRun)
            throws SQLException {
        Dialect dialect = session.parts().dialect();
        boolean gp = dialect.isGreenplum();
        try (Statement st = c.createStatement()) {
            st.execute(MaintenanceSql.lockTimeout(m.lockTimeout().toMillis()));
        }
        List<Figures> user = new ArrayList<>();
        List<Figures> cat = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(new MaintenanceSql(dialect).figures())) {
            while (rs.next()) {
                Figures f = new Figures(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getBoolean(6),
                        rs.getTimestamp(7));
                if (f.schema().equals("pg_catalog")) {
                    if (gp && catalog && MaintenanceSql.GREENPLUM_CATALOG.contains(f.table())) {
                        cat.add(f);
                    }
                } else if (tables.test(f.schema(), f.table())) {
                    user.add(f);
                }
            }
        }
        Map<List<String>, Baseline> baselines = gp ? baselines(c) : Map.of();
        List<MaintenanceReport.Table> out = new ArrayList<>();
        for (Figures f : user) {
            long changed = f.changes();
            if (gp) {
                Baseline b = baselines.get(List.of(f.schema(), f.table()));
                if (b != null && f.changes() >= b.changes()) {
                    boolean analyzedElsewhere = f.lastAnalyze() != null && f.lastAnalyze().after(b.at());
                    changed = analyzedElsewhere ? 0 : f.changes() - b.changes();
                    if (analyzedElsewhere && !dryRun) {
                        baseline(c, f); // someone else analyzed it since: count from now
                    }
                }
            }
            boolean vacuum = m.needsVacuum(f.live(), f.dead());
            boolean analyze = m.needsAnalyze(f.live(), changed, !f.analyzed());
            MaintenanceReport.Action a = vacuum && analyze ? MaintenanceReport.Action.VACUUM_ANALYZE
                    : vacuum ? MaintenanceReport.Action.VACUUM : analyze ? MaintenanceReport.Action.ANALYZE : MaintenanceReport.Action.NONE;
            MaintenanceReport.Table done = act(c, f, changed, a, dryRun);
            if (gp && analyze && done.outcome() == MaintenanceReport.Outcome.DONE) {
                baseline(c, f);
            }
            out.add(done);
        }
        for (Figures f : cat) {
            MaintenanceReport.Action a = m.needsVacuum(f.live(), f.dead()) ? MaintenanceReport.Action.VACUUM : MaintenanceReport.Action.NONE;
            out.add(act(c, f, f.changes(), a, dryRun));
        }
        return new MaintenanceReport(out, dryRun);
    }

    /** Runs one table's command, unless it is a dry run or there is nothing to do. */
    private MaintenanceReport.Table act(Connection c, Figures f, long changed, MaintenanceReport.Action a, boolean dryRun)
            throws SQLException {
        if (dryRun || a == MaintenanceReport.Action.NONE) {
            return table(f, changed, a, MaintenanceReport.Outcome.NOT_RUN, null);
        }
        long t0 = System.nanoTime();
        try (Statement st = c.createStatement()) {
            running = st;
            if (cancelled) {
                throw new SQLException("maintenance is closing", "57014");
            }
            st.execute(MaintenanceSql.command(a, f.schema(), f.table()));
            for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                if (w.getMessage() != null && w.getMessage().startsWith("skipping")) {
                    log.warn("maintenance: {} {} was skipped by the server: {}", a.command(), Names.qualify(f.schema(), f.table()), w.getMessage());
                    return table(f, changed, a, MaintenanceReport.Outcome.FAILED, w.getMessage());
                }
            }
            if (!exists(c, f)) {
                // Greenplum 6 says nothing when the table was dropped while the command waited for its lock
                return table(f, changed, a, MaintenanceReport.Outcome.FAILED, "the table was dropped while the command waited for its lock");
            }
            log.info("maintenance: {} {} ({} dead and {} changed rows of {} live) took {} ms", a.command(), Names.qualify(f.schema(), f.table()),
                    f.dead(), changed, f.live(), (System.nanoTime() - t0) / 1_000_000);
            return table(f, changed, a, MaintenanceReport.Outcome.DONE, null);
        } catch (SQLException e) {
            if (ApplyException.isSessionLost(e.getSQLState()) || cancelled) {
                throw e;
            }
            boolean locked = "55P03".equals(e.getSQLState());
            log.warn("maintenance: {} {} {}: {}", a.command(), Names.qualify(f.schema(), f.table()),
                    locked ? "did not get its lock in time, left for the next run" : "failed", e.getMessage());
            return table(f, changed, a, locked ? MaintenanceReport.Outcome.LOCKED : MaintenanceReport.Outcome.FAILED, e.getMessage());
        } finally {
            running = null;
        }
    }

    private static boolean exists(Connection c, Figures f) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MaintenanceSql.tableExists())) {
            ps.setString(1, f.schema());
            ps.setString(2, f.table());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private static MaintenanceReport.Table table(Figures f, long changed, MaintenanceReport.Action a, MaintenanceReport.Outcome o, String message) {
        return new MaintenanceReport.Table(f.schema(), f.table(), f.live(), f.dead(), changed, a, o, message);
    }

    /** @return the recorded counts by (schema, table); none when the control schema has no {@code maintenance} table */
    private Map<List<String>, Baseline> baselines(Connection c) throws SQLException {
        Map<List<String>, Baseline> out = new HashMap<>();
        if (!baselineTableExists(c)) {
            return out;
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(MaintenanceSql.baselines(control))) {
            while (rs.next()) {
                out.put(List.of(rs.getString(1), rs.getString(2)), new Baseline(rs.getLong(3), rs.getTimestamp(4)));
            }
        }
        return out;
    }

    private boolean baselineTableExists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MaintenanceSql.baselineTableExists())) {
            ps.setString(1, control);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /** Records a table's cumulative changes as those of its last {@code ANALYZE}, creating the table for it on first use. */
    private void baseline(Connection c, Figures f) throws SQLException {
        Sql sql = session.parts().sql();
        try {
            if (!baselineTableExists(c)) {
                try (Statement st = c.createStatement()) {
                    if (!session.parts().catalog().schemaExists(c, control)) {
                        st.execute(sql.createSchema(control));
                    }
                    st.execute(sql.createMaintenanceTable(control));
                }
            }
            try (PreparedStatement del = c.prepareStatement(MaintenanceSql.deleteBaseline(control));
                    PreparedStatement ins = c.prepareStatement(MaintenanceSql.insertBaseline(control))) {
                del.setString(1, f.schema());
                del.setString(2, f.table());
                del.executeUpdate();
                ins.setString(1, f.schema());
                ins.setString(2, f.table());
                ins.setLong(3, f.changes());
                ins.executeUpdate();
            }
        } catch (SQLException e) {
            if (ApplyException.isSessionLost(e.getSQLState())) {
                throw e;
            }
            // another maintainer recorded it (or created the table) at the same moment: its count will do
            log.debug("maintenance: recording the changes of {} failed", Names.qualify(f.schema(), f.table()), e);
        }
    }

    /** Cancels the command running, if any, and every later one (the target is closing); callable from any thread. */
    void cancel() {
        cancelled = true;
        Statement st = running;
        if (st != null) {
            try {
                st.cancel();
            } catch (SQLException e) {
                log.debug("cancelling the maintenance command failed", e);
            }
        }
    }

    /** Closes the session; after {@link #cancel}, this waits only for the run to notice. */
    @Override
    public synchronized void close() {
        session.close();
    }
}
