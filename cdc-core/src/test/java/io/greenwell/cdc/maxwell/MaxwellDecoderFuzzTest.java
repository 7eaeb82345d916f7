package io.greenwell.cdc.maxwell;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.greenwell.cdc.DecodeException;
import io.greenwell.cdc.event.BootstrapMarker;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SchemaChange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Feeds random and mutated records to the decoder: it must return a complete event or throw a
 * {@link DecodeException} carrying the caller's stream and offset, and nothing else, ever.
 */
class MaxwellDecoderFuzzTest {

    private static final String KEY = "0123456789abcdef";
    private static final MaxwellDecoder DECODER = MaxwellDecoder.builder().secretKey(KEY).build();
    private static final List<byte[]> SEEDS = seeds();
    /** How many of the seeds are the recorded streams' lines (the rest are made up). */
    private static int RECORDED;

    private static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (String scenario : new String[] {"music", "ddl", "types"}) {
            byte[] all;
            try (InputStream in = MaxwellDecoderFuzzTest.class.getResourceAsStream("/testdata/maxwell/" + scenario + ".maxwell.jsonl")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                all = out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == '\n') {
                    if (i - start < 4000) { // the long lines of the types scenario would only slow the search
                        byte[] line = new byte[i - start];
                        System.arraycopy(all, start, line, 0, line.length);
                        seeds.add(line);
                    }
                    start = i + 1;
                }
            }
        }
        RECORDED = seeds.size();
        String[] extra = {
            "{\"database\":\"d\",\"table\":\"t\",\"type\":\"update\",\"ts\":1,\"serverId\":3,\"primaryKeyColumns\":[\"id\"],\"data\":{\"id\":1,\"j\":{\"a\":[1,2]},\"s\":[\"x\"]},\"old\":{\"id\":0}}",
            "{\"old\":{\"v\":1},\"def\":{\"x\":1},\"data\":{\"id\":1,\"v\":2},\"ts\":2,\"database\":\"d\",\"table\":\"t\",\"type\":\"update\"}",
            "{\"database\":\"d\",\"table\":\"t\",\"type\":\"bootstrap-start\",\"ts\":1,\"data\":{}}",
            "{\"type\":\"database-alter\",\"database\":\"x\",\"charset\":null,\"ts\":1000}",
            // the fast path's shapes, with what it must refuse next to what it must read
            "{ \"database\" : \"d\" ,\"table\":\"t\",\"type\":\"update\",\"ts\":-1,\"xid\":null,\"xoffset\":3,\"commit\":null,"
                    + "\"position\":\"mysql-bin.000002:4\",\"gtid\":\"g:1\",\"server_id\":null,\"thread_id\":7,\"schema_id\":8,"
                    + "\"primary_key\":[1,\"a\\\"b\",2.50,null,true,{\"x\":[]}],\"primary_key_columns\":[\"id\",\"s\"],"
                    + "\"data\":{\"id\":1,\"s\":\"\\u00e9\\n\\\\\",\"n\":-0.5e+3,\"j\":{\"k\":[1,{\"l\":\"]\"}]},\"z\":false,\"e\":\"\"},"
                    + "\"old\":null}\r\n",
            "{\"database\":\"d\",\"table\":\"t\",\"type\":\"delete\",\"ts\":1,\"commit\":true,\"primary_key_columns\":[],"
                    + "\"data\":{},\"old\":{\"a\":1}}",
            "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1,\"data\":{\"a\":1,\"a\":2}}",
            "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1,\"ts\":2,\"data\":{\"a\":1}}",
            "{\"database\":\"d\\u0041\",\"table\":\"t\",\"type\":\"bootstrap-insert\",\"ts\":1,\"data\":{\"a\\u0042\":1}}",
            "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1.0,\"xoffset\":2147483648,\"data\":{\"a\":01}}",
            "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1234567890123456789,\"data\":{\"a\":nul}}",
            "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1,\"push_ts\":1612345678.123456,\"query\":\"q\",\"comment\":\"c\",\"data\":{\"a\":18446744073709551615,\"b\":0E-10}}",
        };
        for (String s : extra) {
            seeds.add(s.getBytes(StandardCharsets.UTF_8));
            // other encodings of JSON: the decoder must refuse them, not misread them
            seeds.add(s.getBytes(StandardCharsets.UTF_16LE));
            seeds.add(("\uFEFF" + s).getBytes(StandardCharsets.UTF_16BE));
        }
        try {
            seeds.add(("{\"encrypted\":" + MaxwellDecoderTest.envelope(new String(seeds.get(2), StandardCharsets.UTF_8), KEY) + "}")
                    .getBytes(StandardCharsets.UTF_8));
            seeds.add(("{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1,\"encrypted\":"
                    + MaxwellDecoderTest.envelope("{\"data\":{\"a\":1}}", KEY) + "}").getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return seeds;
    }

    @Property(tries = 3000)
    void mutatedRealRecords(@ForAll("mutated") byte[] input) {
        check(input);
    }

    @Property(tries = 1500)
    void generatedEnvelopes(@ForAll("envelopes") String input) {
        check(input.getBytes(StandardCharsets.UTF_8));
    }

    /** Found by {@link #mutatedRealRecords}: a number whose exponent no BigDecimal holds. */
    @Example
    void aNumberBeyondBigDecimalIsKeptAsText() {
        byte[] input = "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1,\"data\":{\"id\":18e446744073709551615}}"
                .getBytes(StandardCharsets.UTF_8);
        check(input);
        assertThat(((RowChange) DECODER.decode(input, "fuzz", 5L)).data().get("id").asText()).isEqualTo("18e446744073709551615");
    }

    @Property(tries = 500)
    void randomBytes(@ForAll("bytes") byte[] input) {
        check(input);
    }

    /** Found in review: Jackson refuses long names and unpaired surrogates in names, so the fast path must too. */
    @Example
    void namesJacksonRefusesAreRefused() {
        String head = "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1,\"data\":";
        String longest = "x".repeat(50_000);
        String tooLong = "x".repeat(50_001);
        for (String data : new String[] {"{\"" + tooLong + "\":1}", "{\"a\":{\"" + tooLong + "\":1}}", "{\"a\":{\"\\ud800\":1}}",
                "{\"a\":[{\"\\udc00\":1}]}"}) {
            byte[] input = (head + data + "}").getBytes(StandardCharsets.UTF_8);
            assertThat(fast(input)).as(data.length() > 100 ? "a long name" : data).isNull();
            check(input);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DECODER.decode(input, "fuzz", 5L)).isInstanceOf(DecodeException.class);
        }
        byte[] ok = (head + "{\"" + longest + "\":1,\"a\":{\"" + longest + "\":2}}}").getBytes(StandardCharsets.UTF_8);
        check(ok);
        assertThat(((RowChange) DECODER.decode(ok, "fuzz", 5L)).data().size()).isEqualTo(2);
    }

    /** The fast path reads the recorded row records itself, instead of leaving them all to Jackson. */
    @Example
    void theFastPathReadsTheRecordedRowRecords() {
        int rows = 0;
        for (byte[] seed : SEEDS.subList(0, RECORDED)) {
            ChangeEvent slow;
            try {
                slow = DECODER.decodeWithJackson(seed, 0, seed.length, "fuzz", 5L);
            } catch (DecodeException e) {
                continue;
            }
            String text = new String(seed, StandardCharsets.UTF_8);
            if (slow instanceof RowChange) {
                rows++;
                assertThat(fast(seed)).as(text).isEqualTo(slow);
            }
        }
        assertThat(rows).isGreaterThan(100);
    }

    private static ChangeEvent fast(byte[] input) {
        return new MaxwellRecordParser(DECODER, input, 0, input.length, "fuzz", 5L).parseFast();
    }

    /** Whatever the fast path reads, Jackson reads as the same event. */
    private static void fastPathAgrees(byte[] input) {
        ChangeEvent fast = fast(input);
        if (fast == null) {
            return;
        }
        ChangeEvent slow;
        try {
            slow = DECODER.decodeWithJackson(input, 0, input.length, "fuzz", 5L);
        } catch (DecodeException e) {
            throw new AssertionError("the fast path accepted what Jackson refuses: " + e.reason(), e);
        }
        assertThat(fast).isEqualTo(slow);
    }

    private static void check(byte[] input) {
        fastPathAgrees(input);
        ChangeEvent e;
        try {
            e = DECODER.decode(input, "fuzz", 5L);
        } catch (DecodeException ex) {
            assertThat(ex.stream()).isEqualTo("fuzz");
            assertThat(ex.offset()).isEqualTo(5L);
            assertThat(ex.reason()).isNotBlank();
            return;
        }
        assertThat(e).isNotNull();
        assertThat(e.meta()).isNotNull();
        agreesWithATree(input, e);
        assertThat(e.database()).isNotNull();
        if (e instanceof RowChange) {
            RowChange r = (RowChange) e;
            assertThat(r.data()).isNotNull();
            assertThat(r.old()).isNotNull();
            assertThat(r.table().table()).isNotNull();
            for (int i = 0; i < r.data().size(); i++) {
                assertThat(r.data().value(i)).isNotNull();
            }
        } else if (e instanceof SchemaChange) {
            SchemaChange s = (SchemaChange) e;
            assertThat(s.kind()).isNotNull();
        } else {
            assertThat(((BootstrapMarker) e).kind()).isNotNull();
        }
    }

    private static final ObjectMapper TREES = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    /** @return true when the input is one well-formed JSON value and nothing after it */
    private static boolean wellFormed(byte[] input) {
        try (com.fasterxml.jackson.core.JsonParser p = TREES.getFactory().createParser(input)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException ex) {
            return false;
        }
    }

    /**
     * A differential oracle: whatever the decoder accepts, Jackson's databind must read as the same
     * JSON, with the same values in {@code data}, {@code old} and {@code primary_key} (strings equal, numbers of the
     * same text, embedded JSON equal as trees). Encrypted records are skipped (the tree sees only
     * the envelope).
     */
    private static void agreesWithATree(byte[] input, ChangeEvent e) {
        JsonNode root;
        try {
            root = TREES.readTree(input);
        } catch (IOException ex) {
            throw new AssertionError("the decoder accepted what databind rejects: " + ex.getMessage(), ex);
        } catch (NumberFormatException ex) {
            // a number no BigDecimal can hold (an exponent beyond an int, as in 18e446744073709551615):
            // the tree cannot be built, while the decoder keeps the number's text (the database
            // refuses it later); the record must still be one well-formed JSON value
            assertThat(wellFormed(input)).as("the decoder accepted malformed JSON").isTrue();
            return;
        }
        if (!(e instanceof RowChange) || root.has("encrypted")) {
            return;
        }
        RowChange r = (RowChange) e;
        compare(r.data(), last(root, "data"));
        if (!r.old().isEmpty()) {
            compare(r.old(), last(root, "old"));
        }
        JsonNode key = last(root, "primary_key");
        if (key != null && key.isArray()) {
            assertThat(r.primaryKey()).hasSize(key.size());
            for (int i = 0; i < key.size(); i++) {
                compare(r.primaryKey().get(i), key.get(i));
            }
        }
        assertThat(r.table().database()).isEqualTo(last(root, "database").textValue());
        assertThat(r.table().table()).isEqualTo(last(root, "table").textValue());
    }

    private static JsonNode last(JsonNode root, String field) {
        return root.get(field); // databind keeps the last of repeated keys, as the decoder does
    }

    private static void compare(io.greenwell.cdc.event.Row row, JsonNode object) {
        assertThat(object).isNotNull();
        assertThat(row.size()).isEqualTo(object.size());
        object.fields().forEachRemaining(f -> {
            io.greenwell.cdc.event.Value v = row.get(f.getKey());
            assertThat(v).as(f.getKey()).isNotNull();
            compare(v, f.getValue());
        });
    }

    /** A value read by the decoder against the same value in databind's tree. */
    private static void compare(io.greenwell.cdc.event.Value v, JsonNode n) {
        if (n.isNull()) {
            assertThat(v.isNull()).isTrue();
        } else if (n.isTextual()) {
            assertThat(v).isEqualTo(io.greenwell.cdc.event.Value.text(n.textValue()));
        } else if (n.isNumber()) {
            assertThat(v).isInstanceOf(io.greenwell.cdc.event.Value.Numeric.class);
            assertThat(new java.math.BigDecimal(v.asText())).isEqualByComparingTo(n.decimalValue());
        } else if (n.isBoolean()) {
            assertThat(v).isEqualTo(n.booleanValue() ? io.greenwell.cdc.event.Value.TRUE : io.greenwell.cdc.event.Value.FALSE);
        } else {
            try {
                assertThat(TREES.readTree(v.asText())).isEqualTo(n);
            } catch (IOException ex) {
                throw new AssertionError("embedded JSON is not JSON: " + v.asText(), ex);
            }
        }
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> seed = Arbitraries.of(SEEDS);
        Arbitrary<List<Mutation>> mutations = mutation().list().ofMinSize(1).ofMaxSize(4);
        return Combinators.combine(seed, mutations).as((s, ms) -> {
            byte[] b = s.clone();
            for (Mutation m : ms) {
                b = m.apply(b);
            }
            return b;
        });
    }

    /** One edit of a record's bytes, at a position given as a fraction of its length. */
    record Mutation(int kind, double at, int value, int length) {
        byte[] apply(byte[] b) {
            if (b.length == 0) {
                return new byte[] {(byte) value};
            }
            int i = Math.min(b.length - 1, (int) (at * b.length));
            ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 8);
            switch (kind) {
                case 0: // replace a byte
                    b = b.clone();
                    b[i] = (byte) value;
                    return b;
                case 1: // delete a run
                    out.write(b, 0, i);
                    int from = Math.min(b.length, i + length);
                    out.write(b, from, b.length - from);
                    return out.toByteArray();
                case 2: // truncate
                    out.write(b, 0, i);
                    return out.toByteArray();
                case 3: // insert a JSON-ish byte
                    byte[] tokens = "{}[]\":,0-.eE\\ntu\u0000".getBytes(StandardCharsets.ISO_8859_1);
                    out.write(b, 0, i);
                    out.write(tokens[Math.floorMod(value, tokens.length)]);
                    out.write(b, i, b.length - i);
                    return out.toByteArray();
                case 4: // duplicate a run
                    int end = Math.min(b.length, i + length);
                    out.write(b, 0, end);
                    out.write(b, i, end - i);
                    out.write(b, end, b.length - end);
                    return out.toByteArray();
                default: // flip a high bit: makes UTF-8 invalid or different
                    b = b.clone();
                    b[i] ^= (byte) 0x80;
                    return b;
            }
        }
    }

    private Arbitrary<Mutation> mutation() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 5),
                        Arbitraries.doubles().between(0, 1),
                        Arbitraries.integers().between(-128, 255),
                        Arbitraries.integers().between(1, 40))
                .as(Mutation::new);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    @Property(tries = 1500)
    void generatedRowRecords(@ForAll("rowRecords") String input) {
        check(input.getBytes(StandardCharsets.UTF_8));
    }

    /** Row records as Maxwell writes them, with any values and any whitespace: the fast path's ground. */
    @Provide
    Arbitrary<String> rowRecords() {
        Arbitrary<String> ws = Arbitraries.of("", "", "", " ", "\n", " \t\r\n ");
        Arbitrary<String> column = Combinators.combine(Arbitraries.of("id", "a", "name", "é", "a\\u0062", "x y", "id"), ws, jsonValue(2), ws)
                .as((k, w, v, w2) -> w + "\"" + k + "\"" + w + ":" + w2 + v + w2);
        Arbitrary<String> row = column.list().ofMaxSize(6).map(l -> "{" + String.join(",", l) + "}");
        Arbitrary<String> type = Arbitraries.of("insert", "update", "delete", "bootstrap-insert");
        return Combinators.combine(type, row, row.injectNull(0.5), ws, Arbitraries.integers().between(0, 7))
                .as((t, data, old, w, shape) -> {
                    List<String> all = new ArrayList<>();
                    all.add("\"database\":" + w + "\"d\"");
                    all.add("\"table\":\"t\"");
                    all.add("\"type\":\"" + t + "\"");
                    all.add("\"ts\":" + (shape == 7 ? "1.5" : "1477053217"));
                    all.add("\"xid\":" + (shape % 2 == 0 ? "null" : "9"));
                    all.add(shape % 3 == 0 ? "\"commit\":true" : "\"xoffset\":" + shape);
                    all.add("\"position\":\"mysql-bin.00000" + shape + ":4\"");
                    all.add("\"primary_key_columns\":[\"id\"" + (shape > 4 ? ",\"a\"" : "") + "]");
                    all.add("\"data\":" + w + data);
                    if (old != null) {
                        all.add("\"old\":" + old);
                    }
                    if (shape == 6) {
                        java.util.Collections.reverse(all);
                    }
                    return w + "{" + w + String.join("," + w, all) + w + "}" + w;
                });
    }

    @Provide
    Arbitrary<String> envelopes() {
        Arbitrary<String> type = Arbitraries.of("insert", "update", "delete", "bootstrap-insert", "bootstrap-start", "bootstrap-complete",
                "database-create", "database-alter", "database-drop", "table-create", "table-alter", "table-drop", "heartbeat", "");
        Arbitrary<String> anyValue = jsonValue(2);
        Arbitrary<String> field = Combinators.combine(
                        Arbitraries.of("database", "table", "type", "ts", "xid", "xoffset", "commit", "position", "gtid", "server_id",
                                "serverId", "thread_id", "schema_id", "push_ts", "query", "comment", "primary_key", "primary_key_columns",
                                "data", "old", "def", "sql", "charset", "encrypted", "extra"),
                        anyValue)
                .as((k, v) -> "\"" + k + "\":" + v);
        return Combinators.combine(type, field.list().ofMaxSize(10), Arbitraries.integers().between(0, 10))
                .as((t, fields, where) -> {
                    List<String> all = new ArrayList<>(fields);
                    all.add(Math.min(where, all.size()), "\"type\":\"" + t + "\"");
                    all.add("\"database\":\"d\"");
                    all.add("\"table\":\"t\"");
                    all.add("\"ts\":1");
                    if (where % 2 == 0) {
                        all.add("\"data\":{\"a\":1}");
                    }
                    return "{" + String.join(",", all) + "}";
                });
    }

    private Arbitrary<String> jsonValue(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-1", "1.50", "0E-10", "18446744073709551615", "\"\"", "\"x\"",
                        "\"mysql-bin.000001:4\"", "\"f:\"", "1e999", "\"\\u0000\"", "\"\\uD800\""),
                Arbitraries.strings().ofMaxLength(6).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""),
                Arbitraries.longs().map(l -> Long.toString(l)));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> inner = jsonValue(depth - 1);
        Arbitrary<String> array = inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> object = Combinators.combine(
                        Arbitraries.of("a", "id", "name", "type", "columns", "database", "table", "iv", "bytes", "primary-key"), inner)
                .as((k, v) -> "\"" + k + "\":" + v)
                .list().ofMaxSize(4).map(l -> "{" + String.join(",", l) + "}");
        return Arbitraries.oneOf(scalar, array, object);
    }
}
