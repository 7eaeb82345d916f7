package io.greenwell.examples;

import io.greenwell.cdc.binlog.BinlogSource;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import io.greenwell.cdc.pipeline.BatchReport;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code greenwell demo --live}: a private MariaDB server (the machine's own {@code mariadbd},
 * with a data directory of its own and the binlog on) and an embedded PostgreSQL; Greenwell's
 * binlog source runs between them while the Spring Music session of the bundled stream (the
 * database and table created, albums added, changed and removed) is run against MariaDB as SQL,
 * transaction by transaction; then both sides are compared until they are equal.
 */
final class LiveDemo {

    private final PrintWriter out;
    private final PrintWriter err;

    LiveDemo(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /**
     * @param mariadbd the server binary, or null to look for it
     * @return the exit status: 0 when both sides converged, or when there is no server binary (said so)
     */
    int run(Path mariadbd) throws Exception {
        Path server = mariadbd != null ? mariadbd : find("mariadbd", "mysqld");
        Path install = server == null ? null : sibling(server, "mariadb-install-db", "mysql_install_db");
        if (server == null || install == null) {
            err.println("greenwell demo --live: skipped: it needs the MariaDB server binaries (mariadbd and mariadb-install-db, MariaDB 10.5"
                    + " or later), found neither on the PATH nor in /usr/sbin, /usr/bin, /usr/local/bin; install MariaDB or give --mariadbd PATH."
                    + " `greenwell demo` without --live needs nothing but Java.");
            err.flush();
            return 0;
        }
        Path dir = Files.createTempDirectory("greenwell-live");
        Process maria = null;
        try {
            say("starting a private MariaDB (" + server + ") with the binlog on ...");
            maria = startMariadb(server, install, dir);
            int port = port(dir);
            try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pgdata")).setCleanDataDirectory(true).start();
                    Connection my = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?user=root")) {
                String url = pg.getJdbcUrl("postgres", "postgres");
                try (BinlogSource source = BinlogSource.builder().host("127.0.0.1").port(port).user("root").serverId(4242)
                                .databases(List.of("music")).schemaHistory(url).build();
                        GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(url).build()) {
                    CdcPipeline p = CdcPipeline.builder().name("live").source(source).target(target).maxDelay(Duration.ofMillis(200))
                            .listener((BatchReport r) -> say(String.format(Locale.ROOT, "batch of %d events, %d net changes applied",
                                    r.events(), r.netChanges())))
                            .build();
                    p.start();
                    awaitReader(my);
                    say("the pipeline reads MariaDB's binlog; running the Spring Music session against MariaDB ...");
                    int transactions = play(my);
                    long t0 = System.nanoTime();
                    List<String> want = rows(my, "SELECT concat_ws(' | ', id, ifnull(album_id, '-'), artist, title, release_year, genre, track_count)"
                            + " FROM music.album ORDER BY id");
                    List<String> got = List.of();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (System.nanoTime() < deadline && p.await(Duration.ofMillis(50)) == null) {
                        got = target(url);
                        if (got.equals(want)) {
                            break;
                        }
                    }
                    p.stop();
                    p.await(Duration.ofSeconds(30));
                    if (!got.equals(want)) {
                        err.println("greenwell demo --live: the sides did not converge within 60 s: " + p.progress());
                        err.flush();
                        return 1;
                    }
                    out.printf(Locale.ROOT, "%d transactions on MariaDB; PostgreSQL's music.album equal to MariaDB's (%d rows) %d ms after"
                            + " the last commit%n%n", transactions, want.size(), (System.nanoTime() - t0) / 1_000_000);
                    out.println("music.album, replicated:");
                    DemoCommand.printAlbums(out, url);
                    out.flush();
                    return 0;
                }
            }
        } finally {
            if (maria != null) {
                maria.destroy();
                if (!maria.waitFor(30, TimeUnit.SECONDS)) {
                    maria.destroyForcibly();
                }
            }
            delete(dir);
        }
    }

    private void say(String s) {
        err.println("greenwell demo --live: " + s);
        err.flush();
    }

