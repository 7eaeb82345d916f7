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

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("session");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @Test
    void commitsAreAsynchronousByDefault() throws SQLException {
        assertThat(synchronousCommitAfterAReplay(GreenplumTarget.builder())).isEqualTo("off");
    }

    @Test
    void commitsAreAsTheServerHasThemWhenAskedFor() throws SQLException {
        assertThat(synchronousCommitAfterAReplay(GreenplumTarget.builder().synchronousCommit(true))).isEqualTo("on");
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

    /** Connections from the driver, the last one kept for the test to look into. */
    private static final class Remembering implements DataSource {
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
