package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.MaxwellStream;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.math.BigDecimal;
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
import java.util.TreeMap;

/**
 * A seeded Maxwell stream over databases that each hold three tables: {@code accounts} (an int key
 * that updates sometimes change), {@code pairs} (a composite key) and {@code log} (no key), in
 * transactions of 1 to 8 rows within one database, with Maxwell's replays of the last few
 * transactions every few thousand events, byte for byte. It keeps the state a correct replay
 * reaches (every event applied once) and the database and table of every line, for partitioning.
 */
final class Workload {

    static final List<String> TABLES = List.of("accounts", "pairs", "log");
    private static final List<String> ID = List.of("id");
    private static final List<String> AB = List.of("a", "b");
    private static final List<String> NONE = List.of();
    private static final String[] OWNERS = {"ann", "bob", "Zoë", "坂本", "o'brien", "tab\tname", ""};
    private static final String[] KINDS = {"open", "close", "move", "ping", "nul"};

    /** One database's expected tables. */
    private static final class Model {
        final Map<Integer, Map<String, Object>> accounts = new HashMap<>();
        final Map<List<Integer>, Integer> pairs = new HashMap<>();
        final Map<List<Object>, Integer> log = new HashMap<>();
    }

    private final Random rnd;
    private final List<String> databases;
    private final Map<String, Model> models = new LinkedHashMap<>();
    private final MaxwellStream s = new MaxwellStream();
    private final List<String[]> origin = new ArrayList<>();

    Workload(long seed, List<String> databases, boolean ddl, int events) {
        this.rnd = new Random(seed);
        this.databases = List.copyOf(databases);
        for (String db : databases) {
            models.put(db, new Model());
            if (ddl) {
                mark(db, null, () -> s.createDatabase(db));
                mark(db, "accounts", () -> s.createTable(db, "accounts", List.of(new MaxwellStream.Col("id", "int"),
                        new MaxwellStream.Col("owner", "varchar"), new MaxwellStream.Col("balance", "decimal"),
                        new MaxwellStream.Col("updated", "datetime")), ID,
                        "CREATE TABLE accounts (id int NOT NULL, owner varchar(30), balance decimal(12,2), updated datetime, PRIMARY KEY (id))"));
                mark(db, "pairs", () -> s.createTable(db, "pairs", List.of(new MaxwellStream.Col("a", "int"), new MaxwellStream.Col("b", "int"),
                        new MaxwellStream.Col("v", "int")), AB, "CREATE TABLE pairs (a int, b int, v int, PRIMARY KEY (a, b))"));
                mark(db, "log", () -> s.createTable(db, "log", List.of(new MaxwellStream.Col("kind", "varchar"), new MaxwellStream.Col("n", "int")),
                        NONE, "CREATE TABLE log (kind varchar(10), n int)"));
            }
        }
        generate(events);
    }

    MaxwellStream stream() {
        return s;
    }

    /** @return the database and table (null for database DDL) of line i */
    String[] origin(int i) {
        return origin.get(i);
    }

