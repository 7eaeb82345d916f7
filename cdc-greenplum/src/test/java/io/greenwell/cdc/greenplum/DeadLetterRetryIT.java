package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GreenplumTarget#retryDeadLetters}: dead letters made for real (a value too long, a
 * missing table, a value out of range), two causes fixed, one not; the retry applies exactly the
 * fixed ones in stream order, deletes exactly their letters, keeps the other with its new error,
 * and moves no checkpoint.
 */
class DeadLetterRetryIT {

    private static final List<String> PK = List.of("id");
    private static final String LETTERS = "SELECT pipeline, stream, \"offset\", table_name, key, sqlstate, encode(raw_record, 'escape')"
            + " FROM greenwell.dead_letter ORDER BY pipeline, stream, \"offset\"";
    private static final String CHECKPOINTS = "SELECT pipeline, stream, \"offset\", position, updated_at FROM greenwell.checkpoint"
            + " ORDER BY pipeline, stream";
    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("retry");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @BeforeEach
    void empty() throws SQLException {
        db.dropSchemas("shop", "greenwell");
    }

    /** shop.t (v varchar(5)) and shop.small (n smallint) come from the stream; shop.late does not. */
    private static MaxwellStream shop() {
        return new MaxwellStream().createDatabase("shop")
                .createTable("shop", "t", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar"),
                        new MaxwellStream.Col("d", "date")), PK, "CREATE TABLE t (id int PRIMARY KEY, v varchar(5), d date)")
                .createTable("shop", "small", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("n", "smallint")), PK,
                        "CREATE TABLE small (id int PRIMARY KEY, n smallint)");
    }

    private static Map<String, Object> t(int id, String v) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("v", v);
        r.put("d", "2024-02-29");
        return r;
    }

    private static Map<String, Object> small(int id, int n) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("n", n);
        return r;
    }

    private static Map<String, Object> late(int id, String name) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("name", name);
        return r;
    }

    @Test
    void theFixedLettersApplyInStreamOrderAndOnlyTheyAreDeleted() throws SQLException {
        MaxwellStream s = shop()
                .begin()
                .insert("shop", "t", PK, t(1, "ok"))
                .insert("shop", "t", PK, t(2, "abcdefgh"))                                  // too long for varchar(5)
                .update("shop", "t", PK, t(2, "abcdefghij"), Map.of("v", "abcdefgh"))      // the same net change: a second letter
                .insert("shop", "t", PK, t(3, "ok3"))
                .insert("shop", "small", PK, small(1, 5))
                .insert("shop", "small", PK, small(2, 70000))                              // out of range for smallint: not fixed
                .insert("shop", "late", PK, late(1, "a"))                                  // no such table yet
                .insert("shop", "late", PK, late(2, "b"))
                .commit()
                .begin()
                .update("shop", "late", PK, late(1, "a2"), Map.of("name", "a"))
                .delete("shop", "late", PK, late(2, "b"))
                .update("shop", "t", PK, t(3, "ok3b"), Map.of("v", "ok3"))
                .commit();
        List<Scenarios.Record> records = s.records();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", records, 1);
            assertThat(rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("1|ok|2024-02-29", "3|ok3b|2024-02-29");
            assertThat(rows("SELECT id, n FROM shop.small ORDER BY id")).containsExactly("1|5");
            // records: 0 database, 1 t, 2 small, then the first transaction (3..10), then the second (11..13)
            assertThat(rows("SELECT \"offset\", key, sqlstate FROM greenwell.dead_letter ORDER BY \"offset\"")).containsExactly(
                    records.get(4).offset() + "|id=2|22001", records.get(5).offset() + "|id=2|22001",
                    records.get(8).offset() + "|id=2|22003", records.get(9).offset() + "|id=1|42P01",
                    records.get(10).offset() + "|id=2|42P01", records.get(11).offset() + "|id=1|42P01",
                    records.get(12).offset() + "|id=2|42P01");
            List<String> checkpoints = rows(CHECKPOINTS);

            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("ALTER TABLE shop.t ALTER COLUMN v TYPE varchar(20)");
                st.execute("CREATE TABLE shop.late (id integer PRIMARY KEY, name text)");
            }
            Timestamp before = failedAt("WHERE \"offset\" = " + records.get(8).offset());
            // the same target: its catalog and staging tables must follow the tables changed outside
            assertThat(target.retryDeadLetters("p")).isEqualTo(new GreenplumTarget.RetryResult(7, 6, 1));

            assertThat(rows("SELECT id, v, d FROM shop.t ORDER BY id"))
                    .as("the insert and then the update of id 2, in stream order")
                    .containsExactly("1|ok|2024-02-29", "2|abcdefghij|2024-02-29", "3|ok3b|2024-02-29");
            assertThat(rows("SELECT id, name FROM shop.late ORDER BY id")).as("1 inserted then updated; 2 inserted then deleted")
                    .containsExactly("1|a2");
            assertThat(rows("SELECT id, n FROM shop.small ORDER BY id")).containsExactly("1|5");
            assertThat(rows(LETTERS)).as("only the letter whose cause was not fixed stays")
                    .containsExactly("p|s|" + records.get(8).offset() + "|shop.small|id=2|22003|"
                            + new String(records.get(8).bytes(), StandardCharsets.UTF_8));
            assertThat(rows("SELECT error FROM greenwell.dead_letter")).singleElement().asString().contains("out of range for type smallint");
            assertThat(failedAt("")).as("failed_at is when it failed last").isAfter(before);
            assertThat(rows(CHECKPOINTS)).as("a retry moves no checkpoint").isEqualTo(checkpoints);

            // a second retry: the one letter fails again, nothing else changes
            List<String> tables = rows("SELECT id, v, d FROM shop.t ORDER BY id");
            List<String> letters = rows(LETTERS);
            assertThat(target.retryDeadLetters("p")).isEqualTo(new GreenplumTarget.RetryResult(1, 0, 1));
            assertThat(rows("SELECT id, v, d FROM shop.t ORDER BY id")).isEqualTo(tables);
            assertThat(rows("SELECT id, name FROM shop.late ORDER BY id")).containsExactly("1|a2");
            assertThat(rows("SELECT id, n FROM shop.small ORDER BY id")).containsExactly("1|5");
            assertThat(rows(LETTERS)).isEqualTo(letters);
            assertThat(rows(CHECKPOINTS)).isEqualTo(checkpoints);

            // and the pipeline goes on as before
            MaxwellStream more = new MaxwellStream().insert("shop", "late", PK, late(3, "c"));
            Scenarios.replay(target, "p", "s2", more.records(), 1);
            assertThat(rows("SELECT id, name FROM shop.late ORDER BY id")).containsExactly("1|a2", "3|c");
        }
    }

    @Test
    void aRetryOfNothingIsANoOp() throws SQLException {
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            assertThat(target.retryDeadLetters(null)).isEqualTo(new GreenplumTarget.RetryResult(0, 0, 0));
            assertThat(rows("SELECT nspname, 1 FROM pg_catalog.pg_namespace WHERE nspname = 'greenwell'"))
                    .as("no dead_letter table: nothing is created").isEmpty();

            MaxwellStream s = shop().insert("shop", "t", PK, t(1, "ok"));
            Scenarios.replay(target, "p", "s", s.records(), 1);
            List<String> checkpoints = rows(CHECKPOINTS);
            assertThat(target.retryDeadLetters("p")).isEqualTo(new GreenplumTarget.RetryResult(0, 0, 0));
            assertThat(rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("1|ok|2024-02-29");
            assertThat(rows(LETTERS)).isEmpty();
            assertThat(rows(CHECKPOINTS)).isEqualTo(checkpoints);
        }
    }

    @Test
    void onlyTheNamedPipelinesLettersAreRetriedAndLettersThatCannotBeAppliedStayAsTheyWere() throws SQLException {
        MaxwellStream s = shop();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", s.records(), 1);
            byte[] ddl = s.line(1);
            byte[] forP = new MaxwellStream().insert("shop", "t", PK, t(8, "p8")).line(0);
            byte[] forQ = new MaxwellStream().insert("shop", "t", PK, t(9, "q9")).line(0);
            byte[] noKey = new MaxwellStream().insert("shop", "t", PK, t(7, "x")).line(0);
            String noKeyText = new String(noKey, StandardCharsets.UTF_8).replace("\"id\":7", "\"id\":null");
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO greenwell.dead_letter"
                    + " (pipeline, stream, \"offset\", raw_record, table_name, key, error, sqlstate, failed_at)"
                    + " VALUES (?, 's', ?, ?, 'shop.t', NULL, ?, NULL, '2020-01-01 00:00:00+00')")) {
                Object[][] letters = {
                    {"p", 10L, "{\"database\":\"shop\",".getBytes(StandardCharsets.UTF_8), "bad JSON"},
                    {"p", 11L, ddl, "a DDL record"},
                    {"p", 12L, null, "no raw record kept"},
                    {"p", 13L, noKeyText.getBytes(StandardCharsets.UTF_8), "a NULL key"},
                    {"q", 14L, forQ, "q's"},
                    {"p", 15L, forP, "p's"},
                };
                for (Object[] l : letters) {
                    ps.setString(1, (String) l[0]);
                    ps.setLong(2, (Long) l[1]);
                    ps.setBytes(3, (byte[]) l[2]);
                    ps.setString(4, (String) l[3]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            String all = "SELECT pipeline, \"offset\", error, sqlstate, failed_at FROM greenwell.dead_letter ORDER BY pipeline, \"offset\"";
            List<String> before = rows(all);

            assertThat(target.retryDeadLetters("p")).isEqualTo(new GreenplumTarget.RetryResult(5, 1, 4));
            assertThat(rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("8|p8|2024-02-29");
            List<String> after = rows(all);
            assertThat(after.subList(0, 3)).as("the undecodable, DDL and raw-less letters are untouched").isEqualTo(before.subList(0, 3));
            assertThat(after.get(4)).as("q's letter is untouched").isEqualTo(before.get(5));
            assertThat(after).as("p's letter applied and went").hasSize(5);
            // the NULL key is refused again: the same letter with the new error and time
            String[] refused = after.get(3).split("\\|", -1);
            assertThat(refused[0] + "|" + refused[1]).isEqualTo("p|13");
            assertThat(refused[2]).as("the new error").contains("NULL").isNotEqualTo("a NULL key");
            assertThat(refused[4]).as("failed again now").doesNotStartWith("2020-01-01");

            assertThat(target.retryDeadLetters(null)).isEqualTo(new GreenplumTarget.RetryResult(5, 1, 4));
            assertThat(rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("8|p8|2024-02-29", "9|q9|2024-02-29");
            assertThat(rows("SELECT pipeline, \"offset\" FROM greenwell.dead_letter ORDER BY pipeline, \"offset\""))
                    .containsExactly("p|10", "p|11", "p|12", "p|13");
        }
    }

    /** shop.bag has no key: an update of it is a delete of one copy and an insert, which bisection may split. */
    private static MaxwellStream bag() {
        return new MaxwellStream().createDatabase("shop").createTable("shop", "bag",
                List.of(new MaxwellStream.Col("x", "int"), new MaxwellStream.Col("v", "varchar")), List.of(),
                "CREATE TABLE bag (x int, v varchar(5))");
    }

    private static Map<String, Object> bagRow(int x, String v) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("x", x);
        r.put("v", v);
        return r;
    }

    @Test
    void aHalfAppliedUpdateOfATableWithoutAKeyIsLeftAlone() throws SQLException {
        MaxwellStream s = bag()
                .insert("shop", "bag", List.of(), bagRow(1, "a"))
                .insert("shop", "bag", List.of(), bagRow(1, "a"))
                .update("shop", "bag", List.of(), bagRow(1, "much too long"), Map.of("v", "a"));
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", s.records(), Integer.MAX_VALUE);
            List<String> state = rows("SELECT x, v FROM shop.bag ORDER BY x, v");
            List<String> letters = rows(LETTERS);
            assertThat(letters).hasSize(1);
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("ALTER TABLE shop.bag ALTER COLUMN v TYPE varchar(20)");
            }
            // applied again, the update would delete a second copy of (1, a)
            assertThat(target.retryDeadLetters("p")).isEqualTo(new GreenplumTarget.RetryResult(1, 0, 1));
            assertThat(rows("SELECT x, v FROM shop.bag ORDER BY x, v")).isEqualTo(state);
            assertThat(rows(LETTERS)).isEqualTo(letters);
        }
    }

    @Test
    void lettersOfTheSameEventApplyOnceAndAllGo() throws SQLException {
        MaxwellStream s = bag();
        byte[] insert = new MaxwellStream().insert("shop", "bag", List.of(), bagRow(2, "b")).line(0);
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", s.records(), 1);
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO greenwell.dead_letter"
                    + " (pipeline, stream, \"offset\", raw_record, table_name, key, error, sqlstate, failed_at)"
                    + " VALUES ('p', 's', 40, ?, 'shop.bag', NULL, 'refused', NULL, now())")) {
                // the same event dead-lettered twice: its stream was replayed after a checkpoint reset
                for (int i = 0; i < 2; i++) {
                    ps.setBytes(1, insert);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            assertThat(target.retryDeadLetters("p")).isEqualTo(new GreenplumTarget.RetryResult(2, 2, 0));
            assertThat(rows("SELECT x, v FROM shop.bag ORDER BY x, v")).containsExactly("2|b");
            assertThat(rows(LETTERS)).isEmpty();
        }
    }

    /** The limitation the README states: a letter's image comes back over what later events wrote. */
    @Test
    void aRetryAppliesTheLettersImagesAsTheyWereEvenOverLaterChanges() throws SQLException {
        MaxwellStream s = shop()
                .insert("shop", "t", PK, t(5, "longvalue"))                                // refused: too long
                .update("shop", "t", PK, t(5, "short"), Map.of("v", "longvalue"));         // a full image: applies
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", s.records(), 1);
            assertThat(rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("5|short|2024-02-29");
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("ALTER TABLE shop.t ALTER COLUMN v TYPE varchar(20)");
            }
            assertThat(target.retryDeadLetters("p")).isEqualTo(new GreenplumTarget.RetryResult(1, 1, 0));
            assertThat(rows("SELECT id, v, d FROM shop.t ORDER BY id")).containsExactly("5|longvalue|2024-02-29");
        }
    }

    private static Timestamp failedAt(String where) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT failed_at FROM greenwell.dead_letter " + where)) {
            assertThat(rs.next()).isTrue();
            return rs.getTimestamp(1);
        }
    }

    private static List<String> rows(String query) throws SQLException {
        return db.rows(query);
    }
}
