package io.greenwell.examples;

import static io.greenwell.cdc.greenplum.MaxwellStream.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.MaxwellStream;
import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code greenwell maintain} after an update-heavy {@code greenwell replay}: a dry run prints the
 * figures and changes nothing; the run exits 0 and the replayed table's {@code vacuum_count} and
 * {@code analyze_count} have grown. The table is created with autovacuum off first (the replay
 * leaves a table of the same shape alone), so that only the command vacuums it.
 */
class MaintainCommandIT {

    private static final List<String> PK = List.of("id");
    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("maintaincli");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }


    /** @return {@code vacuum_count|analyze_count} of shop.t */
    private static String counts() throws SQLException {
        return db.rows("SELECT vacuum_count, analyze_count FROM pg_catalog.pg_stat_user_tables WHERE schemaname = 'shop' AND relname = 't'").get(0);
    }

    private static long deadRows() throws SQLException {
        String q = TestDatabase.serverKind() == TestDatabase.ServerKind.POSTGRESQL ? "SELECT pg_stat_get_dead_tuples('shop.t'::regclass), 0"
                : "SELECT sum(pg_stat_get_dead_tuples(oid)), 0 FROM gp_dist_random('pg_class') WHERE oid = 'shop.t'::regclass";
        return Long.parseLong(db.rows(q).get(0).split("\\|")[0]);
    }

    /** Creates shop.t with autovacuum off and writes a file of 2,000 inserts then {@code rounds} updates of every row. */
    private Path updateHeavyInput(int rounds) throws Exception {
        String distributed = TestDatabase.serverKind() == TestDatabase.ServerKind.POSTGRESQL ? "" : " DISTRIBUTED BY (id)";
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS shop CASCADE");
            st.execute("CREATE SCHEMA shop");
            st.execute("CREATE TABLE shop.t (id integer PRIMARY KEY, v integer) WITH (autovacuum_enabled = off)" + distributed);
        }
        MaxwellStream s = new MaxwellStream().createDatabase("shop")
                .createTable("shop", "t", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "int")), PK,
                        "CREATE TABLE t (id int PRIMARY KEY, v int)");
        for (int round = 0; round <= rounds; round++) {
            for (int i = 0; i < 2_000; i += 100) {
                s.begin();
                for (int id = i; id < i + 100; id++) {
                    if (round == 0) {
                        s.insert("shop", "t", PK, row("id", id, "v", 0));
                    } else {
                        s.update("shop", "t", PK, row("id", id, "v", round), row("v", round - 1));
                    }
                }
                s.commit();
            }
        }
        Path input = dir.resolve("updates.jsonl");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Scenarios.Record r : s.records()) {
            bytes.writeBytes(r.bytes());
            bytes.write('\n');
        }
        Files.write(input, bytes.toByteArray());
        return input;
    }

    private static boolean grew(String before) throws SQLException {
        String[] b = before.split("\\|");
        String[] now = counts().split("\\|");
        return Long.parseLong(now[0]) > Long.parseLong(b[0]) && Long.parseLong(now[1]) > Long.parseLong(b[1]);
    }

    @Test
    void maintainAfterAnUpdateHeavyReplayVacuumsAndAnalyzesTheTable() throws Exception {
        Path input = updateHeavyInput(5);
        Cli.Result replay = Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--batch-events", "2000", "--quiet");
        assertThat(replay.status()).as(replay.err()).isZero();
        assertThat(db.rows("SELECT count(*), min(v) FROM shop.t")).containsExactly("2000|5");
        long until = System.nanoTime() + 60_000_000_000L;
        while (deadRows() < 2_000) {
            assertThat(System.nanoTime()).as("the dead rows reach the statistics").isLessThan(until);
            Thread.sleep(100);
        }
        String before = counts();

        Cli.Result dry = Cli.run("maintain", "--jdbc-url", db.url(), "--dry-run");
        assertThat(dry.status()).as(dry.err()).isZero();
        assertThat(dry.out()).containsPattern("shop\\.t\t2000\t\\d+\t\\d+\tVACUUM( ANALYZE)?\tnot run");
        assertThat(dry.lastLine()).startsWith("tables=").contains(" done=0 ").endsWith(" dry_run=true");
        Thread.sleep(1_000);
        assertThat(counts()).as("a dry run changes nothing").isEqualTo(before);

        Cli.Result run = Cli.run("maintain", "--jdbc-url", db.url(), "--include", "shop");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("shop\\.t\t2000\t\\d+\t\\d+\tVACUUM ANALYZE\tdone");
        assertThat(run.lastLine()).contains(" failed=0 ").endsWith(" dry_run=false");
        until = System.nanoTime() + 60_000_000_000L;
        while (!grew(before)) {
            assertThat(System.nanoTime()).as("vacuum_count and analyze_count grow: %s then %s", before, counts()).isLessThan(until);
            Thread.sleep(100);
        }

        assertThat(Cli.run("maintain", "--jdbc-url", db.url(), "--vacuum-dead-fraction", "-1").status()).isEqualTo(2);
        assertThat(Cli.run("maintain").status()).isEqualTo(2);
    }

    @Test
    void aReplayWithAMaintenanceIntervalFromItsConfigFileVacuumsWhileItRuns() throws Exception {
        // long enough (about 1,600 batches) for a maintenance interval of 1 s to come round while it runs
        Path input = updateHeavyInput(80);
        String before = counts();
        Path config = dir.resolve("greenwell.properties");
        Files.writeString(config, "maintenance-interval=1\nvacuum-min-dead-rows=1\nvacuum-dead-fraction=0\nanalyze-min-changed-rows=1\n"
                + "analyze-changed-fraction=0\nbatch-events=100\nquiet=true\n");
        Cli.Result replay = Cli.run("replay", "--config", config.toString(), "--input", input.toString(), "--jdbc-url", db.url());
        assertThat(replay.status()).as(replay.err()).isZero();
        assertThat(db.rows("SELECT count(*), min(v) FROM shop.t")).as(replay.out()).containsExactly("2000|80");
        long until = System.nanoTime() + 60_000_000_000L;
        while (!grew(before)) {
            assertThat(System.nanoTime()).as("the replay's maintenance grew vacuum_count and analyze_count: %s then %s (%s)", before, counts(),
                    replay.lastLine())
                    .isLessThan(until);
            Thread.sleep(100);
        }
        assertThat(Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--maintenance-interval", "-1").status())
                .isEqualTo(2);
    }
}
