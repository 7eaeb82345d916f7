package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.binlog.SameTables;
import io.greenwell.cdc.binlog.TestBinlogServer;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code greenwell mysql} against a MariaDB server of the tests' own with the binlog on, killed
 * with SIGKILL six times at random moments while three writers change the source at once and DDL
 * of every kind runs between them: tables of every type family created, altered, copied, renamed
 * and dropped, a database created, filled and dropped. Every table is created in the target from
 * the binlog's own DDL, but one table that had rows before the first start, which the initial
 * snapshot loads. After the last run has caught up, every table must equal MariaDB's, row
 * for row, and the dropped ones must be gone: the source database is the oracle.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MysqlCommandIT {

    private static final int KILLS = 6;

    @TempDir
    Path dir;

    /** The family table's columns: MariaDB's rendering as text, and the target's. */
    private static final List<String[]> FAMILY = List.of(col("id"), col("i"), col("u"), col("d"), col("f"), col("s"), col("t"), col("e"),
            new String[] {"st", "array_to_string(st, ',')"},
            new String[] {"hex(b)", "upper(encode(b, 'hex'))"},
            new String[] {"date_format(dt, '%Y-%m-%d %H:%i:%s.%f')", "to_char(dt, 'YYYY-MM-DD HH24:MI:SS.US')"},
            new String[] {"date_format(ts, '%Y-%m-%d %H:%i:%s.%f')", "to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"},
            new String[] {"date_format(da, '%Y-%m-%d')", "to_char(da, 'YYYY-MM-DD')"},
            new String[] {"cast(round(time_to_sec(tm) * 1000000) AS signed)", "round(extract(epoch FROM tm) * 1000000)::bigint"},
            new String[] {"cast(y AS signed)", "y"},
            new String[] {"lpad(bin(bt + 0), 12, '0')", "bt::text"},
            new String[] {"json_compact(j)", "regexp_replace(j::text, '\\s', '', 'g')"},
            col("added"));

    private TestDatabase pg;
    private String db;
    private String db2;

    private static String[] col(String name) {
        return SameTables.col(name);
    }

    @Test
    void killedSixTimesWhileWritersAndDdlRunEveryTableEndsEqualToTheSource() throws Exception {
        pg = TestDatabase.create("mysqlcmd");
        long serverId = 5000 + new Random().nextInt(100_000);
        try (Connection maria = TestBinlogServer.connect(); Statement my = maria.createStatement()) {
            db = TestBinlogServer.createDatabase(my, "cmd");
            db2 = db + "_two";
            String[] args = {"mysql", "--port", String.valueOf(TestBinlogServer.port()), "--mysql-user", "root", "--server-id",
                String.valueOf(serverId), "--database", db + "," + db2, "--jdbc-url", pg.url(), "--pipeline", "mysqlcmd",
                "--batch-events", "300", "--heartbeat", "1", "--snapshot", "--quiet"};
            // a table with rows before the first start: the snapshot loads it (and creates it in the target)
            sql(my, "CREATE TABLE DB.pre (id int PRIMARY KEY, v varchar(20), d date)",
                    "INSERT INTO DB.pre SELECT seq, concat('pre ', seq), '2020-01-01' + INTERVAL seq DAY FROM DB.seq_1_to_20000");
            // the tables come with the binlog's DDL, after the source started
            int runs = 1;
            Process p = ChildJvm.start(dir, runs, args);
            TestBinlogServer.awaitReader(my);
            sql(my, "CREATE TABLE DB.fam (id int unsigned PRIMARY KEY, i tinyint, u bigint unsigned, d decimal(12,4), f double,"
                    + " s varchar(30) CHARACTER SET latin1, t text, e enum('x','y','z'), st set('a','b','c'), b varbinary(8), dt datetime(3),"
                    + " ts timestamp(6) NULL, da date, tm time(3), y year, bt bit(12), j json)",
                    "CREATE TABLE DB.kv (id bigint PRIMARY KEY, v varchar(40) NOT NULL, n int)",
                    "CREATE TABLE DB.nokey (a int, b varchar(10))",
                    "CREATE TABLE DB.done (id int PRIMARY KEY)");
            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<Integer>> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                writers.add(pool.submit(() -> write(writer, writing)));
            }
            Random rnd = new Random(serverId);
            String[] ddl = {
                "ALTER TABLE DB.fam ADD COLUMN added varchar(10) DEFAULT 'new' AFTER j",
                "CREATE TABLE DB.side LIKE DB.kv",
                "INSERT INTO DB.side (id, v, n) SELECT id, v, n FROM DB.kv WHERE id % 5 = 0",
                "ALTER TABLE DB.kv MODIFY COLUMN n bigint, ADD COLUMN z int",
                "RENAME TABLE DB.side TO DB.side2",
                "ALTER TABLE DB.side2 ADD COLUMN w decimal(6,2) DEFAULT 1.25",
                "CREATE DATABASE DB2 DEFAULT CHARACTER SET latin1",
                "CREATE TABLE DB2.t (id int PRIMARY KEY, v varchar(5))",
                "INSERT INTO DB2.t VALUES (1, 'a'), (2, 'b')",
                "CREATE TABLE DB.gone (id int PRIMARY KEY)",
                "INSERT INTO DB.gone VALUES (1)",
                "DROP TABLE DB.gone",
                "ALTER TABLE DB.nokey ADD COLUMN c int",
                "DROP DATABASE DB2",
                "ALTER TABLE DB.side2 CHANGE COLUMN v label varchar(60) NOT NULL",
                "UPDATE DB.pre SET v = concat('changed ', id) WHERE id % 3 = 0"};
            int next = 0;
            int kills = 0;
            long last = checkpoint();
            while (kills < KILLS) {
                // wait until this run has committed something, a random moment more (running DDL), then SIGKILL
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (p.isAlive() && checkpoint() <= last && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(p.isAlive()).as("run %d is alive: %s", runs, ChildJvm.err(dir, runs)).isTrue();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300 + rnd.nextInt(1500));
                while (System.nanoTime() < until) {
                    if (next < ddl.length) {
                        sql(my, ddl[next++]);
                    }
                    Thread.sleep(50 + rnd.nextInt(150));
                }
                p.destroyForcibly();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                kills++;
                long now = checkpoint();
                assertThat(now).as("run %d made progress before it was killed", runs).isGreaterThan(last);
                last = now;
                if (next < ddl.length && rnd.nextBoolean()) {
                    sql(my, ddl[next++]); // DDL while stopped, too
                }
                runs++;
                p = ChildJvm.start(dir, runs, args);
            }
            writing.set(false);
            int written = 0;
            for (Future<Integer> f : writers) {
                written += f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            while (next < ddl.length) {
                sql(my, ddl[next++]);
            }
            sql(my, "INSERT INTO DB.done VALUES (1)");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!done() && System.nanoTime() < deadline) {
                assertThat(p.isAlive()).as("the last run is alive: %s", ChildJvm.err(dir, runs)).isTrue();
                Thread.sleep(100);
            }
            assertThat(done()).as("the last run caught up: %s", ChildJvm.err(dir, runs)).isTrue();
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            System.out.printf("greenwell mysql: %d transactions written by 3 writers, %d runs, %d killed with SIGKILL%n", written, runs, kills);
            assertSame(my, "fam", FAMILY, true);
            assertSame(my, "kv", List.of(col("id"), col("v"), col("n"), col("z")), true);
            assertSame(my, "side2", List.of(col("id"), col("label"), col("n"), col("w")), true);
            assertSame(my, "nokey", List.of(col("a"), col("b"), col("c")), false);
            assertSame(my, "pre", List.of(col("id"), col("v"), new String[] {"date_format(d, '%Y-%m-%d')", "to_char(d, 'YYYY-MM-DD')"}), true);
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                assertThat(rows(st, "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema IN ('"
                        + db + "', '" + db2 + "') ORDER BY 1")).containsExactly(db + ".done", db + ".fam", db + ".kv", db + ".nokey",
                                db + ".pre", db + ".side2");
            }
            my.execute("DROP DATABASE `" + db + "`");
        } finally {
            pg.close();
        }
    }

    /** One writer's transactions, on keys of its own, until told to stop: @return how many committed */
    private int write(int writer, AtomicBoolean writing) throws Exception {
        Random r = new Random(writer * 7919L);
        int committed = 0;
        try (Connection c = TestBinlogServer.connect(); Statement my = c.createStatement()) {
            while (writing.get()) {
                try {
                    my.execute("START TRANSACTION");
                    for (int k = 0; k < 1 + r.nextInt(6); k++) {
                        long id = writer * 1_000_000L + r.nextInt(300);
                        switch (r.nextInt(7)) {
                            case 0 -> sql(my, "DELETE FROM DB.kv WHERE id = " + id);
                            case 1 -> sql(my, "UPDATE DB.kv SET n = n + 1, v = concat('u', " + committed + ") WHERE id = " + id);
                            case 2 -> sql(my, "UPDATE DB.kv SET id = id + 500 WHERE id = " + id); // a key change
                            case 3 -> family(my, r, writer * 1_000_000 + r.nextInt(100));
                            case 4 -> sql(my, "INSERT INTO DB.nokey (a, b) VALUES (" + writer + ", 'w" + r.nextInt(3) + "')");
                            default -> sql(my, "INSERT INTO DB.kv (id, v, n) VALUES (" + id + ", 'i" + committed + "', " + k
                                    + ") ON DUPLICATE KEY UPDATE n = n * 2");
                        }
                    }
                    if (r.nextInt(10) == 0) {
                        my.execute("ROLLBACK");
                    } else {
                        my.execute("COMMIT");
                        committed++;
                    }
                } catch (SQLException e) {
                    my.execute("ROLLBACK"); // a deadlock or a lock wait with the DDL: the transaction is gone, the next one goes on
                }
                Thread.sleep(r.nextInt(5));
            }
        }
        return committed;
    }

    /** A row of every type family, inserted or replaced. */
    private void family(Statement my, Random r, int id) throws SQLException {
        if (r.nextInt(4) == 0) {
            sql(my, "DELETE FROM DB.fam WHERE id = " + id);
            return;
        }
        int v = r.nextInt(1000);
        String[] sets = {"", "a", "b,c", "a,b,c"};
        String[] json = {"[1,2,3]", "{\"k\":" + v + "}", "\"s\"", "null", "[]"};
        sql(my, "REPLACE INTO DB.fam (id, i, u, d, f, s, t, e, st, b, dt, ts, da, tm, y, bt, j) VALUES (" + id + ", " + (v % 256 - 128) + ", "
                + (r.nextBoolean() ? "18446744073709551615" : String.valueOf(v)) + ", " + (v - 500) + ".1234, " + (v / 4.0) + ", 'caf\u00e9 " + v
                + "', 'line\\n" + v + "', '" + "xyz".charAt(v % 3) + "', '" + sets[v % 4] + "', x'" + String.format("%04x", v) + "', '2024-0"
                + (1 + v % 9) + "-1" + v % 10 + " 12:34:56." + String.format("%03d", v) + "', '2023-12-31 23:59:59.123456', '1999-0" + (1 + v % 9)
                + "-0" + (1 + v % 9) + "', '" + (v % 839) + ":0" + v % 10 + ":00.5', " + (1901 + v % 200) + ", b'" + Integer.toBinaryString(v)
                + "', '" + json[v % json.length] + "')");
    }

    private void sql(Statement my, String... statements) throws SQLException {
        for (String statement : statements) {
            my.execute(statement.replace("DB2.", "`" + db2 + "`.").replace("DB2 ", "`" + db2 + "` ").replace("DB2", "`" + db2 + "`")
                    .replace("DB.", "`" + db + "`."));
        }
    }

    private long checkpoint() throws SQLException {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(max(\"offset\"), -1) FROM greenwell.checkpoint WHERE pipeline = 'mysqlcmd'")) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return -1;
            }
            throw e;
        }
    }

    private boolean done() throws SQLException {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + db + ".done")) {
            return rs.next() && rs.getInt(1) == 1;
        } catch (SQLException e) {
            return false; // not created yet
        }
    }

    private void assertSame(Statement my, String table, List<String[]> columns, boolean keyed) throws SQLException {
        try (Connection c = pg.connect()) {
            SameTables.assertSame(my, c, db, table, columns, keyed);
        }
    }

    private static List<String> rows(Statement st, String sql) throws SQLException {
        return SameTables.rows(st, sql);
    }
}
