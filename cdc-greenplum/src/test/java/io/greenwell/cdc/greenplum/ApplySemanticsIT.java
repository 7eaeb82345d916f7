package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random Maxwell streams against a one-event-at-a-time reference replay: a keyed table with key
 * changes, partial (MINIMAL) images, NULLs and awkward text, and a table without a key with
 * duplicate rows. Compacted at several batch sizes and applied to a real PostgreSQL, the tables
 * must hold exactly the reference state: this exercises every kind of net change (upserts,
 * deletes, partial updates, moves, keyless deltas) through COPY and the set-based statements.
 */
public class ApplySemanticsIT {

    public static final String DB = "rnd";
    public static final List<String> KEYED_COLS = List.of("id", "a", "b", "c");
    static final List<String> BAG_COLS = List.of("x", "y", "z");
    private static final List<String> PK = List.of("id");
    private static final String[] TEXTS = {"plain", "tab\there", "new\nline", "back\\slash", "quote'\"", "坂本龍一", "\uD83D\uDE00", ""};
    private static final String[] DECIMALS = {"12.50", "0.00", "-1.25", "99999999.99"};
    private static final String[] DOUBLES = {"0.5", "1.0E-4", "-2.0"};

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("semantics");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    static List<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        for (long seed = 1; seed <= 6; seed++) {
            for (int batch : new int[] {1, 3, 40, Integer.MAX_VALUE}) {
                out.add(new Object[] {seed, batch});
            }
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}, batches of {1}")
    @MethodSource("cases")
    void compactedBatchesGiveTheReplayState(long seed, int batchEvents) throws SQLException {
        Model model = new Model();
        MaxwellStream stream = generate(new Random(seed), model, 400);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + DB + " CASCADE");
            st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
        }
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", stream.records(), batchEvents);
        }
        try (Connection c = db.connect()) {
            assertThat(sorted(rows(c, "keyed", KEYED_COLS))).as("keyed table").isEqualTo(sorted(model.keyedRows()));
            assertThat(sorted(rows(c, "bag", BAG_COLS))).as("keyless table").isEqualTo(sorted(model.bag));
        }
    }

    /** The reference: applies each event on its own, by the rules of the test data README. */
    public static final class Model {
        final Map<Integer, Map<String, Object>> keyed = new LinkedHashMap<>();
        public final List<List<String>> bag = new ArrayList<>();

        public List<List<String>> keyedRows() {
            List<List<String>> out = new ArrayList<>();
            keyed.values().forEach(r -> out.add(canon(r, KEYED_COLS)));
            return out;
        }
    }

    public static MaxwellStream generate(Random rnd, Model m, int events) {
        return generate(rnd, m, events, true);
    }

    /** @param minimalDeletes whether deletes may carry only the key (a MINIMAL image), as about half of them then do */
    static MaxwellStream generate(Random rnd, Model m, int events, boolean minimalDeletes) {
        MaxwellStream s = new MaxwellStream().createDatabase(DB);
        s.createTable(DB, "keyed", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("a", "int"),
                new MaxwellStream.Col("b", "varchar"), new MaxwellStream.Col("c", "decimal")), PK,
                "CREATE TABLE keyed (id int NOT NULL, a int, b varchar(20), c decimal(10,2), PRIMARY KEY (id))");
        s.createTable(DB, "bag", List.of(new MaxwellStream.Col("x", "int"), new MaxwellStream.Col("y", "varchar"),
                new MaxwellStream.Col("z", "double")), List.of(), "CREATE TABLE bag (x int, y varchar(10), z double)");
        int n = 0;
        while (n < events) {
            s.begin();
            int size = 1 + rnd.nextInt(5);
            for (int i = 0; i < size; i++, n++) {
                if (rnd.nextInt(3) == 0) {
                    bagEvent(rnd, m, s);
                } else {
                    keyedEvent(rnd, m, s, minimalDeletes);
                }
            }
            s.commit();
        }
        return s;
    }

    private static void keyedEvent(Random rnd, Model m, MaxwellStream s, boolean minimalDeletes) {
        int op = rnd.nextInt(10);
        if (m.keyed.isEmpty() || op < 3) {
            int id = 1 + rnd.nextInt(40);
            if (m.keyed.containsKey(id)) {
                return;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put("a", rnd.nextInt(4) == 0 ? null : rnd.nextInt(1000) - 500);
            row.put("b", rnd.nextInt(5) == 0 ? null : TEXTS[rnd.nextInt(TEXTS.length)]);
            row.put("c", rnd.nextInt(5) == 0 ? null : new java.math.BigDecimal(DECIMALS[rnd.nextInt(DECIMALS.length)]));
            m.keyed.put(id, row);
            s.insert(DB, "keyed", PK, row);
            return;
        }
        List<Integer> ids = new ArrayList<>(m.keyed.keySet());
        int id = ids.get(rnd.nextInt(ids.size()));
        Map<String, Object> row = m.keyed.get(id);
        if (op < 5) {
            Map<String, Object> data = new LinkedHashMap<>(row);
            m.keyed.remove(id);
            s.delete(DB, "keyed", PK, !minimalDeletes || rnd.nextBoolean() ? data : Map.of("id", id));
            return;
        }
        // an update: some columns change, maybe the key; the image is full or partial (MINIMAL)
        Map<String, Object> after = new LinkedHashMap<>(row);
        Map<String, Object> old = new LinkedHashMap<>();
        boolean moveKey = rnd.nextInt(4) == 0;
        int newId = id;
        if (moveKey) {
            newId = 1 + rnd.nextInt(40);
            if (m.keyed.containsKey(newId)) {
                return;
            }
            old.put("id", id);
            after.put("id", newId);
        }
        if (rnd.nextBoolean()) {
            old.put("a", row.get("a"));
            after.put("a", rnd.nextInt(3) == 0 ? null : rnd.nextInt(1000));
        }
        if (rnd.nextBoolean()) {
            old.put("b", row.get("b"));
            after.put("b", rnd.nextInt(4) == 0 ? null : TEXTS[rnd.nextInt(TEXTS.length)]);
        }
        if (old.isEmpty()) {
            old.put("c", row.get("c"));
            after.put("c", new java.math.BigDecimal(DECIMALS[rnd.nextInt(DECIMALS.length)]));
        }
        boolean partial = rnd.nextInt(3) == 0;
        Map<String, Object> data;
        if (partial) {
            data = new LinkedHashMap<>();
            data.put("id", newId);
            for (String k : old.keySet()) {
                data.put(k, after.get(k));
            }
        } else {
            data = after;
        }
        m.keyed.remove(id);
        m.keyed.put(newId, after);
        s.update(DB, "keyed", PK, data, old);
    }

    private static void bagEvent(Random rnd, Model m, MaxwellStream s) {
        int op = rnd.nextInt(10);
        if (m.bag.isEmpty() || op < 5) {
            Map<String, Object> row = bagRow(rnd);
            m.bag.add(canon(row, BAG_COLS));
            s.insert(DB, "bag", List.of(), row);
            return;
        }
        int i = rnd.nextInt(m.bag.size());
        Map<String, Object> before = fromCanon(m.bag.get(i));
        if (op < 8) {
            m.bag.remove(i);
            s.delete(DB, "bag", List.of(), before);
            return;
        }
        Map<String, Object> after = bagRow(rnd);
        Map<String, Object> old = new HashMap<>();
        for (String c : BAG_COLS) {
            if (!Objects.equals(String.valueOf(before.get(c)), String.valueOf(after.get(c)))) {
                old.put(c, before.get(c));
            }
        }
        if (old.isEmpty()) {
            return;
        }
        m.bag.remove(i);
        m.bag.add(canon(after, BAG_COLS));
        s.update(DB, "bag", List.of(), after, old);
    }

    private static Map<String, Object> bagRow(Random rnd) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("x", rnd.nextInt(4) == 0 ? null : rnd.nextInt(3));
        row.put("y", rnd.nextInt(4) == 0 ? null : TEXTS[rnd.nextInt(3)]);
        row.put("z", rnd.nextInt(4) == 0 ? null : Double.valueOf(DOUBLES[rnd.nextInt(DOUBLES.length)]));
        return row;
    }

    private static List<String> canon(Map<String, Object> row, List<String> cols) {
        List<String> out = new ArrayList<>();
        for (String c : cols) {
            Object v = row.get(c);
            out.add(v == null ? null : v instanceof Double ? Double.toString((Double) v) : v.toString());
        }
        return out;
    }

    private static Map<String, Object> fromCanon(List<String> r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("x", r.get(0) == null ? null : Integer.valueOf(r.get(0)));
        row.put("y", r.get(1));
        row.put("z", r.get(2) == null ? null : Double.valueOf(r.get(2)));
        return row;
    }

    static List<List<String>> rows(Connection c, String table, List<String> cols) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + DB + "." + table)) {
            while (rs.next()) {
                List<String> r = new ArrayList<>();
                for (String col : cols) {
                    String v = rs.getString(col);
                    if (v != null && col.equals("z")) {
                        v = Double.toString(Double.parseDouble(v));
                    }
                    r.add(v);
                }
                out.add(r);
            }
        }
        return out;
    }

    public static List<List<String>> sorted(List<List<String>> rows) {
        List<List<String>> out = new ArrayList<>(rows);
        out.sort((p, q) -> String.valueOf(p).compareTo(String.valueOf(q)));
        return out;
    }
}
