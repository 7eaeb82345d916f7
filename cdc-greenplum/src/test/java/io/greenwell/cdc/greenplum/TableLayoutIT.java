package io.greenwell.cdc.greenplum;

import static io.greenwell.cdc.greenplum.MaxwellStream.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the tables, the session's staging tables and the apply's statements sit on each database:
 * the same stream replayed (a keyed table, a table with a composite text key, a table without a
 * key; inserts, replacements, key changes, MINIMAL partial updates), the whole tables compared,
 * then each database's own layout and plans checked by its subclass.
 */
abstract class TableLayoutIT {

    static final String DB = "lay";
    static final List<String> ID = List.of("id");
    static final List<String> COMPOSITE = List.of("k1", "k2");

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("layout");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    /** Checks the layout of a target table with these key columns (empty: none). */
    abstract void assertTableLayout(Connection c, String qualified, List<String> key) throws SQLException;

    /** Checks the layout of a session staging table of a target table with these key columns. */
    abstract void assertStagingLayout(Connection c, String stagingOid, List<String> key) throws SQLException;

    /**
     * Checks the plans of the apply's statements, with a staging table of 2,000 rows against a
     * table of 20,000, as this database plans them.
     *
     * @param plans statement kind ({@code delete}, {@code insert}, {@code update}) to its EXPLAIN text
     */
    abstract void assertPlans(String setting, Map<String, String> plans);

    /** @return the planner settings to check the plans under, each a SET statement (or empty for the server's own) */
    abstract List<String> plannerSettings();

    /** Checks where the rows with these ids of table {@code lay.keyed} live, after a key change moved one. */
    abstract void assertMovedRow(Connection c, int from, int to) throws SQLException;

