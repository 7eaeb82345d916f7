package io.greenwell.cdc.greenplum;

import static io.greenwell.cdc.greenplum.MaxwellStream.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rows a batch creates go straight into their tables by COPY, without staging (on PostgreSQL):
 * proven exact when that optimism is wrong. A row put in by hand where the stream later inserts the same key makes
 * that table's COPY fail on its key; the table's changes then go by staging (the hand row
 * replaced, as a replica must), counted once, while the other tables of the same step keep their
 * straight copies. The tables must be exact on every database; each database's subclass checks
 * what went straight in there and what by staging.
 */
abstract class CreatedRowsIT {

    private static final String DB = "created";
    private static final List<String> PK = List.of("id");
    private static final List<String> TABLES = List.of("a", "b", "c");

    static TestDatabase db;

    /**
     * Checks the meters after a stream whose last batch creates keys in three tables, 20 rows of
     * each there before, one of its new keys put into table b by hand first.
     */
    abstract void assertCreatedWithAKeyAlreadyThere(SimpleMeterRegistry registry);

    /**
     * @return the rows copied straight in by a stream of one insert, then a bootstrap of five rows
     *     in one batch and of two (one of them a key seen before) in the next
     */
    abstract double createdByTheBootstrap();

    @BeforeAll
    static void create() throws SQLException {
        db = TestDatabase.create("created");
    }

    @AfterAll
    static void close() throws SQLException {
        db.close();
    }

    @Test
    void aKeyAlreadyThereSendsItsTableByStagingAndTheStateIsExact() throws SQLException {
        db.dropSchemas(DB, "greenwell");
        Map<String, Map<Integer, String>> model = new TreeMap<>();
        MaxwellStream s = new MaxwellStream().createDatabase(DB);
        for (String t : TABLES) {
            model.put(t, new TreeMap<>());
            s.createTable(DB, t, List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar")), PK,
                    "CREATE TABLE " + t + " (id int NOT NULL, v varchar(20), PRIMARY KEY (id))");
        }
        for (int id = 1; id <= 20; id++) {
            s.begin();
            for (String t : TABLES) {
                insert(s, model, t, id, t + id);
            }
            s.commit();
        }
        int first = s.size();
        // one transaction: new keys in every table (one of them already in b by hand), an insert
        // then an update of the same new key, an update and a delete of old keys
        s.begin();
        insert(s, model, "a", 30, "a30");
        insert(s, model, "b", 30, "b30");
        insert(s, model, "c", 30, "c30");
        insert(s, model, "b", 31, "b31");
        insert(s, model, "a", 32, "first");
        s.update(DB, "a", PK, row("id", 32, "v", "second"), row("v", "first"));
        model.get("a").put(32, "second");
        s.update(DB, "a", PK, row("id", 1, "v", "changed"), row("v", "a1"));
        model.get("a").put(1, "changed");
        s.delete(DB, "c", PK, row("id", 2, "v", "c2"));
        model.get("c").remove(2);
        s.commit();

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Scenarios.Record> records = s.records();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            target.bindMetrics(registry, Tags.empty());
            Scenarios.replay(target, "p", "s", records.subList(0, first), Integer.MAX_VALUE);
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + DB + ".b (id, v) VALUES (30, 'by hand')");
            }
            Scenarios.replay(target, "p", "s", records.subList(first, records.size()), Integer.MAX_VALUE);
        }
        assertCreatedWithAKeyAlreadyThere(registry);
        try (Connection c = db.connect()) {
            for (String t : TABLES) {
                assertThat(rows(c, t)).as("table %s", t).isEqualTo(model.get(t));
            }
        }
    }

    @Test
    void aBootstrapRowSeenTwiceGoesByStagingAndTheLastOneWins() throws SQLException {
        db.dropSchemas(DB, "greenwell");
        MaxwellStream s = new MaxwellStream().createDatabase(DB);
        s.createTable(DB, "a", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar")), PK,
                "CREATE TABLE a (id int NOT NULL, v varchar(20), PRIMARY KEY (id))");
        s.begin();
        s.insert(DB, "a", PK, row("id", 9, "v", "before the bootstrap"));
        s.commit();
        s.bootstrapStart(DB, "a");
        for (int id = 1; id <= 5; id++) {
            s.bootstrapInsert(DB, "a", PK, row("id", id, "v", "first " + id));
        }
        int firstBatch = s.size();
        // the same key again in the next batch (a snapshot read twice): the shadow's key refuses
        // the straight copy, and the rows go by staging, as a change set of the shadow
        s.bootstrapInsert(DB, "a", PK, row("id", 3, "v", "again 3"));
        s.bootstrapInsert(DB, "a", PK, row("id", 6, "v", "first 6"));
        s.bootstrapComplete(DB, "a");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Scenarios.Record> records = s.records();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            target.bindMetrics(registry, Tags.empty());
            Scenarios.replay(target, "p", "s", records.subList(0, firstBatch), Integer.MAX_VALUE);
            Scenarios.replay(target, "p", "s", records.subList(firstBatch, records.size()), Integer.MAX_VALUE);
        }
        Map<Integer, String> want = new TreeMap<>(Map.of(1, "first 1", 2, "first 2", 3, "again 3", 4, "first 4", 5, "first 5", 6, "first 6"));
        try (Connection c = db.connect()) {
            assertThat(rows(c, "a")).as("the snapshot, its last row of key 3, without the row it did not hold").isEqualTo(want);
        }
        assertThat(registry.get("greenwell.created.fallbacks").functionCounter().count()).as("the second batch's copy refused").isEqualTo(1);
        assertThat(created(registry)).as("the first batch's five rows, on PostgreSQL the insert of 9").isEqualTo(createdByTheBootstrap());
    }

    static double created(SimpleMeterRegistry registry) {
        return registry.get("greenwell.created.rows").functionCounter().count();
    }

    private static void insert(MaxwellStream s, Map<String, Map<Integer, String>> model, String table, int id, String v) {
        s.insert(DB, table, PK, row("id", id, "v", v));
        model.get(table).put(id, v);
    }

    private static Map<Integer, String> rows(Connection c, String table) throws SQLException {
        Map<Integer, String> out = new TreeMap<>();
        List<Integer> seen = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, v FROM " + DB + "." + table)) {
            while (rs.next()) {
                seen.add(rs.getInt(1));
                out.put(rs.getInt(1), rs.getString(2));
            }
        }
        assertThat(seen).as("no key twice in %s", table).doesNotHaveDuplicates();
        return out;
    }
}
