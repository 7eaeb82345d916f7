package io.greenwell.cdc.greenplum;

import static io.greenwell.cdc.greenplum.MaxwellStream.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DDL on the key columns of tables with rows (on Greenplum, their distribution key), through
 * Maxwell's table-alter records: a key column's type widened ({@code int} to {@code bigint}, the
 * same hash), changed to text (another hash: the rows must move), and the key moved to another
 * column; a column of a composite key dropped, and the only key column dropped (MySQL takes the
 * column out of the key, and drops a key left without columns); the primary key dropped. Each
 * stream is replayed one event per batch and in one batch (the DDL in the middle of it), and the
 * table must hold exactly the stream's rows, with the key the table now has, each row found by a
 * lookup on it (on Greenplum a lookup goes only to the segment the key hashes to, so a row left
 * on the wrong segment would not be found). Changes after the DDL go to the table by its new key,
 * or by whole rows once it has none. Each database's subclass checks its own layout of the key.
 */
abstract class KeyColumnDdlIT {

    static final String DB = "kddl";
    static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("keyddl");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    /**
     * Checks how a table's key sits on this database.
     *
     * @param qualified the table, quoted as SQL
     * @param key its key columns in order; empty for a table without a key
     */
    abstract void assertKey(String qualified, List<String> key) throws SQLException;

    @Test
    void aKeyColumnsTypeAndTheKeyItselfChangeOnATableWithRows() throws SQLException {
        List<MaxwellStream.Col> asInt = List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar"));
        List<MaxwellStream.Col> asBigint = List.of(new MaxwellStream.Col("id", "bigint"), new MaxwellStream.Col("v", "varchar"));
        List<MaxwellStream.Col> asText = List.of(new MaxwellStream.Col("id", "varchar"), new MaxwellStream.Col("v", "varchar"));
        List<String> id = List.of("id");
        List<String> v = List.of("v");
        MaxwellStream s = new MaxwellStream().createDatabase(DB)
                .createTable(DB, "t", asInt, id, "CREATE TABLE t (id int NOT NULL, v varchar(20) NOT NULL, PRIMARY KEY (id))");
        List<String> expected = new ArrayList<>();
        s.begin();
        for (int i = 1; i <= 60; i++) {
            s.insert(DB, "t", id, row("id", i, "v", "v" + i));
            expected.add(i + "|v" + i);
        }
        s.commit();
        s.alterTable(DB, "t", asInt, id, asBigint, id, "ALTER TABLE t MODIFY id bigint NOT NULL");
        s.insert(DB, "t", id, row("id", 5_000_000_000L, "v", "big"));
        expected.add("5000000000|big");
        s.alterTable(DB, "t", asBigint, id, asText, id, "ALTER TABLE t MODIFY id varchar(20) NOT NULL");
        s.insert(DB, "t", id, row("id", "abc", "v", "text"));
        expected.add("abc|text");
        s.alterTable(DB, "t", asText, id, asText, v, "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (v)");
        s.update(DB, "t", v, row("id", "moved", "v", "v7"), row("id", "7"));
        expected.set(6, "moved|v7");
        for (int batch : new int[] {1, Integer.MAX_VALUE}) {
            replay(s, batch);
            assertThat(sorted(db.rows("SELECT id, v FROM kddl.t"))).as("the table after the DDL, batches of %d", batch)
                    .isEqualTo(sorted(expected));
            assertKey("kddl.t", v);
            assertThat(db.rows("SELECT data_type FROM information_schema.columns WHERE table_schema = 'kddl' AND column_name = 'id'"))
                    .containsExactly("character varying");
            for (String r : expected) {
                String value = r.substring(r.indexOf('|') + 1);
                assertThat(db.rows("SELECT id, v FROM kddl.t WHERE v = '" + value + "'")).as("row %s found by its key", r).containsExactly(r);
            }
        }
    }