    /** A stream over the three tables; its expected state is in {@link #expectedKeyed} and friends. */
    static MaxwellStream stream() {
        MaxwellStream s = new MaxwellStream().createDatabase(DB);
        s.createTable(DB, "keyed", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("a", "int"),
                new MaxwellStream.Col("b", "varchar")), ID, "CREATE TABLE keyed (id int NOT NULL, a int, b varchar(20), PRIMARY KEY (id))");
        s.createTable(DB, "composite", List.of(new MaxwellStream.Col("k1", "varchar"), new MaxwellStream.Col("k2", "bigint"),
                new MaxwellStream.Col("v", "text")), COMPOSITE,
                "CREATE TABLE composite (k1 varchar(10) NOT NULL, k2 bigint NOT NULL, v text, PRIMARY KEY (k1, k2))");
        s.createTable(DB, "bag", List.of(new MaxwellStream.Col("x", "int"), new MaxwellStream.Col("y", "varchar")), List.of(),
                "CREATE TABLE bag (x int, y varchar(10))");
        s.begin();
        for (int id = 1; id <= 30; id++) {
            s.insert(DB, "keyed", ID, row("id", id, "a", id * 10, "b", "r" + id));
            s.insert(DB, "composite", COMPOSITE, row("k1", "k" + (id % 4), "k2", id, "v", "v" + id));
            s.insert(DB, "bag", List.of(), row("x", id % 5, "y", "y" + (id % 3)));
        }
        s.commit();
        s.begin();
        // a key change 1 -> 101, a replacement, a delete, a MINIMAL partial image
        s.update(DB, "keyed", ID, row("id", 101, "a", 10, "b", "r1"), row("id", 1));
        s.delete(DB, "keyed", ID, row("id", 2, "a", 20, "b", "r2"));
        s.insert(DB, "keyed", ID, row("id", 2, "a", 22, "b", "again"));
        s.delete(DB, "keyed", ID, row("id", 3, "a", 30, "b", "r3"));
        s.update(DB, "keyed", ID, row("id", 4, "a", 44), row("a", 40));
        s.update(DB, "composite", COMPOSITE, row("k1", "moved", "k2", 5, "v", "v5"), row("k1", "k1"));
        s.delete(DB, "bag", List.of(), row("x", 0, "y", "y2"));
        s.commit();
        return s;
    }

    static List<String> expectedKeyed() {
        List<String> rows = new ArrayList<>();
        for (int id = 2; id <= 30; id++) {
            if (id == 3) {
                continue;
            }
            rows.add(id == 2 ? "2|22|again" : id == 4 ? "4|44|r4" : id + "|" + id * 10 + "|r" + id);
        }
        rows.add("101|10|r1");
        rows.sort(null);
        return rows;
    }

    static List<String> expectedComposite() {
        List<String> rows = new ArrayList<>();
        for (int id = 1; id <= 30; id++) {
            rows.add((id == 5 ? "moved" : "k" + (id % 4)) + "|" + id + "|v" + id);
        }
        rows.sort(null);
        return rows;
    }

    static List<String> expectedBag() {
        List<String> rows = new ArrayList<>();
        boolean deleted = false;
        for (int id = 1; id <= 30; id++) {
            if (!deleted && id % 5 == 0 && id % 3 == 2) {
                deleted = true; // one copy of (0, y2) goes
                continue;
            }
            rows.add(id % 5 + "|y" + id % 3);
        }
        rows.sort(null);
        return rows;
    }


    /** Replays the stream with MINIMAL images allowed (the partial update) and compares the whole tables. */
    void replayAndCompare(GreenplumTarget target) throws SQLException {
        db.dropSchemas(DB, "greenwell");
        Scenarios.replay(target, "p", "s", stream().records(), Integer.MAX_VALUE);
        assertThat(sortedRows("SELECT id, a, b FROM lay.keyed")).as("lay.keyed").isEqualTo(expectedKeyed());
        assertThat(sortedRows("SELECT k1, k2, v FROM lay.composite")).as("lay.composite").isEqualTo(expectedComposite());
        assertThat(sortedRows("SELECT x, y FROM lay.bag")).as("lay.bag").isEqualTo(expectedBag());
    }

    static List<String> sortedRows(String query) throws SQLException {
        List<String> rows = db.rows(query);
        rows.sort(null);
        return rows;
    }

    @Test
    void tablesAndStagingTablesAreLaidOutByTheKey() throws SQLException {
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            replayAndCompare(target);
            try (Connection c = db.connect()) {
                assertTableLayout(c, "lay.keyed", ID);
                assertTableLayout(c, "lay.composite", COMPOSITE);
                assertTableLayout(c, "lay.bag", List.of());
                // the target's session holds its staging tables: one per table written, found by their columns
                Map<String, List<String>> keyOfStaging = Map.of("keyed", ID, "composite", COMPOSITE, "bag", List.of());
                List<String[]> staging = new ArrayList<>();
                Connection session = Sessions.connection(target);
                try (Statement st = session.createStatement(); var rs = st.executeQuery("SELECT s.oid, t.relname FROM pg_catalog.pg_class AS s"
                        + " JOIN pg_catalog.pg_class AS t ON t.relkind = 'r'"
                        + " AND t.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'lay')"
                        + " WHERE s.relnamespace = pg_catalog.pg_my_temp_schema() AND s.relname LIKE 'gw\\_stage\\_%'"
                        + " AND (SELECT array_agg(attname::text ORDER BY attnum) FROM pg_catalog.pg_attribute"
                        + "   WHERE attrelid = s.oid AND attnum > 0 AND NOT attisdropped AND attname::text NOT LIKE 'gw\\_%')"
                        + " = (SELECT array_agg(attname::text ORDER BY attnum) FROM pg_catalog.pg_attribute"
                        + "   WHERE attrelid = t.oid AND attnum > 0 AND NOT attisdropped)")) {
                    while (rs.next()) {
                        staging.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
                session.commit();
                for (String[] f : staging) {
                    assertStagingLayout(c, f[0], keyOfStaging.get(f[1]));
                }
                int seen = staging.size();
                assertThat(seen).as("staging tables of the target's session").isEqualTo(3);
            }
        }
    }

    @Test
    void theApplysStatementsArePlannedForTheLayout() throws SQLException {
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            replayAndCompare(target);
        }
        Sql sql = new Sql(TestDatabase.serverKind().dialect());
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE lay.big (LIKE lay.keyed)" + (sql.dialect().isGreenplum() ? " DISTRIBUTED BY (id)" : ""));
            st.execute("ALTER TABLE lay.big ADD PRIMARY KEY (id)");
            st.execute("INSERT INTO lay.big SELECT g, g, 'b' || g FROM generate_series(1, 20000) AS g");
            st.execute("ANALYZE lay.big");
            c.setAutoCommit(false);
            Sql.Extras x = Sql.Extras.avoiding(List.of("id", "a", "b"));
            st.execute(sql.createStaging("gw_stage_plan", "lay.big", x, ID));
            st.execute("INSERT INTO pg_temp.gw_stage_plan SELECT g * 10, g, 'n', CASE WHEN g % 2 = 0 THEN 'U' ELSE 'P' END, g, 1"
                    + " FROM generate_series(1, 2000) AS g");
            for (String setting : plannerSettings()) {
                if (!setting.isEmpty()) {
                    st.execute(setting);
                }
                Map<String, String> plans = new LinkedHashMap<>();
                plans.put("delete", explain(st, sql.deleteKeys("gw_stage_plan", "lay.big", ID, x)));
                plans.put("insert", explain(st, sql.insertImages("gw_stage_plan", "lay.big", List.of("id", "a", "b"), x, null)));
                plans.put("update", explain(st, sql.updatePartials("gw_stage_plan", "lay.big", List.of("a"), ID, x, new int[] {1, 2000})));
                assertPlans(setting, plans);
            }
            c.rollback();
        }
    }

    static String explain(Statement st, String statement) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (var rs = st.executeQuery("EXPLAIN " + statement)) {
            while (rs.next()) {
                sb.append(rs.getString(1)).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void aKeyChangeLeavesTheRowWhereItsNewKeyBelongs() throws SQLException {
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            replayAndCompare(target);
        }
        try (Connection c = db.connect()) {
            assertThat(db.rows("SELECT id FROM lay.keyed WHERE id IN (1, 101)")).containsExactly("101");
            assertMovedRow(c, 1, 101);
        }
    }
}