    private static Path find(String... names) {
        List<Path> dirs = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty()) {
                dirs.add(Path.of(d));
            }
        }
        dirs.addAll(List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/usr/local/bin"), Path.of("/usr/local/sbin")));
        for (String n : names) {
            for (Path d : dirs) {
                Path p = d.resolve(n);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The install script beside the server, in its bin/ sibling, or on the PATH. */
    private static Path sibling(Path server, String... names) {
        Path parent = server.toAbsolutePath().getParent();
        for (String n : names) {
            for (Path d : new Path[] {parent, parent.resolveSibling("bin")}) {
                if (Files.isExecutable(d.resolve(n))) {
                    return d.resolve(n);
                }
            }
        }
        return find(names);
    }

    private static Process startMariadb(Path server, Path install, Path dir) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path data = dir.resolve("data");
        List<String> init = new ArrayList<>(List.of(install.toString(), "--no-defaults", "--datadir=" + data,
                "--auth-root-authentication-method=normal", "--skip-test-db"));
        if (root) {
            init.add("--user=root");
        }
        Process p = new ProcessBuilder(init).redirectErrorStream(true).redirectOutput(dir.resolve("install.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("mariadb-install-db failed: " + Files.readString(dir.resolve("install.log")));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("port"), Integer.toString(port));
        List<String> cmd = new ArrayList<>(List.of(server.toString(), "--no-defaults", "--datadir=" + data, "--port=" + port,
                "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"), "--pid-file=" + dir.resolve("mysqld.pid"),
                "--log-bin=" + dir.resolve("mysql-bin"), "--binlog-format=ROW", "--binlog-row-metadata=FULL", "--binlog-row-image=FULL",
                "--server-id=1", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci", "--default-time-zone=+00:00"));
        // (names resolved: a connection from 127.0.0.1 is root@localhost, the one user the install made)
        if (root) {
            cmd.add("--user=root");
        }
        Process m = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("mariadbd.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(m::destroyForcibly));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?user=root")) {
                return m;
            } catch (SQLException e) {
                if (!m.isAlive() || System.nanoTime() > deadline) {
                    m.destroyForcibly();
                    throw new IllegalStateException("mariadbd did not start: " + Files.readString(dir.resolve("mariadbd.log")), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static int port(Path dir) throws IOException {
        return Integer.parseInt(Files.readString(dir.resolve("port")));
    }

    private static void awaitReader(Connection my) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Statement st = my.createStatement(); ResultSet rs = st.executeQuery("SHOW PROCESSLIST")) {
                while (rs.next()) {
                    if (rs.getString("Command").startsWith("Binlog Dump")) {
                        return;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the binlog source did not connect to MariaDB");
    }

    /** The bundled session's statements and rows as SQL, one recorded transaction at a time: @return the transactions */
    private static int play(Connection my) throws Exception {
        MaxwellDecoder decoder = MaxwellDecoder.create();
        int transactions = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(LiveDemo.class.getResourceAsStream("/demo/music.maxwell.jsonl"),
                StandardCharsets.UTF_8)); Statement st = my.createStatement()) {
            String line;
            boolean open = false;
            while ((line = r.readLine()) != null) {
                ChangeEvent e = decoder.decode(line.getBytes(StandardCharsets.UTF_8));
                if (e instanceof SchemaChange s) {
                    if (s.kind().isTableLevel()) {
                        st.execute("USE `" + s.database() + "`");
                    }
                    st.execute(s.sql());
                    transactions++;
                    continue;
                }
                RowChange c = (RowChange) e;
                if (!open) {
                    st.execute("START TRANSACTION");
                    open = true;
                }
                write(my, c);
                if (c.meta().commit()) {
                    st.execute("COMMIT");
                    open = false;
                    transactions++;
                }
            }
        }
        return transactions;
    }

    private static void write(Connection my, RowChange c) throws SQLException {
        String table = "`" + c.table().database() + "`.`" + c.table().table() + "`";
        Row data = c.data();
        List<String> values = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        if (c.op() == Op.INSERT) {
            sql.append("INSERT INTO ").append(table).append(" (");
            for (int i = 0; i < data.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append('`').append(data.name(i)).append('`');
                values.add(data.value(i).isNull() ? null : data.value(i).asText());
            }
            sql.append(") VALUES (").append("?, ".repeat(data.size() - 1)).append("?)");
        } else {
            Row before = c.before();
            if (c.op() == Op.UPDATE) {
                sql.append("UPDATE ").append(table).append(" SET ");
                for (int i = 0; i < data.size(); i++) {
                    sql.append(i == 0 ? "" : ", ").append('`').append(data.name(i)).append("` = ?");
                    values.add(data.value(i).isNull() ? null : data.value(i).asText());
                }
            } else {
                sql.append("DELETE FROM ").append(table);
            }
            sql.append(" WHERE ");
            List<String> key = c.primaryKeyColumns();
            for (int k = 0; k < key.size(); k++) {
                sql.append(k == 0 ? "" : " AND ").append('`').append(key.get(k)).append("` = ?");
                values.add(before.get(key.get(k)).asText());
            }
        }
        try (PreparedStatement ps = my.prepareStatement(sql.toString())) {
            for (int i = 0; i < values.size(); i++) {
                ps.setString(i + 1, values.get(i));
            }
            ps.executeUpdate();
        }
    }

    private static List<String> target(String url) {
        try (Connection c = DriverManager.getConnection(url)) {
            return rows(c, "SELECT concat_ws(' | ', id, coalesce(album_id, '-'), artist, title, release_year, genre, track_count)"
                    + " FROM music.album ORDER BY id COLLATE \"C\"");
        } catch (SQLException e) {
            return List.of(); // not created yet
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory
        }
    }
}