    /**
     * {@code ALTER TABLE c DROP COLUMN k} of a column of the key {@code (a, k)}: the key becomes
     * {@code (a)} (on Greenplum the table, which the dropped column made randomly distributed, is
     * distributed by {@code a} again); {@code ALTER TABLE s DROP COLUMN id} of the only key column:
     * the table has no key left (on Greenplum it stays randomly distributed). Then rows are
     * inserted, updated, moved to another key and deleted.
     */
    @Test
    void aKeyColumnIsDroppedFromATableWithRows() throws SQLException {
        List<MaxwellStream.Col> withK = List.of(new MaxwellStream.Col("a", "int"), new MaxwellStream.Col("k", "int"),
                new MaxwellStream.Col("v", "varchar"));
        List<MaxwellStream.Col> withoutK = List.of(new MaxwellStream.Col("a", "int"), new MaxwellStream.Col("v", "varchar"));
        List<MaxwellStream.Col> withId = List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar"));
        List<MaxwellStream.Col> withoutId = List.of(new MaxwellStream.Col("v", "varchar"));
        List<String> ak = List.of("a", "k");
        List<String> a = List.of("a");
        List<String> id = List.of("id");
        MaxwellStream s = new MaxwellStream().createDatabase(DB)
                .createTable(DB, "c", withK, ak, "CREATE TABLE c (a int NOT NULL, k int NOT NULL, v varchar(20), PRIMARY KEY (a, k))")
                .createTable(DB, "s", withId, id, "CREATE TABLE s (id int NOT NULL, v varchar(20), PRIMARY KEY (id))");
        List<String> composite = new ArrayList<>();
        List<String> single = new ArrayList<>();
        s.begin();
        for (int i = 1; i <= 60; i++) {
            s.insert(DB, "c", ak, row("a", i, "k", i % 4, "v", "v" + i));
            composite.add(i + "|v" + i);
            s.insert(DB, "s", id, row("id", i, "v", "v" + (i % 20)));
            single.add("v" + (i % 20));
        }
        s.commit();
        s.alterTable(DB, "c", withK, ak, withoutK, a, "ALTER TABLE c DROP COLUMN k");
        s.alterTable(DB, "s", withId, id, withoutId, List.of(), "ALTER TABLE s DROP COLUMN id");
        s.begin();
        s.insert(DB, "c", a, row("a", 100, "v", "new"));
        composite.add("100|new");
        s.update(DB, "c", a, row("a", 3, "v", "changed"), row("v", "v3"));
        composite.set(2, "3|changed");
        s.update(DB, "c", a, row("a", 107, "v", "v7"), row("a", 7));
        composite.set(6, "107|v7");
        s.delete(DB, "c", a, row("a", 5, "v", "v5"));
        composite.remove("5|v5");
        s.insert(DB, "s", List.of(), row("v", "v1"));
        single.add("v1");
        s.update(DB, "s", List.of(), row("v", "v2x"), row("v", "v2"));
        single.set(single.indexOf("v2"), "v2x");
        s.delete(DB, "s", List.of(), row("v", "v3"));
        single.remove("v3");
        s.commit();
        for (int batch : new int[] {1, Integer.MAX_VALUE}) {
            replay(s, batch);
            assertThat(sorted(db.rows("SELECT a, v FROM kddl.c"))).as("table c after the DDL, batches of %d", batch)
                    .isEqualTo(sorted(composite));
            assertKey("kddl.c", a);
            for (String r : composite) {
                assertThat(db.rows("SELECT a, v FROM kddl.c WHERE a = " + r.substring(0, r.indexOf('|')))).as("row %s found by its key", r)
                        .containsExactly(r);
            }
            assertThat(sorted(db.rows("SELECT v FROM kddl.s"))).as("table s after the DDL, batches of %d", batch).isEqualTo(sorted(single));
            assertKey("kddl.s", List.of());
        }
    }

    /**
     * {@code ALTER TABLE d DROP PRIMARY KEY}: the table has no key (on Greenplum it is randomly
     * distributed), and the changes after it go by whole rows: a second copy of a row, an update
     * and a delete of one copy each, a row whose former key changes.
     */
    @Test
    void thePrimaryKeyIsDroppedFromATableWithRows() throws SQLException {
        List<MaxwellStream.Col> cols = List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar"));
        List<String> id = List.of("id");
        MaxwellStream s = new MaxwellStream().createDatabase(DB)
                .createTable(DB, "d", cols, id, "CREATE TABLE d (id int NOT NULL, v varchar(20), PRIMARY KEY (id))");
        List<String> expected = new ArrayList<>();
        s.begin();
        for (int i = 1; i <= 60; i++) {
            s.insert(DB, "d", id, row("id", i, "v", "v" + i));
            expected.add(i + "|v" + i);
        }
        s.commit();
        s.alterTable(DB, "d", cols, id, cols, List.of(), "ALTER TABLE d DROP PRIMARY KEY");
        s.begin();
        s.insert(DB, "d", List.of(), row("id", 1, "v", "v1"));
        expected.add("1|v1");
        s.insert(DB, "d", List.of(), row("id", 2, "v", "v2"));
        expected.add("2|v2");
        s.update(DB, "d", List.of(), row("id", 2, "v", "two"), row("v", "v2"));
        expected.set(1, "2|two");
        s.update(DB, "d", List.of(), row("id", 104, "v", "v4"), row("id", 4));
        expected.set(3, "104|v4");
        s.delete(DB, "d", List.of(), row("id", 3, "v", "v3"));
        expected.remove("3|v3");
        s.commit();
        for (int batch : new int[] {1, Integer.MAX_VALUE}) {
            replay(s, batch);
            assertThat(sorted(db.rows("SELECT id, v FROM kddl.d"))).as("table d after the DDL, batches of %d", batch)
                    .isEqualTo(sorted(expected));
            assertKey("kddl.d", List.of());
        }
    }

    /** Replays a stream into a new target on empty schemas, in batches of at most {@code batch} events. */
    private static void replay(MaxwellStream s, int batch) throws SQLException {
        db.dropSchemas(DB, "greenwell");
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s" + batch, s.records(), batch);
        }
    }

    private static List<String> sorted(List<String> rows) {
        List<String> out = new ArrayList<>(rows);
        out.sort(null);
        return out;
    }
}
