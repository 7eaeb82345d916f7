package io.greenwell.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding throughput of {@link MaxwellDecoder} over a realistic, deterministic corpus of Maxwell
 * JSON records, against the ceiling of merely tokenizing the same bytes with Jackson.
 *
 * <p>One operation is one record: each invocation goes over the whole corpus of
 * {@value #MESSAGES} records, so the scores are events per second. The corpus (generated once per
 * trial from a fixed seed) mixes:
 *
 * <ul>
 *   <li>60% narrow rows of an 8-column {@code shop.orders} table: inserts, deletes, and updates
 *       whose {@code old} holds only {@code status};
 *   <li>20% updates of the same table whose {@code old} holds 1-3 changed business columns;
 *   <li>15% wide rows (insert/update/delete) of a 50-column {@code shop.customer_profile} table
 *       with big unsigned integers, decimals, strings, timestamps, nulls, a JSON column and a SET;
 *   <li>5% DDL records: {@code table-create} and {@code table-alter} with ~10-column definitions.
 * </ul>
 *
 * <p>All records live back to back in one {@code byte[]} with an offsets array, so the measured
 * loop allocates no input. Setup decodes every record once and fails when any does not decode as
 * expected, and prints the average record size so MB/s can be derived from ops/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class MaxwellDecodeBenchmark {

    /** Records in the corpus, and operations per benchmark invocation. */
    public static final int MESSAGES = 1000;

    private static final long SEED = 0x6D61_7877_656C_6CL; // "maxwell"
    private static final String STREAM = "maxwell-0";

    /** All records, back to back. */
    private byte[] corpus;

    /** Record {@code i} is {@code corpus[offsets[i], offsets[i + 1])}; {@code MESSAGES + 1} entries. */
    private int[] offsets;

    private MaxwellDecoder decoder;
    private JsonFactory jsonFactory;

    /** The corpus size divided by {@link #MESSAGES}: ops/s times this is bytes/s. */
    private double averageBytes;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        decoder = MaxwellDecoder.create();
        jsonFactory = new JsonFactoryBuilder().build();

        List<Generated> messages = new CorpusGenerator(new Random(SEED)).generate();
        ByteArrayOutputStream out = new ByteArrayOutputStream(MESSAGES * 1024);
        offsets = new int[MESSAGES + 1];
        for (int i = 0; i < MESSAGES; i++) {
            byte[] b = messages.get(i).json.getBytes(StandardCharsets.UTF_8);
            offsets[i] = out.size();
            out.write(b);
        }
        offsets[MESSAGES] = out.size();
        corpus = out.toByteArray();
        averageBytes = (double) corpus.length / MESSAGES;

        verify(messages);

        int[] kinds = new int[Kind.values().length];
        long[] kindBytes = new long[Kind.values().length];
        for (int i = 0; i < MESSAGES; i++) {
            Kind k = messages.get(i).kind;
            kinds[k.ordinal()]++;
            kindBytes[k.ordinal()] += offsets[i + 1] - offsets[i];
        }
        StringBuilder mix = new StringBuilder();
        for (Kind k : Kind.values()) {
            mix.append(String.format(Locale.ROOT, " %s=%d (avg %d B)", k.label, kinds[k.ordinal()],
                    kinds[k.ordinal()] == 0 ? 0 : kindBytes[k.ordinal()] / kinds[k.ordinal()]));
        }
        System.out.printf(Locale.ROOT, "%nMaxwellDecodeBenchmark corpus: %d messages, %d bytes, average message size %.1f bytes;%s%n"
                        + "MB/s = ops/s * %.1f / 1e6%n",
                MESSAGES, corpus.length, averageBytes, mix, averageBytes);
    }

    /** Decodes every record once and checks that the event is the one that was generated. */
    private void verify(List<Generated> messages) throws IOException {
        for (int i = 0; i < MESSAGES; i++) {
            Generated g = messages.get(i);
            int off = offsets[i];
            int len = offsets[i + 1] - off;
            ChangeEvent e;
            try {
                e = decoder.decode(corpus, off, len, STREAM, i);
            } catch (RuntimeException ex) {
                throw new IllegalStateException("message " + i + " does not decode: " + g.json, ex);
            }
            String problem = check(g, e);
            if (problem != null) {
                throw new IllegalStateException("message " + i + " decoded wrongly (" + problem + "): " + g.json + " -> " + e);
            }
            // The tokenizer must see the same record as one complete value.
            int tokens = 0;
            try (JsonParser p = jsonFactory.createParser(corpus, off, len)) {
                while (p.nextToken() != null) {
                    tokens++;
                }
            }
            if (tokens < 3) {
                throw new IllegalStateException("message " + i + " has only " + tokens + " tokens");
            }
        }
    }

    private static String check(Generated g, ChangeEvent e) {
        if (g.kind == Kind.DDL) {
            if (!(e instanceof SchemaChange)) {
                return "expected a SchemaChange";
            }
            SchemaChange s = (SchemaChange) e;
            if (s.def() == null || s.def().columns().size() != g.columns) {
                return "expected " + g.columns + " columns in def";
            }
            if (s.kind() == SchemaChange.Kind.TABLE_ALTER && (s.oldDef() == null || s.oldDef().columns().size() != g.oldColumns)) {
                return "expected " + g.oldColumns + " columns in old";
            }
            return null;
        }
        if (!(e instanceof RowChange)) {
            return "expected a RowChange";
        }
        RowChange r = (RowChange) e;
        if (r.op() != g.op) {
            return "expected op " + g.op;
        }
        if (r.data().size() != g.columns) {
            return "expected " + g.columns + " columns in data, got " + r.data().size();
        }
        if (r.old().size() != g.oldColumns) {
            return "expected " + g.oldColumns + " columns in old, got " + r.old().size();
        }
        if (r.position() == null || r.meta().xid() == null) {
            return "expected a position and an xid";
        }
        return null;
    }

    /** The decoder: every record to a {@link ChangeEvent}. */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void decode(Blackhole bh) {
        final byte[] buf = corpus;
        final int[] offs = offsets;
        final MaxwellDecoder d = decoder;
        for (int i = 0; i < MESSAGES; i++) {
            int off = offs[i];
            bh.consume(d.decode(buf, off, offs[i + 1] - off, STREAM, i));
        }
    }

    /**
     * Decoding plus reading every value of every row image, which the decoder otherwise leaves
     * until a value is asked for: what a consumer that looks at every value pays.
     */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void decodeWithValues(Blackhole bh) {
        final byte[] buf = corpus;
        final int[] offs = offsets;
        final MaxwellDecoder d = decoder;
        for (int i = 0; i < MESSAGES; i++) {
            int off = offs[i];
            ChangeEvent e = d.decode(buf, off, offs[i + 1] - off, STREAM, i);
            if (e instanceof RowChange) {
                RowChange r = (RowChange) e;
                for (int k = 0; k < r.data().size(); k++) {
                    bh.consume(r.data().value(k));
                }
                for (int k = 0; k < r.old().size(); k++) {
                    bh.consume(r.old().value(k));
                }
            }
            bh.consume(e);
        }
    }

    /** The ceiling: Jackson's tokenizer over the same bytes, materializing no values. */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void tokenizeOnly(Blackhole bh) throws IOException {
        final byte[] buf = corpus;
        final int[] offs = offsets;
        final JsonFactory f = jsonFactory;
        for (int i = 0; i < MESSAGES; i++) {
            int off = offs[i];
            try (JsonParser p = f.createParser(buf, off, offs[i + 1] - off)) {
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    bh.consume(t);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Corpus generation

    private enum Kind {
        NARROW("narrow"),
        UPDATE("update+old"),
        WIDE("wide"),
        DDL("ddl");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One generated record and what decoding it must give. */
    private static final class Generated {
        final Kind kind;
        final String json;
        final Op op;
        final int columns;
        final int oldColumns;

        Generated(Kind kind, String json, Op op, int columns, int oldColumns) {
            this.kind = kind;
            this.json = json;
            this.op = op;
            this.columns = columns;
            this.oldColumns = oldColumns;
        }
    }

    /** Writes Maxwell records as text, the way Maxwell lays them out. Deterministic for a seed. */
    private static final class CorpusGenerator {

        private static final String[] STATUS = {"new", "paid", "packed", "shipped", "delivered", "cancelled", "refunded"};
        private static final String[] WORDS = {
            "fast", "delivery", "please", "ring", "twice", "leave", "at", "door", "gift", "wrap", "fragile",
            "Müller", "Straße", "café", "naïve", "crème", "brûlée", "Zürich", "København", "Łódź", "São", "Paulo",
            "東京", "配送", "ありがとう", "Москва", "доставка", "😀", "🚚", "€", "say \"hi\"", "C:\\tmp", "tab\there"
        };
        private static final String[] SET_MEMBERS = {"newsletter", "sms", "email", "push", "partner"};
        private static final String[] COUNTRIES = {"DE", "FR", "JP", "BR", "US", "PL", "DK", "CH"};
        private static final String[] WIDE_TYPES = {
            "int", "bigint_u", "decimal", "varchar", "timestamp", "tinyint", "varchar", "decimal", "datetime", "varchar"
        };

        private final Random rnd;
        private final StringBuilder sb = new StringBuilder(4096);
        private final String[] wideNames = new String[50];
        private final String[] wideTypes = new String[50];

        private long xid = 8_801_234L;
        private int xoffset;
        private int txRowsLeft;
        private long binlogOffset = 12_345L;
        private int binlogFile = 42;
        private long ts = 1_795_461_549L; // seconds, as Maxwell writes row records
        private int nextOrderId = 100_000;

        CorpusGenerator(Random rnd) {
            this.rnd = rnd;
            for (int i = 0; i < 50; i++) {
                String t;
                if (i == 0) {
                    t = "id";
                } else if (i == 47) {
                    t = "json";
                } else if (i == 48) {
                    t = "set";
                } else {
                    t = WIDE_TYPES[i % WIDE_TYPES.length];
                }
                wideTypes[i] = t;
                wideNames[i] = i == 0 ? "id" : String.format(Locale.ROOT, "%s_%02d", t.equals("bigint_u") ? "counter" : "attr_" + t, i);
            }
        }

        List<Generated> generate() {
            // Exact shares, then a seeded shuffle: 60% narrow, 20% update+old, 15% wide, 5% DDL.
            List<Kind> plan = new ArrayList<>(MESSAGES);
            int narrow = MESSAGES * 60 / 100;
            int update = MESSAGES * 20 / 100;
            int wide = MESSAGES * 15 / 100;
            int ddl = MESSAGES - narrow - update - wide;
            add(plan, Kind.NARROW, narrow);
            add(plan, Kind.UPDATE, update);
            add(plan, Kind.WIDE, wide);
            add(plan, Kind.DDL, ddl);
            Collections.shuffle(plan, rnd);

            List<Generated> out = new ArrayList<>(MESSAGES);
            for (Kind k : plan) {
                switch (k) {
                    case NARROW:
                        out.add(narrow());
                        break;
                    case UPDATE:
                        out.add(narrowUpdate());
                        break;
                    case WIDE:
                        out.add(wide());
                        break;
                    default:
                        out.add(ddl());
                        break;
                }
            }
            return out;
        }

        private static void add(List<Kind> plan, Kind k, int n) {
            for (int i = 0; i < n; i++) {
                plan.add(k);
            }
        }

        // --- records ------------------------------------------------------------------------------

        private Generated narrow() {
            int r = rnd.nextInt(100);
            Op op = r < 70 ? Op.INSERT : r < 90 ? Op.DELETE : Op.UPDATE;
            int id = op == Op.INSERT ? nextOrderId++ : 100_000 + rnd.nextInt(Math.max(1, nextOrderId - 100_000));
            sb.setLength(0);
            envelope("orders", op);
            primaryKey(id);
            sb.append(",\"data\":{");
            int cols = orderColumns(id);
            sb.append('}');
            int oldCols = 0;
            if (op == Op.UPDATE) {
                sb.append(",\"old\":{\"status\":");
                str(STATUS[rnd.nextInt(STATUS.length)]);
                sb.append('}');
                oldCols = 1;
            }
            sb.append('}');
            return new Generated(Kind.NARROW, sb.toString(), op, cols, oldCols);
        }

        private Generated narrowUpdate() {
            int id = 100_000 + rnd.nextInt(Math.max(1, nextOrderId - 100_000));
            sb.setLength(0);
            envelope("orders", Op.UPDATE);
            primaryKey(id);
            sb.append(",\"data\":{");
            int cols = orderColumns(id);
            sb.append("},\"old\":{");
            // 1-3 of the business columns changed.
            String[] changeable = {"amount", "qty", "note", "status"};
            int n = 1 + rnd.nextInt(3);
            int start = rnd.nextInt(changeable.length);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                String c = changeable[(start + i) % changeable.length];
                name(c);
                switch (c) {
                    case "status":
                        str(STATUS[rnd.nextInt(STATUS.length)]);
                        break;
                    case "amount":
                        decimal(4, 2);
                        break;
                    case "qty":
                        sb.append(1 + rnd.nextInt(20));
                        break;
                    case "note":
                        str(text(3, 30));
                        break;
                    default:
                        throw new IllegalStateException(c);
                }
            }
            sb.append("}}");
            return new Generated(Kind.UPDATE, sb.toString(), Op.UPDATE, cols, n);
        }

        /** The 8 columns of {@code shop.orders}; returns the column count. */
        private int orderColumns(int id) {
            name("id");
            sb.append(id);
            sb.append(",\"customer_id\":").append(1 + rnd.nextInt(500_000));
            sb.append(",\"status\":");
            str(STATUS[rnd.nextInt(STATUS.length)]);
            sb.append(",\"amount\":");
            decimal(4, 2);
            sb.append(",\"qty\":").append(1 + rnd.nextInt(20));
            sb.append(",\"note\":");
            if (rnd.nextInt(3) == 0) {
                sb.append("null");
            } else {
                str(text(3, 20));
            }
            sb.append(",\"created_at\":");
            str(datetime(-rnd.nextInt(86_400)));
            sb.append(",\"shipped_at\":");
            if (rnd.nextInt(10) < 7) {
                sb.append("null");
            } else {
                str(datetime(0));
            }
            return 8;
        }

        private Generated wide() {
            int r = rnd.nextInt(100);
            Op op = r < 50 ? Op.INSERT : r < 85 ? Op.UPDATE : Op.DELETE;
            long id = 5_000_000L + rnd.nextInt(1_000_000);
            sb.setLength(0);
            envelope("customer_profile", op);
            primaryKey(id);
            sb.append(",\"data\":{");
            for (int i = 0; i < 50; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                name(wideNames[i]);
                if (i == 0) {
                    sb.append(id);
                } else {
                    wideValue(wideTypes[i]);
                }
            }
            sb.append('}');
            int oldCols = 0;
            if (op == Op.UPDATE) {
                sb.append(",\"old\":{");
                oldCols = 1 + rnd.nextInt(3);
                int start = 1 + rnd.nextInt(45);
                for (int i = 0; i < oldCols; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    name(wideNames[start + i]);
                    wideValue(wideTypes[start + i]);
                }
                sb.append('}');
            }
            sb.append('}');
            return new Generated(Kind.WIDE, sb.toString(), op, 50, oldCols);
        }

        private void wideValue(String type) {
            if (!type.equals("json") && !type.equals("set") && rnd.nextInt(8) == 0) {
                sb.append("null");
                return;
            }
            switch (type) {
                case "int":
                    sb.append(rnd.nextInt() >> rnd.nextInt(24));
                    break;
                case "tinyint":
                    sb.append(rnd.nextInt(2));
                    break;
                case "bigint_u":
                    switch (rnd.nextInt(3)) {
                        case 0:
                            sb.append("18446744073709551615");
                            break;
                        case 1:
                            sb.append(Long.toUnsignedString(rnd.nextLong()));
                            break;
                        default:
                            sb.append(rnd.nextInt(1_000_000));
                            break;
                    }
                    break;
                case "decimal":
                    decimal(1 + rnd.nextInt(8), 2 + rnd.nextInt(3));
                    break;
                case "varchar":
                    str(text(10, 60));
                    break;
                case "timestamp":
                    str(datetime(-rnd.nextInt(10_000_000)) + "." + String.format(Locale.ROOT, "%06d", rnd.nextInt(1_000_000)));
                    break;
                case "datetime":
                    str(datetime(-rnd.nextInt(100_000_000)));
                    break;
                case "json":
                    sb.append("{\"source\":");
                    str(COUNTRIES[rnd.nextInt(COUNTRIES.length)].toLowerCase(Locale.ROOT) + "-web");
                    sb.append(",\"score\":").append(rnd.nextInt(1000)).append('.').append(rnd.nextInt(10));
                    sb.append(",\"vip\":").append(rnd.nextBoolean());
                    sb.append(",\"tags\":[");
                    int tags = rnd.nextInt(4);
                    for (int i = 0; i < tags; i++) {
                        if (i > 0) {
                            sb.append(',');
                        }
                        str(WORDS[rnd.nextInt(WORDS.length)]);
                    }
                    sb.append("],\"address\":{\"country\":");
                    str(COUNTRIES[rnd.nextInt(COUNTRIES.length)]);
                    sb.append(",\"zip\":");
                    str(String.format(Locale.ROOT, "%05d", rnd.nextInt(100_000)));
                    sb.append(",\"line2\":null}}");
                    break;
                case "set":
                    sb.append('[');
                    boolean first = true;
                    for (String m : SET_MEMBERS) {
                        if (rnd.nextInt(3) == 0) {
                            if (!first) {
                                sb.append(',');
                            }
                            str(m);
                            first = false;
                        }
                    }
                    sb.append(']');
                    break;
                default:
                    throw new IllegalStateException(type);
            }
        }

        private Generated ddl() {
            boolean alter = rnd.nextInt(3) != 0;
            String table = "audit_" + (1 + rnd.nextInt(20));
            int cols = 9 + rnd.nextInt(3);
            long tsMillis = ts * 1000L + rnd.nextInt(1000); // DDL ts is milliseconds
            sb.setLength(0);
            sb.append("{\"type\":");
            str(alter ? "table-alter" : "table-create");
            sb.append(",\"database\":\"shop\",\"table\":");
            str(table);
            int oldCols = 0;
            if (alter) {
                oldCols = cols - 1;
                sb.append(",\"old\":");
                tableDef(table, oldCols);
            }
            sb.append(",\"def\":");
            tableDef(table, cols);
            sb.append(",\"ts\":").append(tsMillis);
            sb.append(",\"sql\":");
            if (alter) {
                str("ALTER TABLE `" + table + "` ADD COLUMN `col_" + (cols - 1) + "` varchar(64) NULL COMMENT 'added — v" + cols + "'");
            } else {
                StringBuilder sql = new StringBuilder("CREATE TABLE `").append(table).append("` (\n  `id` int NOT NULL AUTO_INCREMENT");
                for (int i = 1; i < cols; i++) {
                    sql.append(",\n  `col_").append(i).append("` ").append(ddlSqlType(i));
                }
                sql.append(",\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
                str(sql.toString());
            }
            sb.append(",\"position\":");
            str(position());
            sb.append('}');
            binlogOffset += 200 + rnd.nextInt(400);
            return new Generated(Kind.DDL, sb.toString(), null, cols, oldCols);
        }

        private void tableDef(String table, int cols) {
            sb.append("{\"database\":\"shop\",\"charset\":\"utf8mb4\",\"table\":");
            str(table);
            sb.append(",\"primary-key\":[\"id\"],\"columns\":[");
            for (int i = 0; i < cols; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                if (i == 0) {
                    sb.append("{\"type\":\"int\",\"name\":\"id\",\"signed\":true}");
                    continue;
                }
                String n = "col_" + i;
                switch (i % 5) {
                    case 0:
                        sb.append("{\"type\":\"bigint\",\"name\":\"").append(n).append("\",\"signed\":false}");
                        break;
                    case 1:
                        sb.append("{\"type\":\"varchar\",\"name\":\"").append(n).append("\",\"charset\":\"utf8mb4\"}");
                        break;
                    case 2:
                        sb.append("{\"type\":\"datetime\",\"name\":\"").append(n).append("\",\"column-length\":3}");
                        break;
                    case 3:
                        sb.append("{\"type\":\"enum\",\"name\":\"").append(n).append("\",\"enum-values\":[\"a\",\"b\",\"c\"]}");
                        break;
                    default:
                        sb.append("{\"type\":\"decimal\",\"name\":\"").append(n).append("\"}");
                        break;
                }
            }
            sb.append("]}");
        }

        private static String ddlSqlType(int i) {
            switch (i % 5) {
                case 0:
                    return "bigint unsigned NOT NULL DEFAULT '0'";
                case 1:
                    return "varchar(64) DEFAULT NULL";
                case 2:
                    return "datetime(3) DEFAULT NULL";
                case 3:
                    return "enum('a','b','c') NOT NULL DEFAULT 'a'";
                default:
                    return "decimal(12,2) DEFAULT NULL";
            }
        }

        // --- envelope -----------------------------------------------------------------------------

        /** Opens the record and writes the envelope up to {@code server_id}, in Maxwell's order. */
        private void envelope(String table, Op op) {
            if (txRowsLeft == 0) {
                xid += 1 + rnd.nextInt(50);
                xoffset = 0;
                txRowsLeft = 1 + rnd.nextInt(8);
                binlogOffset += 300 + rnd.nextInt(3000);
                if (binlogOffset > 1_073_741_824L) {
                    binlogFile++;
                    binlogOffset = 4;
                }
                ts += rnd.nextInt(3);
            }
            sb.append("{\"database\":\"shop\",\"table\":");
            str(table);
            sb.append(",\"type\":");
            str(op == Op.INSERT ? "insert" : op == Op.UPDATE ? "update" : "delete");
            sb.append(",\"ts\":").append(ts);
            sb.append(",\"xid\":").append(xid);
            txRowsLeft--;
            if (txRowsLeft == 0) {
                sb.append(",\"commit\":true");
            } else {
                sb.append(",\"xoffset\":").append(xoffset++);
            }
            sb.append(",\"position\":");
            str(position());
            sb.append(",\"server_id\":").append(1 + rnd.nextInt(3));
        }

        private String position() {
            return String.format(Locale.ROOT, "mysql-bin.%06d:%d", binlogFile, binlogOffset);
        }

        private void primaryKey(long id) {
            sb.append(",\"primary_key\":[").append(id).append("],\"primary_key_columns\":[\"id\"]");
        }

        // --- values -------------------------------------------------------------------------------

        private void name(String n) {
            str(n);
            sb.append(':');
        }

        /** A MySQL DECIMAL as Maxwell writes it: a bare JSON number, scale kept (1234.50). */
        private void decimal(int intDigits, int scale) {
            long max = 1;
            for (int i = 0; i < intDigits; i++) {
                max *= 10;
            }
            long whole = (long) (rnd.nextDouble() * max);
            if (rnd.nextInt(10) == 0) {
                sb.append('-');
            }
            sb.append(whole).append('.');
            for (int i = 0; i < scale; i++) {
                sb.append(i == scale - 1 && rnd.nextInt(3) == 0 ? '0' : (char) ('0' + rnd.nextInt(10)));
            }
        }

        /** A "yyyy-MM-dd HH:mm:ss" string around the current {@code ts}. */
        private String datetime(int deltaSeconds) {
            java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(ts + deltaSeconds, 0, java.time.ZoneOffset.UTC);
            return String.format(Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d",
                    t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
        }

        /** Words joined by spaces, between {@code min} and about {@code max} characters. */
        private String text(int min, int max) {
            int target = min + rnd.nextInt(max - min + 1);
            StringBuilder t = new StringBuilder(target + 16);
            while (t.length() < target) {
                if (t.length() > 0) {
                    t.append(' ');
                }
                // Mostly ASCII words, now and then a non-ASCII or escaped one.
                String w = rnd.nextInt(4) == 0 ? WORDS[rnd.nextInt(WORDS.length)] : WORDS[rnd.nextInt(11)];
                t.append(w);
            }
            if (t.length() > max) {
                int cut = max;
                if (Character.isLowSurrogate(t.charAt(cut))) {
                    cut--; // never split a surrogate pair
                }
                t.setLength(cut);
            }
            return t.toString();
        }

        /** Writes a JSON string literal: quotes, backslashes and control characters escaped. */
        private void str(String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"':
                        sb.append("\\\"");
                        break;
                    case '\\':
                        sb.append("\\\\");
                        break;
                    case '\n':
                        sb.append("\\n");
                        break;
                    case '\r':
                        sb.append("\\r");
                        break;
                    case '\t':
                        sb.append("\\t");
                        break;
                    default:
                        if (c < 0x20) {
                            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            sb.append(c); // non-ASCII stays raw UTF-8, as Maxwell writes it
                        }
                        break;
                }
            }
            sb.append('"');
        }
    }
}
