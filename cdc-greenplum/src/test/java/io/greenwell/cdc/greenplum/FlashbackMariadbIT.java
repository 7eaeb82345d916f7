package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Flashback scripts on a real MariaDB ({@link TestMariadb}), from the recorded streams
 * {@code music} and {@code types}: every row record becomes an archived event whose
 * {@code data}/{@code old} are the record's own text, as the archive keeps them. The
 * stream runs forward first, rendered by the same code (the forward statement of an event is the
 * flashback of its inverse), and must reach the recorded final state: the literals are exact.
 * Then the flashback of the last N transactions must bring the tables back to the state before
 * them, which a second database reaches by running the stream without them; every statement of
 * both scripts must change exactly one row. The {@code geo} table is left out: the target keeps
 * geometry as WKT text, which flashback writes as a string, not as a geometry.
 */
public class FlashbackMariadbIT {

    /** Forward runs: zero dates allowed, not strict (YEAR 1900 of the stream becomes 0000, see below). */
    private static final String FORWARD_MODE = "NO_ENGINE_SUBSTITUTION";
    /** Flashback runs: the modes that change how literals and quotes read, to show they do not matter. */
    private static final String FLASHBACK_MODE = "NO_BACKSLASH_ESCAPES,ANSI_QUOTES,NO_ENGINE_SUBSTITUTION";
    /** Not UTC, so that the script's own time zone shows. */
    private static final String SESSION_ZONE = "+05:30";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private final List<String> databases = new ArrayList<>();
    private Connection maria;

    @BeforeAll
    static void mariadb() {
        TestMariadb.url(); // aborts here when there is no MariaDB
    }

    @AfterEach
    void dropDatabases() throws SQLException {
        if (maria != null) {
            for (String d : databases) {
                TestMariadb.dropDatabase(maria, d);
            }
            maria.close();
        }
    }

    /** One archived event and the event that undoes it (so that its flashback is the event itself). */
    private record Step(ArchivedEvent event, ArchivedEvent inverse) {}

    @ParameterizedTest(name = "{0}: undo the last {1} transactions (0: all)")
    @CsvSource({"music, 1", "music, 3", "music, 0", "types, 1", "types, 3", "types, 0"})
    void flashbackRestoresTheStateBeforeTheLastTransactions(String scenario, int n) throws SQLException {
        maria = TestMariadb.connect(FORWARD_MODE, SESSION_ZONE);
        List<List<Step>> txs = transactions(scenario);
        int undo = n == 0 ? txs.size() : n;
        String after = database(scenario, "fa");
        String before = database(scenario, "fb");
        Flashback.Columns columns = columns(scenario, after, before);

        runForward(after, txs, columns);
        if (n == 1) {
            List<String> diff = Scenarios.differences(expectedRows(scenario), read(after, scenario, true));
            assertThat(diff).as("the forward run reaches the recorded final state").isEmpty();
        }
        runForward(before, txs.subList(0, txs.size() - undo), columns);

        List<ArchivedEvent> undone = new ArrayList<>();
        List<Integer> expected = new ArrayList<>();
        for (List<Step> tx : txs.subList(txs.size() - undo, txs.size())) {
            for (Step s : tx) {
                undone.add(in(after, s.event()));
                expected.add(0, findsItsRow(s.event()) ? 1 : 0);
            }
        }
        FlashbackScript script = Flashback.render(undone, columns, "the last " + undo + " transactions of " + scenario);
        assertThat(script.statements()).isEqualTo(undone.size());
        assertThat(script.guarded()).isEqualTo((int) undone.stream().filter(e -> e.type().equals("update")).count());
        try (Connection c = TestMariadb.connect(FLASHBACK_MODE, SESSION_ZONE)) {
            check(run(c, script), expected);
        }
        assertThat(Scenarios.differences(read(before, scenario, false), read(after, scenario, false)))
                .as("after the flashback of %d transactions", undo).isEmpty();
    }

