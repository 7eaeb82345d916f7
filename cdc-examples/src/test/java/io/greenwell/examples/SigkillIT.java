package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.MaxwellStream;
import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exactly-once effect under SIGKILL: a seeded stream of 200,000 Maxwell events (inserts,
 * updates with key changes, deletes, transactions of several rows, a table with a composite key,
 * one without a key, and replays of earlier transactions as Maxwell re-sends them after its own
 * restart) is replayed by {@code greenwell replay} in a child JVM that is killed with SIGKILL at
 * random moments, at least five times, each time after it committed something, and restarted.
 * The final tables must equal the state of applying every event once. Once with the DDL in the
 * stream, once into tables created beforehand with no DDL in the stream.
 */
class SigkillIT {

    private static final int EVENTS = 200_000;
    private static final int KILLS = 5;
    private static final String DB = "kill";
    private static final List<String> ID = List.of("id");
    private static final List<String> AB = List.of("a", "b");
    private static final List<String> NONE = List.of();
    private static final String[] OWNERS = {"ann", "bob", "Zoë", "坂本", "o'brien", "tab\tname", ""};
    private static final String[] KINDS = {"open", "close", "move", "ping", "nul"};

    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("sigkill");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    /** The state a correct replay reaches: every event applied once, replays ignored. */
    static final class Model {
        final Map<Integer, Map<String, Object>> accounts = new HashMap<>();
        final Map<List<Integer>, Integer> pairs = new HashMap<>();
        final Map<List<Object>, Integer> log = new HashMap<>();
    }

