package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exactly-once effect under SIGKILL with the file source: a seeded {@link Workload} of 200,000
 * Maxwell events is replayed by {@code greenwell replay} in a child JVM that is killed with
 * SIGKILL at random moments, at least five times, each time after it committed something, and
 * restarted. The final tables must equal the state of applying every event once. Once with the
 * DDL in the stream, once into tables created beforehand with no DDL in the stream.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class SigkillIT {

    private static final int EVENTS = 200_000;
    private static final int KILLS = 5;

    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("sigkill");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @ParameterizedTest(name = "DDL in the stream: {0}")
    @ValueSource(booleans = {true, false})
    void killedAndRestartedItAppliesEveryEventExactlyOnce(boolean ddl) throws Exception {
        Workload w = new Workload(ddl ? 42 : 43, List.of("kill"), ddl, EVENTS);
        try (Connection c = db.connect()) {
            w.dropSchemas(c);
            if (!ddl) {
                w.createTables(c);
            }
        }
        Path input = dir.resolve("stream.jsonl");
        List<Scenarios.Record> records = w.stream().records();
        try (var out = Files.newOutputStream(input)) {
            for (Scenarios.Record r : records) {
                out.write(r.bytes());
                out.write('\n');
            }
        }
        Random rnd = new Random(7);
        int kills = 0;
        int runs = 0;
        long lastOffset = -1;
        while (true) {
            runs++;
            Process p = ChildJvm.start(dir, runs, "replay", "--input", input.toString(), "--jdbc-url", db.url(), "--batch-events", "2000",
                    "--pipeline", "sigkill", "--quiet");
            boolean killed = false;
            if (kills < KILLS) {
                // wait until this run has committed something, then a random moment more, then SIGKILL
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (p.isAlive() && checkpointOffset() <= lastOffset && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Thread.sleep(rnd.nextInt(400));
                if (p.isAlive()) {
                    p.destroyForcibly();
                    killed = true;
                    kills++;
                }
            }
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("run %d ends", runs).isTrue();
            if (!killed) {
                assertThat(p.exitValue()).as("run %d: %s", runs, ChildJvm.err(dir, runs)).isZero();
                ReplayCommandIT.counts(ChildJvm.lastLine(dir, runs));
                break;
            }
            long now = checkpointOffset();
            assertThat(now).as("run %d made progress before it was killed", runs).isGreaterThan(lastOffset);
            lastOffset = now;
            assertThat(runs).as("the stream is applied within a bounded number of runs").isLessThan(60);
        }
        System.out.printf("DDL %s: %d records, %d runs, %d killed with SIGKILL%n", ddl, records.size(), runs, kills);
        assertThat(kills).isGreaterThanOrEqualTo(KILLS);
        assertThat(checkpointOffset()).isEqualTo(records.get(records.size() - 1).offset());
        w.assertState(db);
    }

    private static long checkpointOffset() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(max(\"offset\"), -1) FROM greenwell.checkpoint WHERE pipeline = 'sigkill'")) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return -1;
            }
            throw e;
        }
    }
}
