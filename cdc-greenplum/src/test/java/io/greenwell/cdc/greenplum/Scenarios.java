package io.greenwell.cdc.greenplum;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.compact.Batcher;
import io.greenwell.cdc.compact.Compactor;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.Sequencer;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.spi.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The replay scenarios of {@code testdata/maxwell} (real Maxwell output with the final states a
 * correct replay reaches): replays a stream through decoder, batcher and target, and compares the
 * target's whole content with the expected state by the rules of that folder's README.
 */
public final class Scenarios {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private Scenarios() {}

    /** One record of a stream: its bytes and its byte offset. */
    public record Record(byte[] bytes, long offset) {}

    public static byte[] resource(String path) {
        try (InputStream in = Scenarios.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The records of a scenario's stream, one per line. */
    public static List<Record> records(String scenario) {
        return lines(resource("/testdata/maxwell/" + scenario + ".maxwell.jsonl"));
    }

    public static List<Record> lines(byte[] all) {
        List<Record> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == '\n') {
                if (i > start) {
                    byte[] rec = new byte[i - start];
                    System.arraycopy(all, start, rec, 0, rec.length);
                    out.add(new Record(rec, start));
                }
                start = i + 1;
            }
        }
        return out;
    }

    /**
     * Replays records into a target as a pipeline would: checkpoints loaded first, duplicates
     * dropped by the sequencer, batches of at most {@code batchEvents} events.
     *
     * @return the number of batches applied
     */
    public static int replay(ChangeTarget target, String pipeline, String stream, List<Record> records, int batchEvents) {
        return replay(target, target.loadCheckpoints(pipeline), stream, records, batchEvents);
    }

    /**
     * As {@link #replay(ChangeTarget, String, String, List, int)}, into a target whose checkpoints
     * were read before (without reading them again, which would fence another instance).
     *
     * @return the number of batches applied
     */
    public static int replayLoaded(ChangeTarget target, String stream, List<Record> records, int batchEvents) {
        return replay(target, Map.of(), stream, records, batchEvents);
    }

    private static int replay(ChangeTarget target, Map<String, Checkpoint> cps, String stream, List<Record> records, int batchEvents) {
        Batcher batcher = new Batcher(Compactor.builder().keyResolver(target.keyResolver()).build(),
                new Sequencer(Checkpoint.watermarks(cps.values())),
                new BatchLimits(batchEvents, 64L << 20, true));
        MaxwellDecoder decoder = MaxwellDecoder.create();
        int batches = 0;
        for (Record r : records) {
            ChangeEvent e = decoder.decode(r.bytes(), stream, r.offset());
            NetBatch b = batcher.offer(stream, r.offset(), e, r.bytes());
            if (b != null) {
                target.apply(b);
                batches++;
            }
        }
        NetBatch last = batcher.flush();
        if (last != null) {
            target.apply(last);
            batches++;
        }
        return batches;
    }

    // ---- expected state ----

    /** A column of the expected final tables. */
    public record Column(String schema, String table, String name, String canonical, String columnType) {}

    /** Reads the expected tables with their columns in order. */
    public static Map<String, List<Column>> expectedColumns(String scenario) {
        Map<String, List<Column>> out = new TreeMap<>();
        for (JsonNode n : jsonLines("/testdata/maxwell/" + scenario + ".columns.jsonl")) {
            String table = n.get("database").asText() + "." + n.get("table").asText();
            out.computeIfAbsent(table, t -> new ArrayList<>()).add(new Column(n.get("database").asText(), n.get("table").asText(),
                    n.get("name").asText(), n.get("canonical").asText(), n.get("column_type").asText()));
        }
        return out;
    }