    @Test
    void aGuardedUpdateOfARowChangedSinceMatchesNoRowAndLeavesItAlone() throws SQLException {
        maria = TestMariadb.connect(FORWARD_MODE, SESSION_ZONE);
        List<List<Step>> txs = transactions("music");
        String db = database("music", "fg");
        Flashback.Columns columns = columns("music", db);
        runForward(db, txs, columns);
        ArchivedEvent last = in(db, txs.get(txs.size() - 1).get(0).event());
        assertThat(last.type()).isEqualTo("update");
        assertThat(last.old()).startsWith("{\"track_count\":");
        String id = tree(last.data()).path("id").asText();
        String where = " FROM `" + db + "`.`album` WHERE id = '" + id + "'";
        try (Statement st = maria.createStatement()) {
            st.executeUpdate("UPDATE `" + db + "`.`album` SET track_count = 99 WHERE id = '" + id + "'");
        }
        Map<String, List<Map<String, Object>>> changed = read(db, "music", false);

        FlashbackScript script = Flashback.render(List.of(last), columns, "the last update");
        assertThat(script.guarded()).isEqualTo(1);
        try (Connection c = TestMariadb.connect(FLASHBACK_MODE, SESSION_ZONE)) {
            check(run(c, script), List.of(0));
        }
        assertThat(read(db, "music", false)).isEqualTo(changed);
        try (Statement st = maria.createStatement(); ResultSet rs = st.executeQuery("SELECT track_count" + where)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(99);
        }
    }

    /**
     * Maxwell writes YEAR 0000 as 1900 (see the test data's README), which MariaDB stores as 0000:
     * a guard on such a value finds the row changed. Every other statement changes one row.
     */
    private static boolean findsItsRow(ArchivedEvent e) {
        return !(e.type().equals("update") && e.table().equals("zero_dates") && e.old().contains("\"y\"")
                && tree(e.data()).path("y").asInt() == 1900);
    }

    // ---- the stream as archived events ----

    private static List<List<Step>> transactions(String scenario) throws SQLException {
        List<List<Step>> txs = new ArrayList<>();
        BigInteger xid = null;
        for (Scenarios.Record r : Scenarios.records(scenario)) {
            JsonNode n = tree(new String(r.bytes(), StandardCharsets.UTF_8));
            String type = n.path("type").asText();
            if (!(type.equals("insert") || type.equals("update") || type.equals("delete")) || n.path("table").asText().equals("geo")) {
                continue; // the tables are created from the schema file
            }
            BigInteger x = n.get("xid").bigIntegerValue();
            if (!x.equals(xid)) {
                txs.add(new ArrayList<>());
                xid = x;
            }
            RecordScan scan = new RecordScan();
            scan.scan(r.bytes(), 0, r.bytes().length);
            String data = member(r.bytes(), scan, RecordScan.DATA);
            String old = member(r.bytes(), scan, RecordScan.OLD);
            ArchivedEvent e = event(n, r.offset(), type, data, old);
            ArchivedEvent inverse;
            if (type.equals("update")) {
                // the row before (data overlaid with old), and old the values after, as AsOf builds them
                Map<String, String> before = new java.util.LinkedHashMap<>(JsonMembers.of(data));
                Map<String, String> after = new java.util.LinkedHashMap<>();
                JsonMembers.of(old).forEach((k, v) -> {
                    after.put(k, before.getOrDefault(k, "null"));
                    before.put(k, v);
                });
                inverse = event(n, r.offset(), type, JsonMembers.write(before), JsonMembers.write(after));
            } else {
                inverse = event(n, r.offset(), type.equals("insert") ? "delete" : "insert", data, null);
            }
            txs.get(txs.size() - 1).add(new Step(e, inverse));
        }
        return txs;
    }

    private static ArchivedEvent event(JsonNode n, long offset, String type, String data, String old) {
        String position = n.path("position").asText();
        List<String> key = new ArrayList<>();
        n.path("primary_key_columns").forEach(k -> key.add(k.asText()));
        return new ArchivedEvent("flashback-it", "maxwell", offset, Instant.ofEpochSecond(n.get("ts").asLong()),
                n.path("server_id").asLong(), position.substring(0, position.lastIndexOf(':')),
                Long.parseLong(position.substring(position.lastIndexOf(':') + 1)), n.has("xoffset") ? n.get("xoffset").asInt() : null,
                null, n.get("xid").bigIntegerValue(), n.path("commit").asBoolean(), n.get("database").asText(), n.get("table").asText(),
                type, key, data, old, null, null);
    }

    /** The same event in another MariaDB database. */
    private static ArchivedEvent in(String database, ArchivedEvent e) {
        return new ArchivedEvent(e.pipeline(), e.stream(), e.offset(), e.time(), e.serverId(), e.binlogFile(), e.binlogPosition(),
                e.xoffset(), e.gtid(), e.xid(), e.commit(), database, e.table(), e.type(), e.keyColumns(), e.data(), e.old(), e.sql(),
                e.def());
    }

    /** A member of a record as the archive keeps it: its exact text. */
    private static String member(byte[] record, RecordScan scan, int member) {
        return scan.has(record, member) ? new String(record, scan.start[member], scan.end[member] - scan.start[member], StandardCharsets.UTF_8)
                : null;
    }

