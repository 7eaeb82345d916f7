package io.greenwell.cdc.opensearch;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenwell.cdc.greenplum.Scenarios;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a scenario's tables back from the engine's documents in the canonical form of the recorded
 * scenarios' expected states ({@code testdata/maxwell/README.md}), so that {@link Scenarios#differences}
 * compares them with the expected rows. Tables without a primary key are not indexed, so the
 * expected state is that of the tables with one.
 */
public final class SearchRows {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final Pattern SCALE = Pattern.compile("\\(\\s*\\d+\\s*(?:,\\s*(\\d+)\\s*)?\\)");

    private SearchRows() {}

    /** @return the tables of a scenario that have a primary key (the others are not indexed) */
    public static Set<String> keyed(String scenario) {
        Set<String> out = new TreeSet<>();
        Map<String, List<Scenarios.Column>> cols = Scenarios.expectedColumns(scenario);
        // a table's key columns are PRI in the columns file
        for (JsonNode n : lines("/testdata/maxwell/" + scenario + ".columns.jsonl")) {
            if (n.path("column_key").asText().equals("PRI")) {
                out.add(n.get("database").asText() + "." + n.get("table").asText());
            }
        }
        out.retainAll(cols.keySet());
        return out;
    }

    /** @return the expected rows of the scenario's tables with a key */
    public static Map<String, List<Map<String, Object>>> expected(String scenario) {
        Map<String, List<Map<String, Object>>> all = Scenarios.expectedRows(scenario);
        all.keySet().retainAll(keyed(scenario));
        return all;
    }

    /** @return the documents as rows per {@code db.table}, for every table found in them */
    public static Map<String, List<Map<String, Object>>> actual(List<JsonNode> docs, String scenario) {
        Map<String, List<Scenarios.Column>> columns = Scenarios.expectedColumns(scenario);
        Map<String, List<Map<String, Object>>> out = new TreeMap<>();
        for (JsonNode hit : docs) {
            JsonNode src = reread(hit.path("_source"));
            String table = src.path("_db").asText() + "." + src.path("_table").asText();
            List<Scenarios.Column> cols = columns.get(table);
            Map<String, Object> row = new LinkedHashMap<>();
            if (cols == null) {
                row.put("_id", hit.path("_id").asText());
                row.put("_source", src.toString());
            } else {
                for (Scenarios.Column c : cols) {
                    row.put(c.name(), canonical(c, src.get(c.name())));
                }
            }
            out.computeIfAbsent(table, t -> new ArrayList<>()).add(row);
        }
        return out;
    }

    private static JsonNode reread(JsonNode n) {
        try {
            return JSON.readTree(n.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return the differences between the scenario's expected rows and the documents, each cut to a
     *     readable length (the types scenario has rows of a megabyte); empty when they agree
     */
    public static List<String> differences(String scenario, List<JsonNode> docs) {
        return differences(scenario, docs, t -> true);
    }

    /**
     * As {@link #differences(String, List)}, for the tables ({@code db.table}) that are indexed:
     * the others must have no documents.
     */
    public static List<String> differences(String scenario, List<JsonNode> docs, java.util.function.Predicate<String> indexed) {
        Map<String, List<Map<String, Object>>> actual = actual(docs, scenario);
        Map<String, List<Map<String, Object>>> expected = expected(scenario);
        expected.keySet().removeIf(indexed.negate());
        List<String> out = new ArrayList<>();
        for (String d : Scenarios.differences(expected, actual)) {
            out.add(d.length() > 400 ? d.substring(0, 400) + "..." : d);
        }
        for (String t : actual.keySet()) {
            if (!expected.containsKey(t)) {
                out.add("documents of a table that should have none: " + t + " " + actual.get(t).size());
            }
        }
        return out;
    }

    /** @return each document's id and version */
    public static Map<String, Long> versions(List<JsonNode> docs) {
        Map<String, Long> out = new TreeMap<>();
        for (JsonNode d : docs) {
            out.put(d.path("_id").asText(), d.path("_version").asLong());
        }
        return out;
    }

    /** @return the reasons of dead letters, with their offsets, each cut to a readable length */
    public static List<String> reasons(List<JsonNode> deadLetters) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : deadLetters) {
            String r = d.path("_source").path("offset").asText() + ": " + d.path("_source").path("reason").asText();
            out.add(r.length() > 600 ? r.substring(0, 600) + "..." : r);
        }
        return out;
    }

    private static Object canonical(Scenarios.Column c, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        switch (c.canonical()) {
            case "float":
            case "double":
                return new Scenarios.Approx(v.asDouble(), 0);
            case "binary":
                return v.asText();
            case "set": {
                TreeSet<String> s = new TreeSet<>();
                v.forEach(m -> s.add(m.asText()));
                return s;
            }
            case "json":
                return Scenarios.canonicalJson(v);
            case "geometry":
                return v.asText().replaceAll("\\s*([(),])\\s*", "$1").trim();
            case "decimal": {
                Matcher m = SCALE.matcher(c.columnType());
                int scale = m.find() && m.group(1) != null ? Integer.parseInt(m.group(1)) : 0;
                return new BigDecimal(v.asText()).setScale(scale).toPlainString();
            }
            case "integer":
            case "year":
                return new BigInteger(v.isNumber() ? v.bigIntegerValue().toString() : v.asText()).toString();
            case "bit": {
                Matcher m = Pattern.compile("\\((\\d+)\\)").matcher(c.columnType());
                int bits = m.find() ? Integer.parseInt(m.group(1)) : 1;
                BigInteger b = v.isNumber() ? v.bigIntegerValue() : new BigInteger(v.asText());
                return b.mod(BigInteger.ONE.shiftLeft(bits)).toString();
            }
            case "datetime":
            case "timestamp":
                return trimFraction(v.asText().replace('T', ' ').replace("Z", ""));
            case "time":
                return trimFraction(v.asText());
            case "text":
                return v.asText().replace("\u0000", "");
            default:
                return v.asText();
        }
    }

    private static String trimFraction(String s) {
        int dot = s.lastIndexOf('.');
        if (dot < 0 || s.indexOf(':') < 0 || dot < s.lastIndexOf(':')) {
            return s;
        }
        String f = s.substring(dot + 1).replaceAll("0+$", "");
        return f.isEmpty() ? s.substring(0, dot) : s.substring(0, dot + 1) + f;
    }

    private static List<JsonNode> lines(String path) {
        List<JsonNode> out = new ArrayList<>();
        for (Scenarios.Record r : Scenarios.lines(Scenarios.resource(path))) {
            try {
                out.add(JSON.readTree(r.bytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
