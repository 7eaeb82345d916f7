package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DDL on the key column of a table with rows (on Greenplum, its distribution key): its type
 * widened ({@code int} to {@code bigint}, the same hash), changed to text (another hash: the rows
 * must move), then the key moved to another column. The table must hold exactly the stream's rows,
 * each found by a lookup on its key (on Greenplum a lookup goes only to the segment the key
 * hashes to, so a row left on the wrong segment would not be found).
 */
class KeyColumnDdlIT {

    private static final String DB = "kddl";
    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("keyddl");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @Test
    void aKeyColumnsTypeAndTheKeyItselfChangeOnATableWithRows() throws SQLException {
        db.dropSchemas(DB, "greenwell");
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
            s.insert(DB, "t", id, MaxwellStream.row("id", i, "v", "v" + i));
            expected.add(i + "|v" + i);
        }
        s.commit();
        s.alterTable(DB, "t", asInt, id, asBigint, id, "ALTER TABLE t MODIFY id bigint NOT NULL");
        s.insert(DB, "t", id, MaxwellStream.row("id", 5_000_000_000L, "v", "big"));
        expected.add("5000000000|big");
        s.alterTable(DB, "t", asBigint, id, asText, id, "ALTER TABLE t MODIFY id varchar(20) NOT NULL");
        s.insert(DB, "t", id, MaxwellStream.row("id", "abc", "v", "text"));
        expected.add("abc|text");
        s.alterTable(DB, "t", asText, id, asText, v, "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (v)");
        s.update(DB, "t", v, MaxwellStream.row("id", "moved", "v", "v7"), MaxwellStream.row("id", "7"));
        expected.set(6, "moved|v7");
        for (int batch : new int[] {1, Integer.MAX_VALUE}) {
            db.dropSchemas(DB, "greenwell");
            try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
                Scenarios.replay(target, "p", "s" + batch, s.records(), batch);
            }
            List<String> rows = db.rows("SELECT id, v FROM kddl.t");
            rows.sort(null);
            List<String> want = new ArrayList<>(expected);
            want.sort(null);
            assertThat(rows).as("the table after the DDL, batches of %d", batch).isEqualTo(want);
            assertThat(PostgresqlTableLayoutIT.primaryKey(db, "kddl.t")).as("the new key").isEqualTo(v);
            assertThat(db.rows("SELECT data_type FROM information_schema.columns WHERE table_schema = 'kddl' AND column_name = 'id'"))
                    .containsExactly("character varying");
            if (TestDatabase.serverKind() != TestDatabase.ServerKind.POSTGRESQL) {
                assertThat(db.rows("SELECT pg_catalog.pg_get_table_distributedby('kddl.t'::regclass)")).containsExactly("DISTRIBUTED BY (v)");
            }
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT id FROM kddl.t WHERE v = ?")) {
                for (String row : want) {
                    ps.setString(1, row.substring(row.indexOf('|') + 1));
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).as("row %s found by its key", row).isTrue();
                        assertThat(rs.getString(1) + "|" + row.substring(row.indexOf('|') + 1)).isEqualTo(row);
                    }
                }
            }
        }
    }
}