    // ---- MariaDB ----

    /** A new database holding the scenario's final tables, empty. */
    private String database(String scenario, String prefix) throws SQLException {
        String db = TestMariadb.createDatabase(maria, prefix + "_" + scenario);
        databases.add(db);
        String schema = new String(Scenarios.resource("/testdata/maxwell/" + scenario + ".schema.sql"), StandardCharsets.UTF_8);
        try (Statement st = maria.createStatement()) {
            st.execute("USE `" + db + "`");
            for (String statement : schema.split(";\n")) {
                String s = statement.replaceAll("(?m)^--.*$", "").trim();
                if (!s.isEmpty() && !s.startsWith("CREATE DATABASE")) {
                    st.execute(s);
                }
            }
        }
        return db;
    }

    /** The target's tables as the test data describes them, under each of the given databases. */
    private static Flashback.Columns columns(String scenario, String... databases) {
        Map<String, List<Flashback.Column>> cols = new TreeMap<>();
        Map<String, List<String>> keys = new TreeMap<>();
        for (Scenarios.Record r : Scenarios.lines(Scenarios.resource("/testdata/maxwell/" + scenario + ".columns.jsonl"))) {
            JsonNode n = tree(new String(r.bytes(), StandardCharsets.UTF_8));
            String t = n.get("table").asText();
            cols.computeIfAbsent(t, k -> new ArrayList<>())
                    .add(new Flashback.Column(n.get("name").asText(), TypeMap.catalogForm(n.get("pg_type").asText())));
            if (n.get("column_key").asText().equals("PRI")) {
                keys.computeIfAbsent(t, k -> new ArrayList<>()).add(n.get("name").asText());
            }
        }
        List<String> dbs = List.of(databases);
        return (db, t) -> dbs.contains(db) && cols.containsKey(t) ? new Flashback.Table(cols.get(t), keys.getOrDefault(t, List.of())) : null;
    }

    /** Runs transactions forward: the flashback of their inverses, which must change one row each. */
    private void runForward(String db, List<List<Step>> txs, Flashback.Columns columns) throws SQLException {
        List<ArchivedEvent> inverses = new ArrayList<>();
        for (int i = txs.size() - 1; i >= 0; i--) {
            for (int j = txs.get(i).size() - 1; j >= 0; j--) {
                inverses.add(in(db, txs.get(i).get(j).inverse()));
            }
        }
        List<Result> results = run(maria, Flashback.render(inverses, columns, "forward"));
        List<Integer> one = new ArrayList<>();
        results.forEach(r -> one.add(1));
        check(results, one);
    }

    /**
     * Values of the stream that MariaDB clips back, with a warning, to what it held: the stream's
     * YEAR 0000 is 1900 (see {@link #findsItsRow}); a FLOAT(10,4) that held 999999.9999 holds the
     * float 1000000.0, which the stream carries and which is outside FLOAT(10,4).
     */
    private static final Map<String, String> KNOWN_WARNINGS = Map.of(
            "`zero_dates`", "Out of range value for column 'y' at row 1",
            "`decimals`", "Out of range value for column 'f104' at row 1");

