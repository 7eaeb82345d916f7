package io.greenwell.cdc.greenplum;

import static io.greenwell.cdc.greenplum.MaxwellStream.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link CreatedRowsIT} on PostgreSQL, where a batch's created rows go straight into their tables
 * by COPY; and a table with triggers takes no rows straight by COPY: a foreign key added by hand
 * in the target, with {@code ON DELETE CASCADE} as in MySQL (whose cascades the binlog does not
 * show), must see the batch's deletes before its inserts. PostgreSQL only: Greenplum neither
 * copies created rows straight in nor enforces foreign keys.
 */
@OnServer(TestDatabase.ServerKind.POSTGRESQL)
class PostgresqlCreatedRowsIT extends CreatedRowsIT {

    private static final String DB = "cascade";
    private static final List<String> PK = List.of("id");

    @Override
    void assertCreatedWithAKeyAlreadyThere(SimpleMeterRegistry registry) {
        assertThat(registry.get("greenwell.created.fallbacks").functionCounter().count()).as("b's copy refused once").isEqualTo(1);
        assertThat(created(registry)).as("a's and c's new keys went straight in, b's by staging").isEqualTo(60 + 3);
    }

    @Override
    double createdByTheBootstrap() {
        return 6;
    }

    @Test
    void aCascadeOfTheBatchsDeleteDoesNotTakeTheRowsItCreated() throws SQLException {
        db.dropSchemas(DB, "greenwell");
        MaxwellStream s = new MaxwellStream().createDatabase(DB);
        s.createTable(DB, "parent", List.of(new MaxwellStream.Col("id", "int")), PK,
                "CREATE TABLE parent (id int NOT NULL, PRIMARY KEY (id))");
        s.createTable(DB, "child", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("pid", "int")), PK,
                "CREATE TABLE child (id int NOT NULL, pid int, PRIMARY KEY (id))");
        s.begin();
        s.insert(DB, "parent", PK, row("id", 1));
        s.insert(DB, "child", PK, row("id", 10, "pid", 1));
        s.commit();
        int first = s.size();
        // MySQL: the delete of parent 1 cascades to child 10 (not in the binlog); parent 1 comes
        // back with a new child 11
        s.begin();
        s.delete(DB, "parent", PK, row("id", 1));
        s.insert(DB, "parent", PK, row("id", 1));
        s.insert(DB, "child", PK, row("id", 11, "pid", 1));
        s.commit();

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Scenarios.Record> records = s.records();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            target.bindMetrics(registry, Tags.empty());
            Scenarios.replay(target, "p", "s", records.subList(0, first), Integer.MAX_VALUE);
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("ALTER TABLE " + DB + ".child ADD FOREIGN KEY (pid) REFERENCES " + DB + ".parent (id) ON DELETE CASCADE");
            }
        }
        // a new target: the first reads the tables before the foreign key was there
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            target.bindMetrics(registry, Tags.empty());
            Scenarios.replay(target, "p", "s", records.subList(first, records.size()), Integer.MAX_VALUE);
        }
        assertThat(db.rows("SELECT id FROM " + DB + ".parent ORDER BY id")).containsExactly("1");
        assertThat(db.rows("SELECT id, pid FROM " + DB + ".child ORDER BY id")).as("the cascade took 10, not 11").containsExactly("11|1");
        assertThat(registry.get("greenwell.created.fallbacks").functionCounter().count()).isZero();
    }
}
