package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Maintenance observed through the catalog, on PostgreSQL and on Greenplum: {@code vacuum_count}
 * and {@code analyze_count} of {@code pg_stat_user_tables} (on Greenplum the coordinator keeps
 * them, and each segment's own {@code pg_stat_get_vacuum_count} and dead rows are checked too);
 * a dry run that changes nothing; the scheduled run during a replay; a table locked and dropped
 * under a run, which fails alone and leaves the pipeline applying. The test tables are created
 * with autovacuum off, so that only Greenwell vacuums them.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MaintenanceIT {

    private static final String DB = "maint";
    private static final List<String> PK = List.of("id");
    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("maint");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @BeforeEach
    void tables() throws SQLException {
        db.dropSchemas(DB, "greenwell");
        String storage = TestDatabase.serverKind() == TestDatabase.ServerKind.POSTGRESQL ? "" : " DISTRIBUTED BY (id)";
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + DB);
            for (String t : List.of("hot", "cold", "other")) {
                st.execute("CREATE TABLE " + DB + "." + t + " (id integer PRIMARY KEY, v integer) WITH (autovacuum_enabled = off)" + storage);
            }
        }
    }

    /** Inserts {@code rows} rows into each table, then updates every row of {@code updated} {@code rounds} times. */
    private static List<Scenarios.Record> stream(int rows, int rounds, List<String> tables, List<String> updated) {
        return stream(new MaxwellStream(), rows, rounds, tables, updated).records();
    }

    private static MaxwellStream stream(MaxwellStream s, int rows, int rounds, List<String> tables, List<String> updated) {
        for (String t : tables) {
            for (int i = 0; i < rows; i += 100) {
                s.begin();
                for (int id = i; id < i + 100; id++) {
                    s.insert(DB, t, PK, MaxwellStream.row("id", id, "v", 0));
                }
                s.commit();
            }
        }
        for (int round = 1; round <= rounds; round++) {
            for (String t : updated) {
                for (int i = 0; i < rows; i += 100) {
                    s.begin();
                    for (int id = i; id < i + 100; id++) {
                        s.update(DB, t, PK, MaxwellStream.row("id", id, "v", round), MaxwellStream.row("v", round - 1));
                    }
                    s.commit();
                }
            }
        }
        return s;
    }

    /** @return {@code vacuum_count|analyze_count} from the (coordinator's) statistics */
    private static String counts(String table) throws SQLException {
        return db.rows("SELECT vacuum_count, analyze_count FROM pg_catalog.pg_stat_user_tables WHERE schemaname = '" + DB
                + "' AND relname = '" + table + "'").get(0);
    }

    /** @return the dead rows the statistics count: PostgreSQL's, or every segment's summed on Greenplum */
    private static long deadRows(String table) throws SQLException {
        String oid = "'" + DB + "." + table + "'::regclass";
        String q = TestDatabase.serverKind() == TestDatabase.ServerKind.POSTGRESQL ? "SELECT pg_stat_get_dead_tuples(" + oid + "), 0"
                : "SELECT sum(pg_stat_get_dead_tuples(oid)), 0 FROM gp_dist_random('pg_class') WHERE oid = " + oid;
        return Long.parseLong(db.rows(q).get(0).split("\\|")[0]);
    }

    /** @return on Greenplum, the least vacuum count over the segments' own statistics; on PostgreSQL, vacuum_count */
    private static long segmentVacuums(String table) throws SQLException {
        String oid = "'" + DB + "." + table + "'::regclass";
        String q = TestDatabase.serverKind() == TestDatabase.ServerKind.POSTGRESQL ? "SELECT pg_stat_get_vacuum_count(" + oid + "), 0"
                : "SELECT min(pg_stat_get_vacuum_count(oid)), count(*) FROM gp_dist_random('pg_class') WHERE oid = " + oid;
        return Long.parseLong(db.rows(q).get(0).split("\\|")[0]);
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 60 s for %s", what).isLessThan(until);
            Thread.sleep(100);
        }
    }

    /**
     * Lets the batch session report its statistics: a backend sends them at most every 500 ms, at
     * the end of a transaction, so an idle one may still hold the last batches' counts.
     */
    private static void flushStats(GreenplumTarget target) throws InterruptedException {
        Thread.sleep(600);
        target.loadCheckpoints("p");
    }

    private static boolean deadRowsReach(String table, long n) {
        try {
            return deadRows(table) >= n;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MaintenanceReport.Table entry(MaintenanceReport r, String table) {
        return r.tables().stream().filter(t -> t.schema().equals(DB) && t.table().equals(table)).findFirst().orElseThrow();
    }

    private static List<String> allCounts() throws SQLException {
        return db.rows("SELECT schemaname, relname, vacuum_count, analyze_count, last_vacuum, last_analyze FROM pg_catalog.pg_stat_user_tables"
                + " ORDER BY 1, 2");
    }

    @Test
    void oneRunVacuumsAndAnalyzesWhatPassesTheThresholdsAfterADryRunThatChangedNothing() throws Exception {
        Maintenance m = Maintenance.every(Duration.ofHours(1)).withVacuumThreshold(500, 0.2).withAnalyzeThreshold(500, 0.1);
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", stream(2_000, 2, List.of("hot", "cold"), List.of("hot")), 1_000);
        }
        await("the dead rows of hot in the statistics", () -> deadRowsReach("hot", 4_000));
        String hotBefore = counts("hot");
        String coldBefore = counts("cold");
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).maintenance(m).build()) {
            List<String> before = allCounts();
            MaintenanceReport dry = target.maintain(true);
            assertThat(dry.dryRun()).isTrue();
            MaintenanceReport.Table hot = entry(dry, "hot");
            assertThat(hot.deadRows()).as("dead rows of hot").isGreaterThanOrEqualTo(4_000);
            assertThat(hot.liveRows()).isEqualTo(2_000);
            assertThat(hot.action()).isIn(MaintenanceReport.Action.VACUUM, MaintenanceReport.Action.VACUUM_ANALYZE);
            assertThat(hot.outcome()).isEqualTo(MaintenanceReport.Outcome.NOT_RUN);
            assertThat(entry(dry, "cold").deadRows()).as("cold had inserts only").isZero();
            assertThat(entry(dry, "cold").action()).isIn(MaintenanceReport.Action.NONE, MaintenanceReport.Action.ANALYZE);
            assertThat(dry.done()).isZero();
            Thread.sleep(1_000); // the statistics collector's delay: a dry run's VACUUM would show by now
            assertThat(allCounts()).as("a dry run changes nothing").isEqualTo(before);
            assertThat(db.rows("SELECT count(*), 0 FROM pg_catalog.pg_class WHERE relname = 'maintenance'")).containsExactly("0|0");

            MaintenanceReport r = target.maintain(false);
            assertThat(entry(r, "hot").outcome()).as(r.toString()).isEqualTo(MaintenanceReport.Outcome.DONE);
            assertThat(entry(r, "cold").action()).isNotIn(MaintenanceReport.Action.VACUUM, MaintenanceReport.Action.VACUUM_ANALYZE);
            assertThat(r.failed()).as(r.toString()).isZero();
        }
        long hotVacuums = Long.parseLong(hotBefore.split("\\|")[0]);
        await("hot's vacuum_count to grow", () -> {
            try {
                return Long.parseLong(counts("hot").split("\\|")[0]) == hotVacuums + 1 && deadRows("hot") == 0;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(segmentVacuums("hot")).as("every segment vacuumed hot").isEqualTo(hotVacuums + 1);
        assertThat(Long.parseLong(counts("cold").split("\\|")[0])).as("cold was not vacuumed").isEqualTo(Long.parseLong(coldBefore.split("\\|")[0]));
    }

    @Test
    void theScheduleVacuumsAndAnalyzesWhileTheReplayRuns() throws Exception {
        Maintenance m = Maintenance.every(Duration.ofMillis(300)).withVacuumThreshold(1, 0).withAnalyzeThreshold(1, 0);
        List<Scenarios.Record> records = stream(1_000, 6, List.of("hot"), List.of("hot"));
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).maintenance(m).build()) {
            String before = counts("hot");
            int batches = Scenarios.replay(target, "p", "s", records, 200);
            assertThat(batches).isGreaterThan(30);
            TargetMaintenance scheduled = target.maintenance;
            flushStats(target);
            await("vacuum_count and analyze_count of hot to grow", () -> {
                try {
                    String[] b = before.split("\\|");
                    String[] now = counts("hot").split("\\|");
                    return Long.parseLong(now[0]) > Long.parseLong(b[0]) && Long.parseLong(now[1]) > Long.parseLong(b[1]);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(scheduled.runs()).isPositive();
            assertThat(scheduled.failures()).isZero();
            assertThat(db.rows("SELECT count(*), 0 FROM " + DB + ".hot WHERE v = 6")).as("the replay applied").containsExactly("1000|0");
        }
    }

    @Test
    void aTableDroppedUnderARunFailsAloneAndThePipelineGoesOn() throws Exception {
        Maintenance m = Maintenance.every(Duration.ofHours(1)).withVacuumThreshold(1, 0).withAnalyzeThreshold(1, 0)
                .withLockTimeout(Duration.ofSeconds(60));
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).maintenance(m).build()) {
            MaxwellStream s = stream(new MaxwellStream(), 500, 2, List.of("hot", "other"), List.of("hot", "other"));
            int split = s.size();
            s.begin();
            for (int id = 0; id < 500; id++) {
                s.update(DB, "other", PK, MaxwellStream.row("id", id, "v", 9), MaxwellStream.row("v", 2));
            }
            List<Scenarios.Record> all = s.commit().records();
            List<Scenarios.Record> first = all.subList(0, split);
            Scenarios.replay(target, "p", "s", first, 1_000);
            flushStats(target);
            await("the dead rows of hot in the statistics", () -> deadRowsReach("hot", 500));
            TargetMaintenance scheduled = target.maintenance;
            try (Connection locker = db.connect(); Statement st = locker.createStatement()) {
                locker.setAutoCommit(false);
                st.execute("LOCK TABLE " + DB + ".hot IN ACCESS EXCLUSIVE MODE");
                CompletableFuture<Void> run = CompletableFuture.runAsync(scheduled::runOnce);
                await("maintenance to wait for hot's lock", () -> {
                    try {
                        return !db.rows("SELECT 1, 0 FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_class c ON c.oid = l.relation"
                                + " WHERE c.relname = 'hot' AND NOT l.granted").isEmpty();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                st.execute("DROP TABLE " + DB + ".hot");
                locker.commit();
                run.get(60, TimeUnit.SECONDS);
            }
            MaintenanceReport r = scheduled.last();
            assertThat(entry(r, "hot").outcome()).as(r.toString()).isEqualTo(MaintenanceReport.Outcome.FAILED);
            assertThat(entry(r, "other").outcome()).as("the other table is maintained").isEqualTo(MaintenanceReport.Outcome.DONE);
            assertThat(scheduled.failures()).isEqualTo(1);
            assertThat(target.maintenanceFailures()).isEqualTo(1);

            // the pipeline goes on; the next run finds no hot any more, and works on the rest
            assertThat(Scenarios.replay(target, "p", "s", all.subList(split, all.size()), 1_000)).isEqualTo(1);
            assertThat(db.rows("SELECT count(*), 0 FROM " + DB + ".other WHERE v = 9")).containsExactly("500|0");
            flushStats(target);
            await("the dead rows of other in the statistics", () -> deadRowsReach("other", 500));
            scheduled.runOnce();
            MaintenanceReport again = scheduled.last();
            assertThat(again.tables()).extracting(MaintenanceReport.Table::table).doesNotContain("hot");
            assertThat(entry(again, "other").outcome()).as(again.toString()).isEqualTo(MaintenanceReport.Outcome.DONE);
            assertThat(scheduled.failures()).isEqualTo(1);
        }
    }

    @Test
    void aLockHeldLongerThanTheTimeoutLeavesTheTableForTheNextRun() throws Exception {
        Maintenance m = Maintenance.every(Duration.ofHours(1)).withVacuumThreshold(1, 0).withLockTimeout(Duration.ofMillis(200));
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).maintenance(m).build()) {
            Scenarios.replay(target, "p", "s", stream(300, 1, List.of("hot"), List.of("hot")), 100);
            flushStats(target);
            await("the dead rows of hot in the statistics", () -> deadRowsReach("hot", 300));
            String before = counts("hot");
            try (Connection locker = db.connect(); Statement st = locker.createStatement()) {
                locker.setAutoCommit(false);
                st.execute("LOCK TABLE " + DB + ".hot IN SHARE UPDATE EXCLUSIVE MODE");
                MaintenanceReport r = target.maintain(false);
                assertThat(entry(r, "hot").outcome()).as(r.toString()).isEqualTo(MaintenanceReport.Outcome.LOCKED);
                locker.rollback();
            }
            assertThat(counts("hot")).isEqualTo(before);
            assertThat(entry(target.maintain(false), "hot").outcome()).isEqualTo(MaintenanceReport.Outcome.DONE);
        }
    }

    /** The options' validation. */
    @Test
    void badOptionsAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Maintenance.every(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Maintenance.every(Duration.ofMinutes(1)).withVacuumThreshold(-1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Maintenance.every(Duration.ofMinutes(1)).deadRowFraction()).isEqualTo(0.2);
    }
}