    /** Each statement changed as many rows as expected, with no warning but the known ones. */
    private static void check(List<Result> results, List<Integer> counts) {
        List<Integer> actual = new ArrayList<>();
        for (Result r : results) {
            actual.add(r.count());
            for (String w : r.warnings()) {
                String table = r.statement().replaceAll("^(?:INSERT INTO|UPDATE|DELETE FROM) `(?:[^`]|``)*`\\.(`(?:[^`]|``)*`).*$", "$1");
                assertThat(w).as(r.statement()).isEqualTo(KNOWN_WARNINGS.get(table));
            }
        }
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < Math.min(actual.size(), counts.size()); i++) {
            if (!actual.get(i).equals(counts.get(i))) {
                wrong.add(actual.get(i) + " rows, not " + counts.get(i) + ": " + results.get(i).statement());
            }
        }
        assertThat(wrong).as("statements that changed another number of rows than expected").isEmpty();
        assertThat(actual).isEqualTo(counts);
    }

    /** What one statement of a script did. */
    public record Result(String statement, int count, List<String> warnings) {}

    /** Runs a script statement by statement (one per line), as a client would; also for the binlog source's round trip. */
    public static List<Result> run(Connection c, FlashbackScript script) throws SQLException {
        List<Result> out = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            for (String line : script.sql().split("\n")) {
                if (line.isEmpty() || line.startsWith("-- ")) {
                    continue;
                }
                assertThat(line).endsWith(";");
                st.execute(line.substring(0, line.length() - 1));
                if (line.startsWith("INSERT") || line.startsWith("UPDATE") || line.startsWith("DELETE")) {
                    List<String> warnings = new ArrayList<>();
                    for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                        warnings.add(w.getMessage());
                    }
                    out.add(new Result(line.length() > 300 ? line.substring(0, 300) + "..." : line, st.getUpdateCount(), warnings));
                }
                st.clearWarnings();
            }
        }
        return out;
    }

    // ---- comparing tables ----

    private static Map<String, List<Map<String, Object>>> expectedRows(String scenario) {
        Map<String, List<Map<String, Object>>> rows = Scenarios.expectedRows(scenario);
        rows.remove("types.geo");
        return rows;
    }

    /**
     * Every row of the scenario's tables in a database, by column: in the test data's canonical form
     * when {@code canonical}, else exactly as MariaDB holds them (binary as hex, temporal values as
     * printed), JSON documents parsed either way.
     */
    private Map<String, List<Map<String, Object>>> read(String db, String scenario, boolean canonical) throws SQLException {
        Map<String, List<Map<String, Object>>> out = new TreeMap<>();
        try (Connection c = TestMariadb.connect(FORWARD_MODE, "+00:00"); Statement st = c.createStatement()) {
            for (Map.Entry<String, List<Scenarios.Column>> t : Scenarios.expectedColumns(scenario).entrySet()) {
                if (t.getKey().equals("types.geo")) {
                    continue;
                }
                StringBuilder select = new StringBuilder("SELECT ");
                for (Scenarios.Column col : t.getValue()) {
                    select.append(select.length() == 7 ? "" : ", ").append(expression(col));
                }
                select.append(" FROM `").append(db).append("`.`").append(t.getValue().get(0).table()).append('`');
                List<Map<String, Object>> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(select.toString())) {
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int i = 0; i < t.getValue().size(); i++) {
                            Scenarios.Column col = t.getValue().get(i);
                            String v = rs.getString(i + 1);
                            // the expected state is the target's, which strips NUL from text (its default);
                            // the archive keeps it, and flashback writes it back to MySQL
                            if (canonical && v != null) {
                                v = v.replace("\0", "");
                            }
                            row.put(col.name(), v == null ? null : value(col, v, canonical));
                        }
                        rows.add(row);
                    }
                }
                out.put(t.getKey(), rows);
            }
        }
        return out;
    }

    private static String expression(Scenarios.Column col) {
        String q = Flashback.ident(col.name());
        switch (col.canonical()) {
            case "binary":
                return "HEX(" + q + ")";
            case "bit":
            case "year":
                return "CAST(" + q + " AS UNSIGNED)";
            case "float":
            case "double":
                return "CAST(" + q + " AS DOUBLE)"; // the text protocol prints a FLOAT with 6 digits
            case "date":
            case "datetime":
            case "timestamp":
            case "time":
                return "CAST(" + q + " AS CHAR)";
            default:
                return q;
        }
    }

    private static Object value(Scenarios.Column col, String v, boolean canonical) {
        switch (col.canonical()) {
            case "float":
            case "double":
                return new Scenarios.Approx(Double.parseDouble(v), 0);
            case "json":
                return Scenarios.canonicalJson(tree(v));
            default:
                return canonical ? canonical(col, v) : v;
        }
    }

    private static Object canonical(Scenarios.Column col, String v) {
        switch (col.canonical()) {
            case "integer":
                return new BigInteger(v).toString();
            case "year":
                return v.equals("0") ? "1900" : v; // the stream's YEAR 0000 (see findsItsRow)
            case "binary": {
                String hex = v;
                if (col.columnType().startsWith("binary(")) {
                    while (hex.endsWith("00")) {
                        hex = hex.substring(0, hex.length() - 2); // MariaDB pads BINARY(n); the stream drops the padding
                    }
                }
                byte[] b = new byte[hex.length() / 2];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
                }
                return Base64.getEncoder().encodeToString(b);
            }
            case "set": {
                TreeSet<String> s = new TreeSet<>();
                if (!v.isEmpty()) {
                    s.addAll(List.of(v.split(",")));
                }
                return s;
            }
            case "date":
            case "datetime":
            case "timestamp":
                return v.startsWith("0000") || v.startsWith("00", 5) || v.startsWith("00", 8) ? null : fraction(v);
            case "time":
                return fraction(v);
            default:
                return v;
        }
    }

    /** A temporal value without trailing zeros of its fraction (and no point when it is zero). */
    private static String fraction(String v) {
        if (v.indexOf('.') < 0) {
            return v;
        }
        String s = v.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
