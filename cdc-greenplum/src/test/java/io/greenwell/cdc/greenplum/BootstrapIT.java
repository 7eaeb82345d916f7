package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Maxwell bootstraps replace a table's rows with the snapshot: rows that drifted (deleted or
 * added behind the stream's back) are repaired, a table without a key is not doubled, and a
 * bootstrap that Maxwell reruns after a failure ends right.
 */
class BootstrapIT {

    private static final List<String> PK = List.of("id");
    private static final List<String> NONE = List.of();
    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("boot");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @BeforeEach
    void empty() throws SQLException {
        db.dropSchemas("shop", "greenwell");
    }

    private static Map<String, Object> row(int id, String v) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("v", v);
        return r;
    }

    private static MaxwellStream created(boolean keyed) {
        return new MaxwellStream().createDatabase("shop").createTable("shop", "t",
                List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar")), keyed ? PK : NONE,
                keyed ? "CREATE TABLE t (id int PRIMARY KEY, v varchar(20))" : "CREATE TABLE t (id int, v varchar(20))");
    }

    @ParameterizedTest(name = "batches of {0}")
    @ValueSource(ints = {1, 3, 1000})
    void aBootstrapRepairsATableThatDrifted(int batchEvents) throws SQLException {
        MaxwellStream first = created(true);
        for (int id = 1; id <= 5; id++) {
            first.insert("shop", "t", PK, row(id, "v" + id));
        }
        replay(first, batchEvents);
        // behind the stream's back: MySQL truncated rows 2 and 3 (no record), someone wrote to the replica
        execute("DELETE FROM shop.t WHERE id = 4", "INSERT INTO shop.t VALUES (77, 'stray')", "UPDATE shop.t SET v = 'edited' WHERE id = 5");
        int done = first.records().size();
        MaxwellStream second = first.bootstrapStart("shop", "t");
        for (int id : new int[] {1, 4, 5}) {
            second.bootstrapInsert("shop", "t", PK, row(id, "v" + id));
        }
        second.bootstrapComplete("shop", "t").insert("shop", "t", PK, row(6, "after"));
        replayMore(second, done, batchEvents);
        assertThat(db.rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|v1", "4|v4", "5|v5", "6|after");
        assertThat(db.rows("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'greenwell'"
                + " AND relkind = 'r' ORDER BY 1")).as("the shadow is gone").containsExactly("checkpoint", "dead_letter");
    }

    @ParameterizedTest(name = "batches of {0}")
    @ValueSource(ints = {1, 2, 1000})
    void aBootstrapOfAKeylessTableDoesNotDoubleIt(int batchEvents) throws SQLException {
        MaxwellStream first = created(false);
        for (int i = 0; i < 6; i++) {
            first.insert("shop", "t", NONE, row(i % 2, "dup"));
        }
        replay(first, batchEvents);
        int done = first.records().size();
        MaxwellStream second = first.bootstrapStart("shop", "t");
        for (int i = 0; i < 6; i++) {
            second.bootstrapInsert("shop", "t", NONE, row(i % 2, "dup"));
        }
        second.bootstrapComplete("shop", "t");
        replayMore(second, done, batchEvents);
        assertThat(db.rows("SELECT id, v, count(*) FROM shop.t GROUP BY id, v ORDER BY id")).containsExactly("0|dup|3", "1|dup|3");
    }

    @ParameterizedTest(name = "batches of {0}")
    @ValueSource(ints = {1, 4, 1000})
    void aBootstrapRerunAfterAFailureEndsRight(int batchEvents) throws SQLException {
        MaxwellStream first = created(true).insert("shop", "t", PK, row(1, "old"));
        replay(first, batchEvents);
        // a bootstrap that died half way (no complete), then Maxwell's rerun from the start
        int done = first.records().size();
        MaxwellStream second = first.bootstrapStart("shop", "t")
                .bootstrapInsert("shop", "t", PK, row(1, "half"))
                .bootstrapInsert("shop", "t", PK, row(2, "half"))
                .bootstrapStart("shop", "t")
                .bootstrapInsert("shop", "t", PK, row(1, "snap"))
                .bootstrapInsert("shop", "t", PK, row(3, "snap"))
                .bootstrapComplete("shop", "t");
        replayMore(second, done, batchEvents);
        assertThat(db.rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|snap", "3|snap");
    }

    @ParameterizedTest(name = "batches of {0}")
    @ValueSource(ints = {1, 3, 1000})
    void aBootstrapOfAnEmptyTableLoadsItStraightAndAnotherTargetFinishesIt(int batchEvents) throws SQLException {
        MaxwellStream s = created(true).bootstrapStart("shop", "t");
        for (int id = 1; id <= 5; id++) {
            s.bootstrapInsert("shop", "t", PK, row(id, "v" + id));
        }
        int loaded = s.records().size();
        s.bootstrapComplete("shop", "t").insert("shop", "t", PK, row(6, "after")).update("shop", "t", PK, row(1, "changed"), Map.of("v", "v1"));
        List<Scenarios.Record> all = s.records();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", all.subList(0, loaded), batchEvents);
        }
        // before the complete: the rows are in the table itself, and its shadow is an empty marker
        assertThat(db.rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|v1", "2|v2", "3|v3", "4|v4", "5|v5");
        String shadow = "greenwell." + Names.quote(Bootstraps.shadowName(new TargetTable("shop", "t", List.of(), List.of())));
        assertThat(db.rows("SELECT count(*) FROM " + shadow)).containsExactly("0");
        assertThat(db.rows("SELECT obj_description('" + shadow.replace("'", "''") + "'::regclass, 'pg_class')"))
                .containsExactly(Bootstraps.DIRECT);
        replayMore(s, loaded, batchEvents);
        assertThat(db.rows("SELECT id, v FROM shop.t ORDER BY id"))
                .containsExactly("1|changed", "2|v2", "3|v3", "4|v4", "5|v5", "6|after");
        assertThat(db.rows("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'greenwell'"
                + " AND relkind = 'r' ORDER BY 1")).as("the shadow is gone").containsExactly("checkpoint", "dead_letter");
    }

    @ParameterizedTest(name = "batches of {0}")
    @ValueSource(ints = {1, 4, 1000})
    void aRerunOfABootstrapLoadedStraightGoesThroughTheShadow(int batchEvents) throws SQLException {
        MaxwellStream s = created(true).bootstrapStart("shop", "t")
                .bootstrapInsert("shop", "t", PK, row(1, "half"))
                .bootstrapInsert("shop", "t", PK, row(2, "half"))
                .bootstrapStart("shop", "t")
                .bootstrapInsert("shop", "t", PK, row(1, "snap"))
                .bootstrapInsert("shop", "t", PK, row(1, "snap again"))
                .bootstrapInsert("shop", "t", PK, row(3, "snap"))
                .bootstrapComplete("shop", "t");
        replay(s, batchEvents);
        // a row seen twice by one snapshot: the later one stays, as in a shadow
        assertThat(db.rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|snap again", "3|snap");
    }

    @ParameterizedTest(name = "batches of {0}")
    @ValueSource(ints = {1, 3, 1000})
    void theTableChangingDuringABootstrapLoadedStraightEndsAsAnyBootstrapWhateverTheBatches(int batchEvents) throws SQLException {
        // not Maxwell's order (it sends a table's changes after its bootstrap-complete), but a producer's or
        // partitions read out of order: the table is replaced by the snapshot at the end, as through a shadow
        MaxwellStream s = created(true).bootstrapStart("shop", "t")
                .bootstrapInsert("shop", "t", PK, row(1, "v1"))
                .bootstrapInsert("shop", "t", PK, row(2, "v2"))
                .insert("shop", "t", PK, row(10, "live"))
                .update("shop", "t", PK, row(1, "live"), Map.of("v", "v1"))
                .bootstrapInsert("shop", "t", PK, row(3, "v3"))
                .bootstrapComplete("shop", "t")
                .insert("shop", "t", PK, row(11, "after"));
        replay(s, batchEvents);
        assertThat(db.rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|v1", "2|v2", "3|v3", "11|after");
        assertThat(db.rows("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'greenwell'"
                + " AND relkind = 'r' ORDER BY 1")).as("the shadow is gone").containsExactly("checkpoint", "dead_letter");
    }

    private static void replay(MaxwellStream s, int batchEvents) {
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", s.records(), batchEvents);
        }
    }

    /** Replays the stream's records from {@code from} on, by a new target that resumes from the checkpoint. */
    private static void replayMore(MaxwellStream s, int from, int batchEvents) {
        List<Scenarios.Record> all = s.records();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", all.subList(from, all.size()), batchEvents);
        }
    }

    private static void execute(String... statements) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }
}
