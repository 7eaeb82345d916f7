package io.greenwell.cdc.binlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.SourceRecord;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same changes read by this source and by Maxwell: the recorded stream of scenario
 * {@code types} (Maxwell 1.44.1 on MariaDB 10.11, in {@code cdc-core}'s test data) is played
 * again on a MariaDB of the tests' own, table by table and transaction by transaction, from the
 * recorded DDL and the recorded row values; the records this source gives must equal Maxwell's in
 * everything but what differs by design: {@code ts}, {@code xid}, {@code position},
 * {@code primary_key} (not written), and the two values Maxwell gets wrong ({@link #maxwellWrong}).
 * Spatial values are written from their recorded WKT ({@code ST_GeomFromText}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MaxwellEquivalenceIT {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final java.util.Set<String> SPATIAL = java.util.Set.of("geometry", "point", "linestring", "polygon", "multipoint",
            "multilinestring", "multipolygon", "geometrycollection");
    /** The type of every column, as {@code table.column}. */
    private static final Map<String, String> COLUMN_TYPES = new HashMap<>();
    private static final java.math.BigInteger TWO_TO_64 = java.math.BigInteger.ONE.shiftLeft(64);

    @Test
    void theTypesScenarioGivesTheRecordsMaxwellGave() throws Exception {
        List<String> lines = lines("types");
        List<JsonNode> recorded = trees(lines);
        try (Connection maria = TestBinlogServer.connect(); Statement my = maria.createStatement()) {
            String db = TestBinlogServer.createDatabase(my, "types");
            my.execute("SET SESSION sql_mode = ''"); // the scenario stored zero dates
            BinlogSource source = BinlogSource.builder().port(TestBinlogServer.port()).user("root").serverId(2000 + new Random().nextInt(1000))
                    .databases(List.of(db)).skipDdl(true).build();
            try {
                start(source);
                my.execute("USE `" + db + "`");
                List<JsonNode> want = play(maria, my, recorded, lines, false);
                List<JsonNode> got = records(source, want.size());
                assertThat(got).as("records from the binlog").hasSize(want.size());
                List<String> differences = new ArrayList<>();
                for (int i = 0; i < want.size(); i++) {
                    compare(want.get(i), got.get(i), db, true, differences);
                }
                assertThat(differences).isEmpty();
            } finally {
                source.close();
                my.execute("DROP DATABASE IF EXISTS `" + db + "`");
            }
        }
    }

    private static List<String> lines(String scenario) throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream in = MaxwellEquivalenceIT.class.getResourceAsStream("/testdata/maxwell/" + scenario + ".maxwell.jsonl");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static List<JsonNode> trees(List<String> lines) throws java.io.IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    private static void start(BinlogSource source) {
        source.open(new ChangeSource.Listener() {
            @Override
            public void assigned(Collection<String> streams) {
            }

            @Override
            public void revoked(Collection<String> streams) {
            }
        });
        source.seek(Map.of());
    }

    /** @return the source's records until there are {@code n}, or a minute has passed */
    private static List<JsonNode> records(BinlogSource source, int n) throws Exception {
        List<JsonNode> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (got.size() < n && System.nanoTime() < deadline) {
            for (SourceRecord rec : source.poll(Duration.ofMillis(200))) {
                got.add(JSON.readTree(rec.bytes()));
            }
        }
        return got;
    }

    /**
     * Runs the recorded DDL and rows again.
     *
     * @param withDdl whether the DDL records are expected back too (and run in the databases they name); else only the rows
     * @return the recorded records it expects back, in order
     */
    private static List<JsonNode> play(Connection c, Statement my, List<JsonNode> recorded, List<String> lines, boolean withDdl)
            throws Exception {
        Map<String, Map<String, String>> types = new HashMap<>();
        List<JsonNode> want = new ArrayList<>();
        String lastStatement = null;
        int i = 0;
        while (i < recorded.size()) {
            JsonNode r = recorded.get(i);
            String type = r.get("type").asText();
            String table = r.path("table").asText(null);
            if (type.startsWith("database-") && !withDdl) {
                i++;
                continue;
            }
            if (type.startsWith("table-") || type.startsWith("database-")) {
                String statement = r.get("sql").asText() + "@" + r.path("position").asText();
                if (!statement.equals(lastStatement)) { // one statement may give several records (DROP TABLE a, b)
                    if (withDdl && type.startsWith("table-")) {
                        my.execute("USE `" + r.get("database").asText() + "`");
                    }
                    my.execute(r.get("sql").asText());
                }
                lastStatement = statement;
                if (withDdl) {
                    want.add(r);
                }
                if (r.has("def")) {
                    String name = r.get("def").get("table").asText();
                    Map<String, String> cols = new HashMap<>();
                    for (JsonNode col : r.get("def").get("columns")) {
                        cols.put(col.get("name").asText(), col.get("type").asText() + ("binary".equals(col.path("charset").asText()) ? ":binary" : ""));
                        COLUMN_TYPES.put(name + "." + col.get("name").asText(), col.get("type").asText());
                    }
                    types.put(name, cols);
                }
                i++;
                continue;
            }
            lastStatement = null;
            // one recorded transaction: the rows up to the commit row
            c.setAutoCommit(false);
            while (true) {
                String line = lines.get(i);
                JsonNode row = recorded.get(i++);
                want.add(row);
                write(c, row, line, types.get(row.get("table").asText()), withDdl);
                if (row.path("commit").asBoolean(false)) {
                    break;
                }
            }
            c.commit();
            c.setAutoCommit(true);
        }
        return want;
    }

    /**
     * Scenario {@code ddl}: every DDL kind Maxwell reports (databases created, altered and dropped;
     * tables created with and without keys, {@code LIKE}, altered column by column, keys changed,
     * renamed, moved to another database, converted, dropped one and two at a time) with rows
     * between them, in the recorded databases' own names. The schema changes must equal Maxwell's
     * ({@code old}, {@code def}, charsets; {@code CONVERT TO} keeps the table's charset in Maxwell,
     * see {@link DdlReaderTest}), and so must the rows.
     */
    @Test
    void theDdlScenarioGivesTheSchemaChangesAndRowsMaxwellGave() throws Exception {
        List<String> lines = lines("ddl");
        List<JsonNode> recorded = trees(lines);
        List<String> databases = List.of("ddl_db", "ddl_other", "ddl_dropped");
        try (Connection maria = TestBinlogServer.connect(); Statement my = maria.createStatement()) {
            for (String d : databases) {
                my.execute("DROP DATABASE IF EXISTS `" + d + "`");
            }
            BinlogSource source = BinlogSource.builder().port(TestBinlogServer.port()).user("root").serverId(3000 + new Random().nextInt(1000))
                    .databases(databases).build();
            try {
                start(source);
                List<JsonNode> want = play(maria, my, recorded, lines, true);
                List<JsonNode> got = records(source, want.size());
                assertThat(got).extracting(n -> n.get("type").asText() + " " + n.path("table").asText(n.path("database").asText()))
                        .as("records from the binlog").containsExactlyElementsOf(want.stream()
                                .map(n -> n.get("type").asText() + " " + n.path("table").asText(n.path("database").asText())).toList());
                List<String> differences = new ArrayList<>();
                for (int i = 0; i < want.size(); i++) {
                    JsonNode w = want.get(i);
                    if (w.get("type").asText().contains("-")) {
                        for (String f : List.of("database", "table", "old", "def", "charset")) {
                            JsonNode g = got.get(i).get(f);
                            JsonNode wf = w.get(f);
                            if (f.equals("def") && w.get("sql").asText().contains("CONVERT TO") && g != null) {
                                ((com.fasterxml.jackson.databind.node.ObjectNode) g).set("charset", wf.get("charset"));
                            }
                            check(differences, w.get("sql").asText(), f, wf, g);
                        }
                    } else {
                        compare(w, got.get(i), w.get("database").asText(), false, differences);
                    }
                }
                assertThat(differences).isEmpty();
            } finally {
                source.close();
                for (String d : databases) {
                    my.execute("DROP DATABASE IF EXISTS `" + d + "`");
                }
            }
        }
    }

    /** @return the text of {@code data.<name>} in the record exactly as Maxwell wrote it (a JSON column's document, unparsed) */
    static String raw(String line, String name) throws java.io.IOException {
        try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(line)) {
            p.nextToken();
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String f = p.getCurrentName();
                p.nextToken();
                if (!f.equals("data")) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String col = p.getCurrentName();
                    p.nextToken();
                    int start = (int) p.getTokenLocation().getCharOffset();
                    p.skipChildren();
                    p.getText(); // a string is read lazily: this takes the parser past its closing quote
                    if (col.equals(name)) {
                        return line.substring(start, (int) p.getCurrentLocation().getCharOffset()).trim();
                    }
                }
            }
        }
        throw new AssertionError("no data." + name + " in " + line);
    }

    private static void write(Connection c, JsonNode row, String line, Map<String, String> types, boolean qualified) throws Exception {
        String table = (qualified ? "`" + row.get("database").asText() + "`." : "") + "`" + row.get("table").asText() + "`";
        JsonNode data = row.get("data");
        List<String> pk = new ArrayList<>();
        row.get("primary_key_columns").forEach(k -> pk.add(k.asText()));
        List<String> names = new ArrayList<>();
        data.fieldNames().forEachRemaining(names::add);
        StringBuilder sql = new StringBuilder();
        List<Object[]> binds = new ArrayList<>(); // {type, value}
        switch (row.get("type").asText()) {
            case "insert":
                sql.append("INSERT INTO ").append(table).append(" (");
                StringBuilder values = new StringBuilder();
                for (int k = 0; k < names.size(); k++) {
                    sql.append(k == 0 ? "" : ", ").append('`').append(names.get(k)).append('`');
                    values.append(k == 0 ? "" : ", ").append(placeholder(types.get(names.get(k)), data.get(names.get(k)), line, names.get(k), binds));
                }
                sql.append(") VALUES (").append(values).append(')');
                break;
            case "update":
                sql.append("UPDATE ").append(table).append(" SET ");
                for (int k = 0; k < names.size(); k++) {
                    sql.append(k == 0 ? "" : ", ").append('`').append(names.get(k)).append("` = ")
                            .append(placeholder(types.get(names.get(k)), data.get(names.get(k)), line, names.get(k), binds));
                }
                where(sql, pk, row.path("old"), data, types, binds);
                break;
            default:
                sql.append("DELETE FROM ").append(table);
                where(sql, pk, data, data, types, binds);
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int k = 0; k < binds.size(); k++) {
                Object v = binds.get(k)[1];
                if (v instanceof byte[] b) {
                    ps.setBytes(k + 1, b);
                } else {
                    ps.setString(k + 1, (String) v);
                }
            }
            int n;
            try {
                n = ps.executeUpdate();
            } catch (java.sql.SQLException e) {
                List<Object> shown = new ArrayList<>();
                binds.forEach(b -> shown.add(b[1] instanceof byte[] x ? "bytes[" + x.length + "]" : b[1]));
                throw new AssertionError(sql + " with " + shown + ": " + e.getMessage(), e);
            }
            assertThat(n).as("%s", sql).isEqualTo(1);
        }
    }

    /** The key's values before the change: a key column's old value where the record has one, else its value. */
    private static void where(StringBuilder sql, List<String> pk, JsonNode old, JsonNode data, Map<String, String> types, List<Object[]> binds)
            throws java.io.IOException {
        sql.append(" WHERE ");
        List<String> match = pk;
        if (pk.isEmpty()) { // a table without a key: the whole row before the change, and one of its copies
            match = new ArrayList<>();
            data.fieldNames().forEachRemaining(match::add);
        }
        for (int k = 0; k < match.size(); k++) {
            String col = match.get(k);
            JsonNode v = old.has(col) ? old.get(col) : data.get(col);
            sql.append(k == 0 ? "" : " AND ").append('`').append(col).append("` <=> ")
                    .append(placeholder(types.get(col), v, null, col, binds));
        }
        if (pk.isEmpty()) {
            sql.append(" LIMIT 1");
        }
    }

    /** @return the SQL for one value: a literal for NULL and BIT numbers, else a parameter */
    private static String placeholder(String type, JsonNode v, String line, String name, List<Object[]> binds) throws java.io.IOException {
        if (v == null || v.isNull()) {
            return "NULL";
        }
        if (type.startsWith("bit")) {
            return v.bigIntegerValue().toString();
        }
        if (SPATIAL.contains(type)) {
            String wkt = v.asText();
            if (wkt.startsWith("MULTIPOINT")) {
                wkt = wkt.replaceAll("\\((-?[0-9.]+ -?[0-9.]+)\\)", "$1"); // MariaDB reads MULTIPOINT (1 1, 2 2), not JTS's ((1 1), (2 2))
            }
            binds.add(new Object[] {type, wkt});
            return "ST_GeomFromText(?)";
        }
        Object value;
        if (type.endsWith(":binary") || type.contains("blob") || type.contains("binary")) {
            value = Base64.getDecoder().decode(v.asText());
        } else if (type.equals("json")) {
            value = raw(line, name);
        } else if (v.isArray()) {
            List<String> members = new ArrayList<>();
            v.forEach(m -> members.add(m.asText()));
            value = String.join(",", members);
        } else if (v.isNumber()) {
            value = v.decimalValue().toString();
        } else {
            value = v.asText();
        }
        binds.add(new Object[] {type, value});
        return "?";
    }

    /** @param jsonAsText whether MariaDB's JSON columns come as strings (the source runs without the schema, skipDdl) */
    private static void compare(JsonNode want, JsonNode got, String db, boolean jsonAsText, List<String> differences) {
        String at = want.get("table").asText() + " " + want.get("type").asText() + " " + want.get("data").path("id");
        check(differences, at, "database", JSON.getNodeFactory().textNode(db), got.get("database"));
        for (String f : List.of("table", "type", "xoffset", "commit", "primary_key_columns", "server_id")) {
            check(differences, at, f, want.get(f), got.get(f));
        }
        for (String image : List.of("data", "old")) {
            JsonNode w = want.get(image);
            JsonNode g = got.get(image);
            if (w == null || g == null) {
                check(differences, at, image, w, g);
                continue;
            }
            Iterator<String> names = w.fieldNames();
            List<String> all = new ArrayList<>();
            names.forEachRemaining(all::add);
            g.fieldNames().forEachRemaining(n -> {
                if (!all.contains(n)) {
                    all.add(n);
                }
            });
            for (String name : all) {
                String type = COLUMN_TYPES.getOrDefault(want.get("table").asText() + "." + name, "");
                JsonNode wv = w.get(name);
                JsonNode gv = g.get(name);
                if (maxwellWrong(type, wv, gv)) {
                    continue;
                }
                if (jsonAsText && gv != null && gv.isTextual() && type.equals("json")) {
                    try {
                        gv = JSON.readTree(gv.asText()); // MariaDB's JSON is text to the binlog; Maxwell reads it as JSON
                    } catch (java.io.IOException e) {
                        differences.add(at + ": " + image + "." + name + " is not JSON: " + gv);
                        continue;
                    }
                }
                check(differences, at, image + "." + name, wv, gv);
            }
        }
    }

    /**
     * Where Maxwell's value is wrong and this source gives the server's (see the test data's
     * README): YEAR 0000, which Maxwell gives as 1900, and a BIT(64) at or above 2^31, which
     * Maxwell's int shift turns negative (the same value modulo 2^64 is the server's).
     */
    private static boolean maxwellWrong(String type, JsonNode want, JsonNode got) {
        if (want == null || got == null || !want.isNumber() || !got.isNumber()) {
            return false;
        }
        if (type.equals("year")) {
            return want.intValue() == 1900 && got.intValue() == 0;
        }
        return type.equals("bit") && want.bigIntegerValue().signum() < 0 && want.bigIntegerValue().mod(TWO_TO_64).equals(got.bigIntegerValue());
    }

    private static void check(List<String> differences, String at, String field, JsonNode want, JsonNode got) {
        boolean same = want == null ? got == null : got != null && (want.isNumber() && got.isNumber()
                ? want.decimalValue().compareTo(got.decimalValue()) == 0 : want.equals(got));
        if (!same) {
            differences.add(at + ": " + field + " Maxwell " + want + ", binlog source " + got);
        }
    }

}