    @ParameterizedTest(name = "DDL in the stream: {0}")
    @ValueSource(booleans = {true, false})
    void killedAndRestartedItAppliesEveryEventExactlyOnce(boolean ddl) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + DB + " CASCADE");
            st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
            if (!ddl) {
                st.execute("CREATE SCHEMA " + DB);
                st.execute("CREATE TABLE kill.accounts (id integer PRIMARY KEY, owner varchar(30), balance numeric(12,2), updated timestamp(0))");
                st.execute("CREATE TABLE kill.pairs (a integer, b integer, v integer, PRIMARY KEY (a, b))");
                st.execute("CREATE TABLE kill.log (kind varchar(10), n integer)");
            }
        }
        Model model = new Model();
        MaxwellStream s = generate(new Random(ddl ? 42 : 43), model, ddl);
        Path input = dir.resolve("stream.jsonl");
        List<Scenarios.Record> records = s.records();
        try (var out = Files.newOutputStream(input)) {
            for (Scenarios.Record r : records) {
                out.write(r.bytes());
                out.write('\n');
            }
        }
        Random rnd = new Random(7);
        int kills = 0;
        int runs = 0;
        long lastOffset = -1;
        while (true) {
            runs++;
            Process p = start(input, runs);
            boolean killed = false;
            if (kills < KILLS) {
                // wait until this run has committed something, then a random moment more, then SIGKILL
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (p.isAlive() && checkpointOffset() <= lastOffset && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Thread.sleep(rnd.nextInt(400));
                if (p.isAlive()) {
                    p.destroyForcibly();
                    killed = true;
                    kills++;
                }
            }
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("run %d ends", runs).isTrue();
            if (!killed) {
                assertThat(p.exitValue()).as("run %d: %s", runs, Files.readString(dir.resolve("err-" + runs + ".txt"))).isZero();
                String out = Files.readString(dir.resolve("out-" + runs + ".txt")).strip();
                ReplayCommandIT.counts(out.substring(out.lastIndexOf('\n') + 1));
                break;
            }
            long now = checkpointOffset();
            assertThat(now).as("run %d made progress before it was killed", runs).isGreaterThan(lastOffset);
            lastOffset = now;
            assertThat(runs).as("the stream is applied within a bounded number of runs").isLessThan(60);
        }
        System.out.printf("DDL %s: %d records, %d runs, %d killed with SIGKILL%n", ddl, records.size(), runs, kills);
        assertThat(kills).isGreaterThanOrEqualTo(KILLS);
        assertThat(checkpointOffset()).isEqualTo(records.get(records.size() - 1).offset());
        assertState(model);
    }

    private Process start(Path input, int run) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), Greenwell.class.getName(),
                "replay", "--input", input.toString(), "--jdbc-url", db.url(), "--batch-events", "2000", "--pipeline", "sigkill", "--quiet");
        pb.redirectOutput(dir.resolve("out-" + run + ".txt").toFile());
        pb.redirectError(dir.resolve("err-" + run + ".txt").toFile());
        return pb.start();
    }

    private static long checkpointOffset() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(max(\"offset\"), -1) FROM pg_catalog.pg_tables t"
                        + " LEFT JOIN greenwell.checkpoint k ON k.pipeline = 'sigkill' WHERE t.schemaname = 'greenwell' AND t.tablename = 'checkpoint'")) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return -1;
            }
            throw e;
        }
    }

    private static MaxwellStream generate(Random rnd, Model m, boolean ddl) {
        MaxwellStream s = new MaxwellStream();
        if (ddl) {
            s.createDatabase(DB);
            s.createTable(DB, "accounts", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("owner", "varchar"),
                    new MaxwellStream.Col("balance", "decimal"), new MaxwellStream.Col("updated", "datetime")), ID,
                    "CREATE TABLE accounts (id int NOT NULL, owner varchar(30), balance decimal(12,2), updated datetime, PRIMARY KEY (id))");
            s.createTable(DB, "pairs", List.of(new MaxwellStream.Col("a", "int"), new MaxwellStream.Col("b", "int"),
                    new MaxwellStream.Col("v", "int")), AB, "CREATE TABLE pairs (a int, b int, v int, PRIMARY KEY (a, b))");
            s.createTable(DB, "log", List.of(new MaxwellStream.Col("kind", "varchar"), new MaxwellStream.Col("n", "int")), NONE,
                    "CREATE TABLE log (kind varchar(10), n int)");
        }
        List<Integer> txStarts = new ArrayList<>();
        int events = 0;
        int nextReplay = 3000;
        while (events < EVENTS) {
            txStarts.add(s.size());
            s.begin();
            int size = 1 + rnd.nextInt(8);
            for (int i = 0; i < size; i++) {
                int pick = rnd.nextInt(10);
                if (pick < 5) {
                    account(rnd, m, s);
                } else if (pick < 8) {
                    pair(rnd, m, s);
                } else {
                    log(rnd, m, s);
                }
            }
            s.commit();
            events += size;
            if (events >= nextReplay && txStarts.size() > 6) {
                // Maxwell restarted: it sends the last few transactions again, byte for byte
                nextReplay += 2000 + rnd.nextInt(3000);
                int from = txStarts.get(txStarts.size() - 1 - rnd.nextInt(5));
                int to = s.size();
                List<byte[]> again = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    again.add(s.line(i));
                }
                for (byte[] line : again) {
                    s.raw(line);
                    events++;
                }
            }
        }
        return s;
    }

    private static Map<String, Object> account(int id, Random rnd) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("owner", rnd.nextInt(8) == 0 ? null : OWNERS[rnd.nextInt(OWNERS.length)]);
        r.put("balance", BigDecimal.valueOf(rnd.nextInt(2_000_000) - 1_000_000, 2));
        r.put("updated", String.format("2024-%02d-%02d %02d:%02d:00", 1 + rnd.nextInt(12), 1 + rnd.nextInt(28), rnd.nextInt(24), rnd.nextInt(60)));
        return r;
    }

    private static void account(Random rnd, Model m, MaxwellStream s) {
        int id = 1 + rnd.nextInt(5000);
        Map<String, Object> cur = m.accounts.get(id);
        if (cur == null) {
            Map<String, Object> r = account(id, rnd);
            m.accounts.put(id, r);
            s.insert(DB, "accounts", ID, r);
        } else if (rnd.nextInt(5) == 0) {
            m.accounts.remove(id);
            s.delete(DB, "accounts", ID, cur);
        } else {
            Map<String, Object> next = account(id, rnd);
            Map<String, Object> old = new LinkedHashMap<>();
            if (rnd.nextInt(10) == 0) {
                int to = 1 + rnd.nextInt(5000);
                if (!m.accounts.containsKey(to)) {
                    next.put("id", to);
                    old.put("id", id);
                }
            }
            for (String c : List.of("owner", "balance", "updated")) {
                if (!java.util.Objects.equals(String.valueOf(cur.get(c)), String.valueOf(next.get(c)))) {
                    old.put(c, cur.get(c));
                }
            }
            if (old.isEmpty()) {
                return;
            }
            m.accounts.remove(id);
            m.accounts.put((Integer) next.get("id"), next);
            s.update(DB, "accounts", ID, next, old);
        }
    }

    private static void pair(Random rnd, Model m, MaxwellStream s) {
        List<Integer> k = List.of(1 + rnd.nextInt(60), 1 + rnd.nextInt(60));
        Integer cur = m.pairs.get(k);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("a", k.get(0));
        r.put("b", k.get(1));
        if (cur == null) {
            int v = rnd.nextInt(100);
            r.put("v", v);
            m.pairs.put(k, v);
            s.insert(DB, "pairs", AB, r);
        } else if (rnd.nextInt(3) == 0) {
            r.put("v", cur);
            m.pairs.remove(k);
            s.delete(DB, "pairs", AB, r);
        } else {
            int v = cur + 1;
            r.put("v", v);
            m.pairs.put(k, v);
            s.update(DB, "pairs", AB, r, Map.of("v", cur));
        }
    }

    private static void log(Random rnd, Model m, MaxwellStream s) {
        if (m.log.isEmpty() || rnd.nextInt(3) > 0) {
            List<Object> img = List.of(KINDS[rnd.nextInt(KINDS.length)], rnd.nextInt(4));
            m.log.merge(img, 1, Integer::sum);
            s.insert(DB, "log", NONE, row(img));
            return;
        }
        List<List<Object>> images = new ArrayList<>(m.log.keySet());
        images.sort((x, y) -> x.toString().compareTo(y.toString()));
        List<Object> img = images.get(rnd.nextInt(images.size()));
        m.log.merge(img, -1, Integer::sum);
        m.log.remove(img, 0);
        if (rnd.nextBoolean()) {
            s.delete(DB, "log", NONE, row(img));
        } else {
            List<Object> next = List.of(img.get(0), (Integer) img.get(1) + 10);
            m.log.merge(next, 1, Integer::sum);
            s.update(DB, "log", NONE, row(next), Map.of("n", img.get(1)));
        }
    }

    private static Map<String, Object> row(List<Object> img) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", img.get(0));
        r.put("n", img.get(1));
        return r;
    }

    private static void assertState(Model m) throws SQLException {
        Map<String, Integer> accounts = new TreeMap<>();
        m.accounts.values().forEach(r -> accounts.merge(r.get("id") + "|" + r.get("owner") + "|" + r.get("balance") + "|" + r.get("updated"), 1,
                Integer::sum));
        Map<String, Integer> pairs = new TreeMap<>();
        m.pairs.forEach((k, v) -> pairs.merge(k.get(0) + "|" + k.get(1) + "|" + v, 1, Integer::sum));
        Map<String, Integer> log = new TreeMap<>();
        m.log.forEach((k, n) -> log.put(k.get(0) + "|" + k.get(1), n));
        assertThat(dump("SELECT id, owner, balance, to_char(updated, 'YYYY-MM-DD HH24:MI:SS') FROM kill.accounts")).isEqualTo(accounts);
        assertThat(dump("SELECT a, b, v FROM kill.pairs")).isEqualTo(pairs);
        assertThat(dump("SELECT kind, n FROM kill.log")).isEqualTo(log);
    }

    private static Map<String, Integer> dump(String query) throws SQLException {
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
