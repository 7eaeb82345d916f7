package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.ApplyException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad rows end in {@code greenwell.dead_letter}, one per raw event, in the transaction of their
 * batch, and the rest of the batch still applies set-based.
 */
class DeadLetterIT {

    private static final List<String> PK = List.of("id");
    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("dead");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @BeforeEach
    void empty() throws SQLException {
        db.dropSchemas("shop", "greenwell");
    }

    private static MaxwellStream shop() {
        return new MaxwellStream().createDatabase("shop").createTable("shop", "t",
                List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar"), new MaxwellStream.Col("d", "date")), PK,
                "CREATE TABLE t (id int PRIMARY KEY, v varchar(5), d date)");
    }

    private static Map<String, Object> row(int id, String v) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("v", v);
        r.put("d", "2024-02-29");
        return r;
    }

    @Test
    void onePoisonedRowAmongTenThousandIsDeadLetteredAndTheRestAppliesInOneTransaction() throws SQLException {
        MaxwellStream s = shop().begin();
        for (int id = 1; id <= 10_000; id++) {
            s.insert("shop", "t", PK, row(id, id == 4321 ? "too long for varchar(5)" : "v" + (id % 1000)));
        }
        s.commit();
        List<Scenarios.Record> records = s.records();
        Scenarios.Record poison = records.get(2 + 4320);
        AtomicReference<String> seenBeforeCommit = new AtomicReference<>();
        int batches;
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).hook(p -> {
            if (p == BatchTransaction.Phase.BEFORE_COMMIT && seenBeforeCommit.get() == null) {
                seenBeforeCommit.set(count("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'shop'"));
            }
        }).build()) {
            batches = Scenarios.replay(target, "p", "s", records, Integer.MAX_VALUE);
        }
        assertThat(batches).as("the whole stream is one batch").isEqualTo(1);
        assertThat(seenBeforeCommit.get()).as("nothing is visible before the one COMMIT").isEqualTo("0");
        List<String> want = new ArrayList<>();
        for (int id = 1; id <= 10_000; id++) {
            if (id != 4321) {
                want.add(id + "|v" + (id % 1000) + "|2024-02-29");
            }
        }
        assertThat(db.rows("SELECT id, v, d FROM shop.t ORDER BY id")).as("the whole table: every row but the poisoned one").isEqualTo(want);
        List<Map<String, Object>> dead = deadLetters();
        assertThat(dead).hasSize(1);
        Map<String, Object> d = dead.get(0);
        assertThat(d.get("stream")).isEqualTo("s");
        assertThat(d.get("offset")).isEqualTo(poison.offset());
        assertThat(new String((byte[]) d.get("raw_record"), StandardCharsets.UTF_8)).isEqualTo(new String(poison.bytes(), StandardCharsets.UTF_8));
        assertThat(d.get("table_name")).isEqualTo("shop.t");
        assertThat(d.get("key")).isEqualTo("id=4321");
        assertThat(d.get("sqlstate")).isEqualTo("22001");
        assertThat((String) d.get("error")).contains("character varying(5)");
        assertThat(count("SELECT \"offset\" FROM greenwell.checkpoint")).isEqualTo(String.valueOf(records.get(records.size() - 1).offset()));
    }

    @Test
    void batchesWithRefusedRowsOfAnUnchangedTableKeepTheirStagingTable() throws SQLException {
        // the table is read again after a refusal (its definition may have been fixed), but as it
        // has not changed, the staging table built for it stays: no DDL per batch with a bad row
        MaxwellStream s = shop();
        for (int k = 0; k < 3; k++) {
            s.begin().insert("shop", "t", PK, row(10 * k + 1, "ok" + k)).insert("shop", "t", PK, row(10 * k + 2, "much too long")).commit();
        }
        List<String> staging;
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            int batches = Scenarios.replay(target, "p", "s", s.records(), 2);
            assertThat(batches).as("one batch per transaction, and the DDL").isGreaterThanOrEqualTo(3);
            staging = db.rows("SELECT relname FROM pg_catalog.pg_class WHERE relname LIKE 'gw\\_stage\\_%' AND relpersistence = 't'");
        }
        assertThat(staging).containsExactly("gw_stage_1");
        assertThat(db.rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("1|ok0|2024-02-29", "11|ok1|2024-02-29", "21|ok2|2024-02-29");
        assertThat(db.rows("SELECT key FROM greenwell.dead_letter ORDER BY \"offset\"")).containsExactly("id=2", "id=12", "id=22");
    }

    @Test
    void everyEventBehindAPoisonedNetChangeGetsItsOwnDeadLetter() throws SQLException {
        // three events fold into one net change for id 2: all three are dead-lettered
        MaxwellStream s = shop().begin()
                .insert("shop", "t", PK, row(1, "ok"))
                .insert("shop", "t", PK, row(2, "ok"))
                .update("shop", "t", PK, row(2, "ok2"), Map.of("v", "ok"))
                .update("shop", "t", PK, row(2, "much too long"), Map.of("v", "ok2"))
                .insert("shop", "t", PK, row(3, "ok"))
                .commit();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", s.records(), Integer.MAX_VALUE);
        }
        assertThat(db.rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("1|ok|2024-02-29", "3|ok|2024-02-29");
        List<Map<String, Object>> dead = deadLetters();
        assertThat(dead).extracting(m -> m.get("offset")).containsExactly(s.records().get(3).offset(), s.records().get(4).offset(),
                s.records().get(5).offset());
        assertThat(dead).extracting(m -> m.get("key")).containsOnly("id=2");
    }

    @Test
    void rejectedValuesMissingKeysAndUnknownTablesAreDeadLetteredToo() throws SQLException {
        Map<String, Object> nul = row(1, "a\0b");
        Map<String, Object> zero = row(2, "ok");
        zero.put("d", "0000-00-00");
        Map<String, Object> nullKey = row(3, "ok");
        nullKey.put("id", null);
        MaxwellStream s = shop().begin()
                .insert("shop", "t", PK, nul)
                .insert("shop", "t", PK, zero)
                .insert("shop", "t", PK, nullKey)
                .insert("shop", "nope", PK, row(4, "x"))
                .insert("shop", "t", PK, row(5, "fine"))
                .commit();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url())
                .nulCharacters(GreenplumTarget.NulCharacters.REJECT).zeroDates(GreenplumTarget.ZeroDates.REJECT).build()) {
            Scenarios.replay(target, "p", "s", s.records(), Integer.MAX_VALUE);
        }
        assertThat(db.rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("5|fine|2024-02-29");
        List<Map<String, Object>> dead = deadLetters();
        assertThat(dead).hasSize(4);
        assertThat(dead).extracting(m -> m.get("offset")).containsExactlyInAnyOrder(s.records().get(2).offset(),
                s.records().get(3).offset(), s.records().get(4).offset(), s.records().get(5).offset());
        assertThat(dead).extracting(m -> (String) m.get("error")).anyMatch(e -> e.contains("NUL")).anyMatch(e -> e.contains("zero date"))
                .anyMatch(e -> e.contains("NULL")).anyMatch(e -> e.contains("does not exist"));
    }

    @Test
    void aTableChangedAfterItsRowsWereRefusedIsReadAgainByTheRunningTarget() throws SQLException {
        MaxwellStream s = shop().begin().insert("shop", "t", PK, row(1, "too long")).commit()
                .begin().insert("shop", "t", PK, row(2, "also too long")).commit();
        List<Scenarios.Record> records = s.records();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", records.subList(0, records.size() - 1), 1);
            assertThat(deadLetters()).extracting(m -> m.get("key")).containsExactly("id=1");
            // the cause is fixed while the target runs
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("ALTER TABLE shop.t ALTER COLUMN v TYPE varchar(50)");
            }
            Scenarios.replay(target, "p", "s", records, 1);
        }
        assertThat(db.rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("2|also too long|2024-02-29");
        assertThat(deadLetters()).extracting(m -> m.get("key")).containsExactly("id=1");
    }

    @Test
    void withoutDeadLettersABadRowFailsTheWholeBatch() throws SQLException {
        MaxwellStream s = shop().begin().insert("shop", "t", PK, row(1, "ok")).commit()
                .begin().insert("shop", "t", PK, row(2, "ok")).insert("shop", "t", PK, row(3, "far too long")).commit();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).deadLetters(false).build()) {
            assertThatThrownBy(() -> Scenarios.replay(target, "p", "s", s.records(), 1))
                    .isInstanceOf(ApplyException.class)
                    .satisfies(e -> assertThat(((ApplyException) e).sqlState()).isEqualTo("22001"));
        }
        assertThat(db.rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("1|ok|2024-02-29");
        assertThat(deadLetters()).isEmpty();
    }

    private static String count(String query) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static List<Map<String, Object>> deadLetters() throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM greenwell.dead_letter ORDER BY \"offset\"")) {
            while (rs.next()) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    m.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                out.add(m);
            }
        }
        return out;
    }
}
