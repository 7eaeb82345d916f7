package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the change archive is stored, one subclass per database: after a replay of events on
 * three days, the archive is partitioned by day with a partition for each of them, today and
 * tomorrow, stored as the database's subclass says.
 */
abstract class ArchiveLayoutIT {

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("archlayout");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    /** Checks the parent table and each day's partition (qualified names) as this database stores them. */
    abstract void assertStorage(String parent, List<String> partitions) throws SQLException;

    @Test
    void theArchiveIsPartitionedByDayAndStoredAsTheDatabaseDoesIt() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS lay CASCADE");
            st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
        }
        long day = 86_400;
        long now = System.currentTimeMillis() / 1000;
        MaxwellStream s = new MaxwellStream().at(now - 40 * day).createDatabase("lay");
        s.createTable("lay", "t", List.of(new MaxwellStream.Col("id", "int")), List.of("id"), "CREATE TABLE t (id int, PRIMARY KEY (id))");
        for (int i = 1; i <= 30; i++) {
            s.at(now - (i % 3) * 20 * day).insert("lay", "t", List.of("id"), MaxwellStream.row("id", i));
        }
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).archive(true).build()) {
            Scenarios.replay(target, "p", "s", s.records(), 7);
        }
        ArchiveSql sql = new ArchiveSql(TestDatabase.serverKind().dialect(), "greenwell");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<String> days = List.of(sql.partitionName(today.minusDays(40)), sql.partitionName(today.minusDays(20)),
                sql.partitionName(today), sql.partitionName(today.plusDays(1)));
        List<String> names = db.rows(sql.selectPartitions().replace("?", "'greenwell'")).stream().map(r -> r.split("\\|")[0]).toList();
        assertThat(names).containsExactlyInAnyOrderElementsOf(days);
        assertThat(db.rows("SELECT count(*) FROM greenwell.event_archive")).containsExactly("32");
        assertStorage("greenwell.event_archive", db.rows(TestDatabase.serverKind().dialect().isGreenplum()
                ? "SELECT partitionschemaname || '.' || partitiontablename FROM pg_partitions WHERE tablename = 'event_archive'"
                : "SELECT 'greenwell.' || c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        + " WHERE i.inhparent = 'greenwell.event_archive'::regclass"));
    }
}
