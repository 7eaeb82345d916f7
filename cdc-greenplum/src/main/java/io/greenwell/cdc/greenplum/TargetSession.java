package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.event.SchemaChange;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's life for a {@link GreenplumTarget}: opening it with the session's settings,
 * running work on it with retries, what a failure leaves behind, and the reset on close.
 *
 * <p>Invariants:
 * <ul>
 *   <li>It owns at most one connection, in manual-commit mode with {@link Sql#SESSION} set. What
 *       lives in the server session (staging tables, stream locks, settings) lives and dies with
 *       that connection; a lost connection is replaced by a new one on the next {@link #run}.</li>
 *   <li>The {@link Parts} that write SQL are made once, on the first connection, for its
 *       dialect; a later connection to a server of another dialect is refused.</li>
 *   <li>After {@link #run} fails, the session is clean: rolled back (the checkpoints forget what
 *       the transaction wrote, the catalog what its DDL changed), or, when the connection or a
 *       Greenplum segment's part of it is gone, closed and forgotten, with the last attempt's
 *       COMMIT in doubt, so that the next batch settles it before anything is written.</li>
 *   <li>Called from one thread at a time (the pipeline's applier thread); the key resolver's
 *       connection is another one ({@link TableShapes}).</li>
 * </ul>
 */
final class TargetSession {

    private static final Logger log = LoggerFactory.getLogger(TargetSession.class);

    /** Opens a new JDBC connection to the target. */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    /** Work on the session's connection that may fail with an {@link SQLException}. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** What the target's work is made of, for the session's dialect. */
    record Parts(Dialect dialect, Sql sql, Catalog catalog, ChangesApplier changes, Isolator isolator, SchemaApplier schemas,
            Checkpoints checkpoints, StreamLocks locks, Bootstraps bootstraps, ArchiveWriter archive) {}

    /** How the session is set up and retried; see {@link GreenplumTarget.Builder}. */
    record Settings(Dialect dialect, SchemaMapping mapping, String controlSchema, ValueWriter.Policies policies, TypeMap.Options types,
            Map<SchemaChange.Kind, DdlPolicy> ddlPolicies, boolean synchronousCommit, Duration streamLockWait, int retries,
            Duration retryBackoff, Duration maxRetryBackoff, boolean archive, Duration archiveRetention) {}

    private final Opener opener;
    private final Settings settings;
    private final TargetStats stats = new TargetStats();
    private Connection conn;
    private Parts parts;
    private boolean closed;

    /**
     * @return connections from the data source, or else from the URL; these show as {@code greenwell}
     *     in {@code pg_stat_activity} unless the URL names another application
     */
    static Opener opener(DataSource dataSource, String url, Properties properties) {
        if (dataSource != null) {
            return dataSource::getConnection;
        }
        Properties p = new Properties();
        p.putAll(properties);
        if (!url.contains("ApplicationName=") && !p.containsKey("ApplicationName")) {
            p.setProperty("ApplicationName", "greenwell");
        }
        return () -> DriverManager.getConnection(url, p);
    }

    TargetSession(Opener opener, Settings settings) {
        this.opener = opener;
        this.settings = settings;
    }

    /** @return the dialect in use: the session's, else the configured one (null before the first connection when none is) */
    Dialect dialect() {
        return parts != null ? parts.dialect() : settings.dialect();
    }

    /** @return what the session and its parts count, for the target's meters */
    TargetStats stats() {
        return stats;
    }

    /** @return how the session is set up and retried */
    Settings settings() {
        return settings;
    }

    /** @return the parts, or null before the first connection */
    Parts parts() {
        return parts;
    }

    /**
     * Runs work on the session, again after a doubling pause when it fails transiently (see
     * {@link ApplyException#isTransient()}), up to the configured number of retries; before each
     * retry the session was rolled back or dropped, so the work starts clean.
     *
     * @param what what the work is, for the message of an {@link SQLException}
     * @throws ApplyException when the work failed for good
     */
    <T> T run(String what, Work<T> work) {
        long pause = settings.retryBackoff().toMillis();
        for (int attempt = 0; ; attempt++) {
            try {
                return once(what, work);
            } catch (ApplyException e) {
                if (!e.isTransient() || attempt >= settings.retries()) {
                    throw e;
                }
                log.warn("transient failure (SQLSTATE {}), retry {} of {} in {} ms: {}", e.sqlState(), attempt + 1, settings.retries(),
                        pause, e.getMessage());
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ApplyException("interrupted while waiting to retry: " + e.getMessage(), e.table(), e.key(), e.sqlState(),
                            e.sources(), e);
                }
                pause = Math.min(pause * 2, settings.maxRetryBackoff().toMillis());
            }
        }
    }

    /** Runs work once and turns its failures into {@link ApplyException}s, after {@link #failed}. */
    private <T> T once(String what, Work<T> work) {
        try {
            return work.run(connection());
        } catch (SQLException e) {
            failed(e);
            throw new ApplyException(what + ": " + e.getMessage(), null, null, e.getSQLState(), null, e);
        } catch (ApplyException e) {
            failed(e.getCause() instanceof SQLException ? (SQLException) e.getCause() : null);
            throw e;
        } catch (AssertionError e) {
            // PgJDBC 42.7 throws an AssertionError from BatchResultHandler when the connection dies
            // during executeBatch: a lost connection, transient like one
            SQLException lost = new SQLException("the connection was lost in the driver: " + e.getMessage(), "08006", e);
            failed(lost);
            throw new ApplyException(lost.getMessage(), null, null, "08006", null, lost);
        } catch (RuntimeException e) {
            failed(null);
            throw e;
        }
    }

    /** Rolls back after a failure; forgets the session when the connection is gone or its segments' part of it is. */
    private void failed(SQLException cause) {
        if (conn == null) {
            return;
        }
        boolean lost = cause != null && ApplyException.isSessionLost(cause.getSQLState());
        try {
            if (!lost && !conn.isClosed()) {
                conn.rollback();
            } else {
                lost = true;
            }
        } catch (SQLException e) {
            lost = true;
        }
        if (lost) {
            log.warn("the connection to the target was lost; the next batch opens a new one and checks the checkpoint first");
            stats.lostSessions++;
            parts.checkpoints().inDoubt();
            parts.changes().reset();
            parts.catalog().clear();
            if (parts.archive() != null) {
                parts.archive().reset();
            }
            closeQuietly();
        } else {
            parts.checkpoints().rolledBack();
            parts.changes().endTransaction(false);
            if (parts.archive() != null) {
                parts.archive().rolledBack();
            }
            // DDL of the failed transaction was rolled back with it
            parts.catalog().clear();
        }
    }

    /** @return the session's connection, opened with the session's settings if there is none */
    Connection connection() throws SQLException {
        if (closed) {
            throw new IllegalStateException("the target is closed");
        }
        if (conn != null) {
            return conn;
        }
        Connection c = opener.open();
        try {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String set : Sql.SESSION) {
                    st.execute(set);
                }
                if (!settings.synchronousCommit()) {
                    st.execute(Sql.ASYNCHRONOUS_COMMIT);
                }
            }
            c.commit();
            Dialect d = settings.dialect();
            if (d == null) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT version()")) {
                    rs.next();
                    d = Dialect.detect(rs.getString(1));
                }
                c.commit();
                log.info("target dialect detected: {}", d);
            }
            if (parts == null) {
                parts = partsFor(d);
            } else if (d != parts.dialect()) {
                throw new CdcException("the target's dialect changed between connections: " + parts.dialect() + " then " + d);
            }
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            throw e;
        }
        conn = c;
        return c;
    }

    private Parts partsFor(Dialect d) {
        Sql sql = new Sql(d);
        Catalog catalog = new Catalog(settings.policies());
        ChangesApplier changes = new ChangesApplier(sql, stats);
        SchemaApplier schemas = new SchemaApplier(sql, catalog, settings.mapping(), settings.types(), settings.ddlPolicies());
        String control = Names.target(settings.controlSchema());
        return new Parts(d, sql, catalog, changes, new Isolator(changes), schemas, new Checkpoints(sql, control),
                new StreamLocks(sql, control, settings.streamLockWait(), stats), new Bootstraps(sql, catalog, schemas, control),
                settings.archive() ? new ArchiveWriter(d, control, settings.archiveRetention()) : null);
    }

    /**
     * Ends the session: makes every batch committed so far durable (one synchronous commit flushes
     * the WAL of all the asynchronous ones before it: a source may be gone once its run has ended,
     * such as a file deleted after its replay), releases the stream locks, resets what the session
     * set, for a pool that hands the connection to others, and closes it. Later work is refused.
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (conn == null) {
            return;
        }
        try (Statement st = conn.createStatement()) {
            conn.rollback();
            if (!settings.synchronousCommit()) {
                st.execute(Sql.SYNCHRONOUS_COMMIT_NOW);
                st.execute(Sql.TRANSACTION_ID);
                conn.commit();
            }
            parts.locks().releaseAll(conn);
            for (String reset : Sql.SESSION_RESET) {
                st.execute(reset);
            }
            conn.commit();
        } catch (SQLException e) {
            log.debug("ending the session on close failed", e);
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            conn.close();
        } catch (SQLException e) {
            log.debug("closing the connection failed", e);
        }
        conn = null;
    }
}