    /** Creates the tables beforehand, for a stream without DDL. */
    void createTables(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String db : databases) {
                st.execute("CREATE SCHEMA " + db);
                st.execute("CREATE TABLE " + db + ".accounts (id integer PRIMARY KEY, owner varchar(30), balance numeric(12,2), updated timestamp(0))");
                st.execute("CREATE TABLE " + db + ".pairs (a integer, b integer, v integer, PRIMARY KEY (a, b))");
                st.execute("CREATE TABLE " + db + ".log (kind varchar(10), n integer)");
            }
        }
    }

    void dropSchemas(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String db : databases) {
                st.execute("DROP SCHEMA IF EXISTS " + db + " CASCADE");
            }
            st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
        }
    }

    /** Every table holds exactly what applying each event once gives. */
    void assertState(TestDatabase db) throws SQLException {
        for (Map.Entry<String, Model> e : models.entrySet()) {
            String d = e.getKey();
            Model m = e.getValue();
            Map<String, Integer> accounts = new TreeMap<>();
            m.accounts.values().forEach(r -> accounts.merge(r.get("id") + "|" + r.get("owner") + "|" + r.get("balance") + "|" + r.get("updated"), 1,
                    Integer::sum));
            Map<String, Integer> pairs = new TreeMap<>();
            m.pairs.forEach((k, v) -> pairs.merge(k.get(0) + "|" + k.get(1) + "|" + v, 1, Integer::sum));
            Map<String, Integer> log = new TreeMap<>();
            m.log.forEach((k, n) -> log.put(k.get(0) + "|" + k.get(1), n));
            assertThat(dump(db, "SELECT id, owner, balance, to_char(updated, 'YYYY-MM-DD HH24:MI:SS') FROM " + d + ".accounts"))
                    .as(d + ".accounts").isEqualTo(accounts);
            assertThat(dump(db, "SELECT a, b, v FROM " + d + ".pairs")).as(d + ".pairs").isEqualTo(pairs);
            assertThat(dump(db, "SELECT kind, n FROM " + d + ".log")).as(d + ".log").isEqualTo(log);
        }
    }

    private void mark(String db, String table, Runnable append) {
        int before = s.size();
        append.run();
        for (int i = before; i < s.size(); i++) {
            origin.add(new String[] {db, table});
        }
    }

    private void generate(int events) {
        List<Integer> txStarts = new ArrayList<>();
        int n = 0;
        int nextReplay = 3000;
        while (n < events) {
            String db = databases.get(rnd.nextInt(databases.size()));
            Model m = models.get(db);
            txStarts.add(s.size());
            s.begin();
            int size = 1 + rnd.nextInt(8);
            for (int i = 0; i < size; i++) {
                int pick = rnd.nextInt(10);
                if (pick < 5) {
                    account(db, m);
                } else if (pick < 8) {
                    pair(db, m);
                } else {
                    log(db, m);
                }
            }
            int before = s.size();
            s.commit();
            // commit() writes the transaction's rows; some events may have been no-ops and wrote nothing
            int written = s.size() - before;
            List<String> rowTables = lastTables(before, written);
            for (int i = 0; i < written; i++) {
                origin.add(new String[] {db, rowTables.get(i)});
            }
            n += size;
            if (n >= nextReplay && txStarts.size() > 6) {
                nextReplay += 2000 + rnd.nextInt(3000);
                int from = txStarts.get(txStarts.size() - 1 - rnd.nextInt(5));
                int to = s.size();
                for (int i = from; i < to; i++) {
                    s.raw(s.line(i));
                    origin.add(origin.get(i));
                    n++;
                }
            }
        }
    }

    /** The table of each row written by the last commit, read back from the lines. */
    private List<String> lastTables(int from, int count) {
        List<String> out = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            String line = new String(s.line(i), java.nio.charset.StandardCharsets.UTF_8);
            int at = line.indexOf("\"table\":\"") + 9;
            out.add(line.substring(at, line.indexOf('"', at)));
        }
        return out;
    }

    private Map<String, Object> account(int id) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("owner", rnd.nextInt(8) == 0 ? null : OWNERS[rnd.nextInt(OWNERS.length)]);
        r.put("balance", BigDecimal.valueOf(rnd.nextInt(2_000_000) - 1_000_000, 2));
        r.put("updated", String.format("2024-%02d-%02d %02d:%02d:00", 1 + rnd.nextInt(12), 1 + rnd.nextInt(28), rnd.nextInt(24), rnd.nextInt(60)));
        return r;
    }

    private void account(String db, Model m) {
        int id = 1 + rnd.nextInt(5000);
        Map<String, Object> cur = m.accounts.get(id);
        if (cur == null) {
            Map<String, Object> r = account(id);
            m.accounts.put(id, r);
            s.insert(db, "accounts", ID, r);
        } else if (rnd.nextInt(5) == 0) {
            m.accounts.remove(id);
            s.delete(db, "accounts", ID, cur);
        } else {
            Map<String, Object> next = account(id);
            Map<String, Object> old = new LinkedHashMap<>();
            if (rnd.nextInt(10) == 0) {
                int to = 1 + rnd.nextInt(5000);
                if (!m.accounts.containsKey(to)) {
                    next.put("id", to);
                    old.put("id", id);
                }
            }
            for (String c : List.of("owner", "balance", "updated")) {
                if (!Objects.equals(String.valueOf(cur.get(c)), String.valueOf(next.get(c)))) {
                    old.put(c, cur.get(c));
                }
            }
            if (old.isEmpty()) {
                return;
            }
            m.accounts.remove(id);
            m.accounts.put((Integer) next.get("id"), next);
            s.update(db, "accounts", ID, next, old);
        }
    }

    private void pair(String db, Model m) {
        List<Integer> k = List.of(1 + rnd.nextInt(60), 1 + rnd.nextInt(60));
        Integer cur = m.pairs.get(k);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("a", k.get(0));
        r.put("b", k.get(1));
        if (cur == null) {
            int v = rnd.nextInt(100);
            r.put("v", v);
            m.pairs.put(k, v);
            s.insert(db, "pairs", AB, r);
        } else if (rnd.nextInt(3) == 0) {
            r.put("v", cur);
            m.pairs.remove(k);
            s.delete(db, "pairs", AB, r);
        } else {
            int v = cur + 1;
            r.put("v", v);
            m.pairs.put(k, v);
            s.update(db, "pairs", AB, r, Map.of("v", cur));
        }
    }

    private void log(String db, Model m) {
        if (m.log.isEmpty() || rnd.nextInt(3) > 0) {
            List<Object> img = List.of(KINDS[rnd.nextInt(KINDS.length)], rnd.nextInt(4));
            m.log.merge(img, 1, Integer::sum);
            s.insert(db, "log", NONE, row(img));
            return;
        }
        List<List<Object>> images = new ArrayList<>(m.log.keySet());
        images.sort((x, y) -> x.toString().compareTo(y.toString()));
        List<Object> img = images.get(rnd.nextInt(images.size()));
        m.log.merge(img, -1, Integer::sum);
        m.log.remove(img, 0);
        if (rnd.nextBoolean()) {
            s.delete(db, "log", NONE, row(img));
        } else {
            List<Object> next = List.of(img.get(0), (Integer) img.get(1) + 10);
            m.log.merge(next, 1, Integer::sum);
            s.update(db, "log", NONE, row(next), Map.of("n", img.get(1)));
        }
    }

    private static Map<String, Object> row(List<Object> img) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", img.get(0));
        r.put("n", img.get(1));
        return r;
    }

    static Map<String, Integer> dump(TestDatabase db, String query) throws SQLException {
        Map<String, Integer> out = new TreeMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.merge(sb.toString(), 1, Integer::sum);
            }
        }
        return out;
    }
}
