package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the target sets in its session: asynchronous commits unless synchronous ones are asked for, and keepalives. */
class SessionSettingsIT {

    /** The database's own synchronous_commit, set for this test's database. */
    private static final String SERVERS_OWN = "local";

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("session");
        // the server's own setting, made by the test rather than taken from the server's defaults
        // (an embedded PostgreSQL runs with it off); "local" is neither what the target sets nor on
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + db.name() + " SET synchronous_commit = " + SERVERS_OWN);
        }
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @Test
    void commitsAreAsynchronousByDefault() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            assertThat(rs.getString(1)).as("the database's own setting").isEqualTo(SERVERS_OWN);
        }
        assertThat(synchronousCommitAfterAReplay(GreenplumTarget.builder())).isEqualTo("off");
    }

    @Test
    void aClosedTargetLeavesAPooledSessionAsItFoundIt() throws SQLException {
        db.dropSchemas("music", "greenwell");
        try (Connection physical = java.sql.DriverManager.getConnection(db.url())) {
            // a pool's connection: closing it hands the session back instead of ending it
            Connection pooled = (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        try {
                            return method.invoke(physical, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            Pooled ds = new Pooled(pooled);
            try (GreenplumTarget target = GreenplumTarget.builder().dataSource(ds).build()) {
                Scenarios.replay(target, "p", "s", Scenarios.records("music"), 7);
                assertThat(locksOf(physical)).as("the stream's lock while the target runs").isEqualTo(1);
            }
            physical.setAutoCommit(true);
            for (String setting : new String[] {"synchronous_commit", "tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count"}) {
                try (Connection fresh = db.connect()) {
                    assertThat(show(physical, setting)).as(setting).isEqualTo(show(fresh, setting));
                }
            }
            assertThat(locksOf(physical)).as("advisory locks left in the session").isZero();
        }
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static int locksOf(Connection physical) throws SQLException {
        try (Connection c = db.connect(); java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND pid = ?")) {
            ps.setInt(1, physical.unwrap(org.postgresql.PGConnection.class).getBackendPID());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void commitsAreAsTheServerHasThemWhenAskedFor() throws SQLException {
        assertThat(synchronousCommitAfterAReplay(GreenplumTarget.builder().synchronousCommit(true))).isEqualTo(SERVERS_OWN);
    }

    @Test
    void theServerProbesTheConnectionSoThatAVanishedClientsLocksGo() throws SQLException {
        assertThat(settingAfterAReplay(GreenplumTarget.builder(), "tcp_keepalives_idle")).isEqualTo("30");
        assertThat(settingAfterAReplay(GreenplumTarget.builder(), "tcp_keepalives_interval")).isEqualTo("5");
        assertThat(settingAfterAReplay(GreenplumTarget.builder(), "tcp_keepalives_count")).isEqualTo("3");
    }

    private static String synchronousCommitAfterAReplay(GreenplumTarget.Builder builder) throws SQLException {
        return settingAfterAReplay(builder, "synchronous_commit");
    }

    /** Replays the music scenario and reads a setting on the target's own connection. */
    private static String settingAfterAReplay(GreenplumTarget.Builder builder, String setting) throws SQLException {
        db.dropSchemas("music", "greenwell");
        Remembering ds = new Remembering(db.url());
        try (GreenplumTarget target = builder.dataSource(ds).build()) {
            Scenarios.replay(target, "p", "s", Scenarios.records("music"), 7);
            try (Connection c = db.connect()) {
                assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
            }
            try (Statement st = ds.last.createStatement(); ResultSet rs = st.executeQuery("SHOW " + setting)) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** One session, handed out again and again, as a pool does. */
    private static final class Pooled extends Remembering {
        private final Connection session;

        Pooled(Connection session) {
            super(null);
            this.session = session;
        }

        @Override
        public Connection getConnection() {
            last = session;
            return session;
        }
    }

    /** Connections from the driver, the last one kept for the test to look into. */
    private static class Remembering implements DataSource {
        private final String url;
        Connection last;

        Remembering(String url) {
            this.url = url;
        }

        @Override
        public Connection getConnection() throws SQLException {
            last = DriverManager.getConnection(url);
            return last;
        }

        @Override
        public Connection getConnection(String user, String password) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
