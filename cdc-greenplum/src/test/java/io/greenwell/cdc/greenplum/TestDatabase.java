package io.greenwell.cdc.greenplum;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database of its own for one test class, on a real PostgreSQL: the server that
 * {@code GREENWELL_TEST_JDBC_URL} names (its user must be allowed to create databases), or else
 * an embedded PostgreSQL started from a Maven artifact once per JVM. Dropped on close.
 */
public final class TestDatabase implements AutoCloseable {

    private static final Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/?]*/)([^?]*)(\\?.*)?$");
    private static String serverUrl;

    private final String name;
    private final String url;

    private TestDatabase(String name, String url) {
        this.name = name;
        this.url = url;
    }

    /** Creates an empty database named after the test. */
    public static TestDatabase create(String prefix) throws SQLException {
        String name = ("gw_" + prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL))
                .toLowerCase(Locale.ROOT);
        String server = server();
        try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name + " ENCODING 'UTF8' TEMPLATE template0");
        }
        return new TestDatabase(name, withDatabase(server, name));
    }

    /** @return the database's name (lower case, no quoting needed) */
    public String name() {
        return name;
    }

    /** @return a JDBC URL of this database, user included */
    public String url() {
        return url;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** @return every row of a query, its columns joined by {@code |} (NULL as {@code null}) */
    public List<String> rows(String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    /** The kind of server under test, told by its own settings rather than by {@link Dialect#detect}. */
    public enum ServerKind {
        POSTGRESQL,
        GREENPLUM_6,
        GREENPLUM_7;

        /** @return the dialect a target must choose on this server */
        public Dialect dialect() {
            return this == POSTGRESQL ? Dialect.POSTGRESQL : this == GREENPLUM_6 ? Dialect.GREENPLUM_6 : Dialect.GREENPLUM_7;
        }
    }

    private static ServerKind kind;

    /**
     * @return the kind of the server under test: Greenplum has the setting {@code gp_server_version}
     *     (its major version first), PostgreSQL does not
     */
    public static synchronized ServerKind serverKind() throws SQLException {
        if (kind == null) {
            try (Connection c = DriverManager.getConnection(server()); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT setting FROM pg_catalog.pg_settings WHERE name = 'gp_server_version'")) {
                if (!rs.next()) {
                    kind = ServerKind.POSTGRESQL;
                } else {
                    kind = rs.getString(1).startsWith("6.") ? ServerKind.GREENPLUM_6 : ServerKind.GREENPLUM_7;
                }
            }
        }
        return kind;
    }

    /** @return a JDBC URL of the server's administrative database ({@code GREENWELL_TEST_JDBC_URL} or the embedded one) */
    public static String serverUrl() {
        return server();
    }

    /** Drops schemas (with everything in them) if they exist: a test's tables and Greenwell's control schema. */
    public void dropSchemas(String... schemas) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : schemas) {
                st.execute("DROP SCHEMA IF EXISTS " + Names.quote(s) + " CASCADE");
            }
        }
    }

    /** Kills a backend of this server, as an administrator or a network failure would. */
    public void terminate(int pid) throws SQLException {
        try (Connection c = DriverManager.getConnection(server());
                PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            ps.execute();
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(server()); Statement st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "' AND pid <> pg_backend_pid()");
            st.execute("DROP DATABASE IF EXISTS " + name);
        }
    }

    private static synchronized String server() {
        if (serverUrl == null) {
            String env = System.getenv("GREENWELL_TEST_JDBC_URL");
            if (env != null && !env.isBlank()) {
                serverUrl = env;
            } else {
                try {
                    EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            pg.close();
                        } catch (IOException e) {
                            // the JVM is going away
                        }
                    }));
                    serverUrl = pg.getJdbcUrl("postgres", "postgres");
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
                }
            }
        }
        return serverUrl;
    }

    public static String withDatabase(String url, String database) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host/db URL: " + url);
        }
        return m.group(1) + database + (m.group(3) == null ? "" : m.group(3));
    }
}