    /** @return the expected rows per table (as {@code schema.table}), in canonical form */
    public static Map<String, List<Map<String, Object>>> expectedRows(String scenario) {
        Map<String, List<Column>> columns = expectedColumns(scenario);
        Map<String, List<Map<String, Object>>> out = new TreeMap<>();
        for (String t : columns.keySet()) {
            out.put(t, new ArrayList<>());
        }
        for (JsonNode n : jsonLines("/testdata/maxwell/" + scenario + ".expected.jsonl")) {
            String table = n.get("schema").asText() + "." + n.get("table").asText();
            Map<String, Object> row = new LinkedHashMap<>();
            for (Column c : columns.get(table)) {
                row.put(c.name(), canonicalExpected(c, n.get("row").get(c.name())));
            }
            out.get(table).add(row);
        }
        return out;
    }

    /** @return the target's rows of the same tables, in the same canonical form */
    public static Map<String, List<Map<String, Object>>> actualRows(Connection c, String scenario) throws SQLException {
        Map<String, List<Column>> columns = expectedColumns(scenario);
        Map<String, List<Map<String, Object>>> out = new TreeMap<>();
        try (Statement st = c.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            st.execute("SET IntervalStyle = 'postgres'");
            for (Map.Entry<String, List<Column>> e : columns.entrySet()) {
                Column first = e.getValue().get(0);
                List<Map<String, Object>> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT * FROM " + Names.qualify(first.schema(), first.table()))) {
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (Column col : e.getValue()) {
                            row.put(col.name(), canonicalActual(col, rs));
                        }
                        rows.add(row);
                    }
                }
                out.put(e.getKey(), rows);
            }
        }
        return out;
    }

    /** @return the target's tables in the schemas of the scenario, with their columns in order */
    public static Map<String, List<String>> actualColumns(Connection c, List<String> schemas) throws SQLException {
        Map<String, List<String>> out = new TreeMap<>();
        StringBuilder in = new StringBuilder();
        for (String s : schemas) {
            in.append(in.length() == 0 ? "" : ", ").append("'").append(s.replace("'", "''")).append("'");
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT table_schema, table_name, column_name FROM information_schema.columns"
                        + " WHERE table_schema IN (" + in + ") ORDER BY table_schema, table_name, ordinal_position")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1) + "." + rs.getString(2), k -> new ArrayList<>()).add(rs.getString(3));
            }
        }
        return out;
    }

    /**
     * Compares two multisets of rows, floats within the README's tolerance.
     *
     * @return a description of every difference; empty when equal
     */
    public static List<String> differences(Map<String, List<Map<String, Object>>> expected, Map<String, List<Map<String, Object>>> actual) {
        List<String> out = new ArrayList<>();
        for (String table : expected.keySet()) {
            List<Map<String, Object>> left = new ArrayList<>(expected.get(table));
            List<Map<String, Object>> right = new ArrayList<>(actual.getOrDefault(table, List.of()));
            for (Iterator<Map<String, Object>> it = left.iterator(); it.hasNext(); ) {
                Map<String, Object> e = it.next();
                for (Iterator<Map<String, Object>> jt = right.iterator(); jt.hasNext(); ) {
                    if (sameRow(e, jt.next())) {
                        jt.remove();
                        it.remove();
                        break;
                    }
                }
            }
            for (Map<String, Object> e : left) {
                out.add(table + ": expected but missing " + e);
            }
            for (Map<String, Object> a : right) {
                out.add(table + ": present but not expected " + a);
            }
        }
        return out;
    }

    private static boolean sameRow(Map<String, Object> e, Map<String, Object> a) {
        for (Map.Entry<String, Object> x : e.entrySet()) {
            if (!sameValue(x.getValue(), a.get(x.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** A float or double, compared with a relative tolerance. */
    public record Approx(double value, double tolerance) {
        @Override
        public String toString() {
            return Double.toString(value);
        }
    }

    private static boolean sameValue(Object e, Object a) {
        if (e == null || a == null) {
            return e == a;
        }
        if (e instanceof Approx && a instanceof Approx) {
            double x = ((Approx) e).value();
            double y = ((Approx) a).value();
            if (x == 0 || y == 0) {
                return x == 0 && y == 0;
            }
            return Math.abs(x - y) <= ((Approx) e).tolerance() * Math.max(Math.abs(x), Math.abs(y));
        }
        return e.equals(a);
    }

    private static Object canonicalExpected(Column c, JsonNode v) {
        if (v == null) {
            throw new IllegalStateException("expected row lacks column " + c.name());
        }
        if (v.isNull()) {
            return null;
        }
        switch (c.canonical()) {
            case "float":
                return new Approx(v.asDouble(), 1e-7);
            case "double":
                return new Approx(v.asDouble(), 1e-12);
            case "binary":
                return v.get("base64").asText();
            case "set": {
                TreeSet<String> s = new TreeSet<>();
                v.forEach(m -> s.add(m.asText()));
                return s;
            }
            case "json":
                return canonicalJson(v);
            case "geometry":
                return geometry(v.asText());
            default:
                return v.asText();
        }
    }

    private static final Pattern SCALE = Pattern.compile("\\(\\s*\\d+\\s*(?:,\\s*(\\d+)\\s*)?\\)");

    private static Object canonicalActual(Column c, ResultSet rs) throws SQLException {
        String name = c.name();
        switch (c.canonical()) {
            case "float":
            case "double": {
                double d = rs.getDouble(name);
                return rs.wasNull() ? null : new Approx(d, 0);
            }
            case "binary": {
                byte[] b = rs.getBytes(name);
                return b == null ? null : Base64.getEncoder().encodeToString(b);
            }
            case "set": {
                Array a = rs.getArray(name);
                if (a == null) {
                    return null;
                }
                TreeSet<String> s = new TreeSet<>();
                for (Object o : (Object[]) a.getArray()) {
                    s.add((String) o);
                }
                return s;
            }
            case "json": {
                String s = rs.getString(name);
                try {
                    return s == null ? null : canonicalJson(JSON.readTree(s));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case "geometry": {
                String s = rs.getString(name);
                return s == null ? null : geometry(s);
            }
            case "decimal": {
                BigDecimal d = rs.getBigDecimal(name);
                if (d == null) {
                    return null;
                }
                Matcher m = SCALE.matcher(c.columnType());
                int scale = m.find() && m.group(1) != null ? Integer.parseInt(m.group(1)) : 0;
                return d.setScale(scale).toPlainString();
            }
            case "integer":
            case "year": {
                String s = rs.getString(name);
                return s == null ? null : new BigInteger(s).toString();
            }
            case "bit": {
                String s = rs.getString(name);
                return s == null ? null : new BigInteger(s, 2).toString();
            }
            case "timestamp": {
                String s = rs.getString(name);
                return s == null ? null : s.endsWith("+00") ? s.substring(0, s.length() - 3) : s;
            }
            default:
                return rs.getString(name);
        }
    }

    /** JSON with sorted keys and numbers as exact decimals, as text. */
    public static String canonicalJson(JsonNode n) {
        return normalize(n).toString();
    }

    private static JsonNode normalize(JsonNode n) {
        JsonNodeFactory f = JsonNodeFactory.withExactBigDecimals(true);
        if (n.isObject()) {
            ObjectNode o = f.objectNode();
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            n.fields().forEachRemaining(e -> sorted.put(e.getKey(), normalize(e.getValue())));
            sorted.forEach(o::set);
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = f.arrayNode();
            n.forEach(x -> a.add(normalize(x)));
            return a;
        }
        if (n.isNumber()) {
            BigDecimal d = n.decimalValue();
            return f.textNode("#" + (d.signum() == 0 ? "0" : d.stripTrailingZeros().toString()));
        }
        return n;
    }

    private static String geometry(String wkt) {
        return wkt.replaceAll("\\s*([(),])\\s*", "$1").trim();
    }

    private static List<JsonNode> jsonLines(String path) {
        List<JsonNode> out = new ArrayList<>();
        for (Record r : lines(resource(path))) {
            try {
                out.add(JSON.readTree(new String(r.bytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
