package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The catalog on Greenplum 6: DDL and the session staging tables of a few targets leave dead rows
 * in {@code pg_class} and {@code pg_attribute} on every segment; a scheduled run after them
 * vacuums those catalog tables (the segments' own {@code pg_stat_get_vacuum_count} grows on every
 * segment, and the dead rows they count go), and a run with neither DDL nor new staging tables
 * since leaves the catalog alone.
 */
@OnServer(TestDatabase.ServerKind.GREENPLUM_6)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Greenplum6MaintenanceIT {

    private static final String DB = "gpmaint";
    private static final List<String> PK = List.of("id");
    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("gpmaint");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    /** @return per segment, {@code segment|vacuum count|dead rows} of a catalog table, in segment order */
    private static List<String> segments(String catalog) throws SQLException {
        String oid = "'pg_catalog." + catalog + "'::regclass";
        return db.rows("SELECT gp_segment_id, pg_stat_get_vacuum_count(oid), pg_stat_get_dead_tuples(oid) FROM gp_dist_random('pg_class')"
                + " WHERE oid = " + oid + " ORDER BY 1");
    }

    private static long column(String row, int i) {
        return Long.parseLong(row.split("\\|")[i]);
    }

    @Test
    void ddlAndStagingTablesMakeTheCatalogDueAndItsVacuumReachesEverySegment() throws Exception {
        db.dropSchemas(DB, "greenwell");
        MaxwellStream s = new MaxwellStream().createDatabase(DB);
        for (String t : List.of("a", "b", "c", "d")) {
            s.createTable(DB, t, List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "int")), PK,
                    "CREATE TABLE " + t + " (id int PRIMARY KEY, v int)");
            s.begin().insert(DB, t, PK, MaxwellStream.row("id", 1, "v", 1)).commit();
        }
        List<Scenarios.Record> records = s.records();
        // sessions that end drop their temporary staging tables: dead catalog rows on every segment
        for (int i = 0; i < 3; i++) {
            try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
                db.dropSchemas(DB);
                Scenarios.replay(target, "p" + i, "s", records, 1);
            }
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (segments("pg_class").stream().anyMatch(r -> column(r, 2) == 0)) {
            assertThat(System.nanoTime()).as("dead rows of pg_class on every segment: %s", segments("pg_class")).isLessThan(until);
            Thread.sleep(100);
        }
        List<String> before = segments("pg_class");
        int segmentCount = Integer.parseInt(db.rows("SELECT count(*), 0 FROM gp_segment_configuration WHERE content >= 0 AND role = 'p'")
                .get(0).split("\\|")[0]);
        assertThat(before).as("a row per segment").hasSize(segmentCount);

        Maintenance m = Maintenance.every(Duration.ofHours(1)).withVacuumThreshold(1, 0);
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).maintenance(m).build()) {
            db.dropSchemas(DB);
            Scenarios.replay(target, "last", "s", records, 1); // DDL and new staging tables: the catalog is due
            TargetMaintenance scheduled = target.maintenance;
            scheduled.runOnce();
            MaintenanceReport r = scheduled.last();
            MaintenanceReport.Table pgClass = r.tables().stream().filter(t -> t.schema().equals("pg_catalog") && t.table().equals("pg_class"))
                    .findFirst().orElseThrow();
            assertThat(pgClass.deadRows()).as(r.toString()).isPositive();
            assertThat(pgClass.action()).isEqualTo(MaintenanceReport.Action.VACUUM);
            assertThat(pgClass.outcome()).as(r.toString()).isEqualTo(MaintenanceReport.Outcome.DONE);
            assertThat(r.tables()).filteredOn(t -> t.schema().equals("pg_catalog")).extracting(MaintenanceReport.Table::table)
                    .contains("pg_attribute", "pg_type", "pg_depend", "gp_distribution_policy");

            until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                List<String> now = segments("pg_class");
                boolean all = true;
                for (int i = 0; i < now.size(); i++) {
                    all &= column(now.get(i), 1) > column(before.get(i), 1);
                }
                if (all) {
                    break;
                }
                assertThat(System.nanoTime()).as("every segment vacuumed pg_class: %s then %s", before, now).isLessThan(until);
                Thread.sleep(100);
            }

            scheduled.runOnce(); // nothing new since: no DDL, no new staging table
            assertThat(scheduled.last().tables()).as("the catalog is not due").noneMatch(t -> t.schema().equals("pg_catalog"));
            assertThat(scheduled.failures()).isZero();
        }
    }
}
