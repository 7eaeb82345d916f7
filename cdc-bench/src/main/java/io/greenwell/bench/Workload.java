package io.greenwell.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The seeded workload of {@link ApplyBenchmark} and {@link IndexBenchmark}: Maxwell records of
 * database {@code bench}, one table {@code t} or twenty {@code t0}..{@code t19}, whose keys go up to
 * 200,000 (about 20% inserts of new keys, 70% updates of Zipf-skewed live keys, 10% deletes, in
 * transactions of 1 to 5 rows), full row images of 6 columns (bigint key {@code id}, int {@code a},
 * varchar {@code b}, decimal(12,2) {@code c}, varchar {@code d}, datetime {@code e}), plus 44 int
 * columns {@code x0}..{@code x43} in {@code wide50}. Every row record is at binlog file
 * {@code mysql-bin.000001}; the rows of a transaction share a position, and carry {@code xoffset}
 * or, the last one, {@code commit}.
 */
final class Workload {

    /** The variants, by name. */
    static final List<String> VARIANTS = List.of("narrow", "tables20", "wide50");

    private static final JsonFactory JSON = new JsonFactory();

    /** Told of every row record written, in order. */
    @FunctionalInterface
    interface RowListener {
        /**
         * @param table the table's number
         * @param id the row's key
         * @param delete whether the record deletes the row
         * @param position the record's offset in the binlog file
         * @param xoffset its row within the transaction
         * @param commit whether it is the transaction's last row
         */
        void row(int table, long id, boolean delete, long position, int xoffset, boolean commit);
    }

    final int tables;
    final int extraColumns;
    /** Whether the records are a Maxwell bootstrap of one table instead of changes. */
    final boolean bootstrap;

    /**
     * @param variant {@code narrow}, {@code tables20}, {@code wide50} or {@code bootstrap}
     */
    Workload(String variant) {
        this(variant.equals("tables20") ? 20 : 1, variant.equals("wide50") ? 44 : 0, variant.equals("bootstrap"));
    }

    Workload(int tables, int extraColumns) {
        this(tables, extraColumns, false);
    }

    private Workload(int tables, int extraColumns, boolean bootstrap) {
        this.tables = tables;
        this.extraColumns = extraColumns;
        this.bootstrap = bootstrap;
    }

    String tableName(int t) {
        return tables == 1 ? "t" : "t" + t;
    }

    List<String> columns() {
        List<String> cols = new ArrayList<>(List.of("id", "a", "b", "c", "d", "e"));
        for (int i = 0; i < extraColumns; i++) {
            cols.add("x" + i);
        }
        return cols;
    }

    String columnDdl() {
        StringBuilder sb = new StringBuilder("id bigint NOT NULL, a int, b varchar(20), c decimal(12,2), d varchar(200), e datetime");
        for (int i = 0; i < extraColumns; i++) {
            sb.append(", x").append(i).append(" int");
        }
        return sb.append(", PRIMARY KEY (id)").toString();
    }

    /**
     * Writes the seeded workload: about 20% inserts of new keys (until 200,000), 70% updates of
     * Zipf-skewed live keys, 10% deletes, in transactions of 1 to 5 rows, with full row images.
     *
     * @param listener told of every row record, or null
     * @return the final rows per table: key to the row's values in column order ({@code Long} key,
     *     {@code Integer}, {@code String}, {@code BigDecimal}, {@code String} of the datetime, then {@code Integer}s)
     */
    List<Map<Long, Object[]>> generate(Path out, int n, RowListener listener) throws IOException {
        if (bootstrap) {
            return generateBootstrap(out, n);
        }
        Random rnd = new Random(20261201);
        List<List<Long>> live = new ArrayList<>();
        List<Map<Long, Object[]>> state = new ArrayList<>();
        for (int t = 0; t < tables; t++) {
            live.add(new ArrayList<>());
            state.add(new HashMap<>());
        }
        Zipf zipf = new Zipf(200_000, 0.99);
        long[] nextId = new long[tables];
        long position = 4;
        long xid = 1;
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            write(os, "{\"type\":\"database-create\",\"database\":\"bench\",\"ts\":1,\"sql\":\"CREATE DATABASE bench\",\"position\":\"mysql-bin.000001:1\"}");
            for (int t = 0; t < tables; t++) {
                write(os, tableCreate(t));
            }
            int written = 0;
            while (written < n) {
                int size = Math.min(1 + rnd.nextInt(5), n - written);
                xid++;
                position += 1000;
                for (int i = 0; i < size; i++) {
                    int t = rnd.nextInt(tables);
                    List<Long> keys = live.get(t);
                    Map<Long, Object[]> rows = state.get(t);
                    int op = rnd.nextInt(10);
                    String type;
                    Object[] row;
                    if (keys.isEmpty() || (op < 2 && nextId[t] < 200_000 / tables)) {
                        long id = ++nextId[t];
                        row = newRow(rnd, id);
                        keys.add(id);
                        rows.put(id, row);
                        type = "insert";
                    } else if (op < 9 || keys.size() < 10) {
                        int idx = Math.min(keys.size() - 1, zipf.next(rnd) % keys.size());
                        long id = keys.get(idx);
                        row = newRow(rnd, id);
                        rows.put(id, row);
                        type = "update";
                    } else {
                        int idx = rnd.nextInt(keys.size());
                        long id = keys.get(idx);
                        keys.set(idx, keys.get(keys.size() - 1));
                        keys.remove(keys.size() - 1);
                        row = rows.remove(id);
                        type = "delete";
                    }
                    write(os, rowRecord(t, type, row, xid, i, i == size - 1, position));
                    if (listener != null) {
                        listener.row(t, (Long) row[0], type.equals("delete"), position, i, i == size - 1);
                    }
                    written++;
                }
            }
        }
        List<Map<Long, Object[]>> finalRows = new ArrayList<>();
        for (int t = 0; t < tables; t++) {
            finalRows.add(new TreeMap<>(state.get(t)));
        }
        return finalRows;
    }

    /**
     * Writes a Maxwell bootstrap of table {@code t} as Maxwell's bootstrapper sends it: the table's
     * creation, {@code bootstrap-start}, one {@code bootstrap-insert} per row (keys 1 to n in key
     * order, no binlog position), {@code bootstrap-complete}.
     *
     * @return the final rows: every row of the bootstrap
     */
    private List<Map<Long, Object[]>> generateBootstrap(Path out, int n) throws IOException {
        Random rnd = new Random(20261201);
        Map<Long, Object[]> rows = new TreeMap<>();
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            write(os, "{\"type\":\"database-create\",\"database\":\"bench\",\"ts\":1,\"sql\":\"CREATE DATABASE bench\",\"position\":\"mysql-bin.000001:1\"}");
            write(os, tableCreate(0));
            write(os, marker("bootstrap-start"));
            for (long id = 1; id <= n; id++) {
                Object[] row = newRow(rnd, id);
                rows.put(id, row);
                write(os, bootstrapRow(row));
            }
            write(os, marker("bootstrap-complete"));
        }
        return List.of(rows);
    }

    private String marker(String type) {
        return "{\"database\":\"bench\",\"table\":\"" + tableName(0) + "\",\"type\":\"" + type + "\",\"ts\":1795461549,\"data\":{}}";
    }

    private String bootstrapRow(Object[] row) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("database", "bench");
            g.writeStringField("table", tableName(0));
            g.writeStringField("type", "bootstrap-insert");
            g.writeNumberField("ts", 1795461549);
            g.writeArrayFieldStart("primary_key_columns");
            g.writeString("id");
            g.writeEndArray();
            data(g, row);
            g.writeEndObject();
        }
        return w.toString();
    }

    private void data(JsonGenerator g, Object[] row) throws IOException {
        List<String> cols = columns();
        g.writeObjectFieldStart("data");
        for (int i = 0; i < cols.size(); i++) {
            Object v = row[i];
            if (v instanceof String) {
                g.writeStringField(cols.get(i), (String) v);
            } else if (v instanceof BigDecimal) {
                g.writeFieldName(cols.get(i));
                g.writeNumber((BigDecimal) v);
            } else if (v instanceof Long) {
                g.writeNumberField(cols.get(i), (Long) v);
            } else {
                g.writeNumberField(cols.get(i), (Integer) v);
            }
        }
        g.writeEndObject();
    }

    private Object[] newRow(Random rnd, long id) {
        Object[] r = new Object[6 + extraColumns];
        r[0] = id;
        r[1] = rnd.nextInt(1_000_000);
        r[2] = "name-" + Integer.toString(rnd.nextInt(1 << 30), 36);
        r[3] = BigDecimal.valueOf(rnd.nextInt(100_000_000), 2);
        r[4] = "description " + Long.toString(rnd.nextLong() & Long.MAX_VALUE, 36) + " " + "x".repeat(rnd.nextInt(60));
        r[5] = String.format(Locale.ROOT, "2024-%02d-%02d %02d:%02d:%02d", 1 + rnd.nextInt(12), 1 + rnd.nextInt(28), rnd.nextInt(24),
                rnd.nextInt(60), rnd.nextInt(60));
        for (int i = 0; i < extraColumns; i++) {
            r[6 + i] = rnd.nextInt(1000);
        }
        return r;
    }

    /** @return the row's values joined by {@code |}, as {@link ApplyBenchmark}'s checks read a table back */
    static String render(Object[] r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < r.length; i++) {
            sb.append(i == 0 ? "" : "|").append(r[i]);
        }
        return sb.toString();
    }

    private String tableCreate(int t) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("type", "table-create");
            g.writeStringField("database", "bench");
            g.writeStringField("table", tableName(t));
            g.writeObjectFieldStart("def");
            g.writeStringField("database", "bench");
            g.writeStringField("table", tableName(t));
            g.writeArrayFieldStart("primary-key");
            g.writeString("id");
            g.writeEndArray();
            g.writeArrayFieldStart("columns");
            String[][] cols = {{"id", "bigint"}, {"a", "int"}, {"b", "varchar"}, {"c", "decimal"}, {"d", "varchar"}, {"e", "datetime"}};
            for (String[] c : cols) {
                g.writeStartObject();
                g.writeStringField("type", c[1]);
                g.writeStringField("name", c[0]);
                g.writeEndObject();
            }
            for (int i = 0; i < extraColumns; i++) {
                g.writeStartObject();
                g.writeStringField("type", "int");
                g.writeStringField("name", "x" + i);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeNumberField("ts", 1);
            g.writeStringField("sql", "CREATE TABLE " + tableName(t) + " (" + columnDdl() + ")");
            g.writeStringField("position", "mysql-bin.000001:" + (2 + t));
            g.writeEndObject();
        }
        return w.toString();
    }

    private String rowRecord(int t, String type, Object[] row, long xid, int xoffset, boolean commit, long position) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("database", "bench");
            g.writeStringField("table", tableName(t));
            g.writeStringField("type", type);
            g.writeNumberField("ts", 1795461549);
            g.writeNumberField("xid", xid);
            if (commit) {
                g.writeBooleanField("commit", true);
            } else {
                g.writeNumberField("xoffset", xoffset);
            }
            g.writeStringField("position", "mysql-bin.000001:" + position);
            g.writeNumberField("server_id", 1);
            g.writeArrayFieldStart("primary_key_columns");
            g.writeString("id");
            g.writeEndArray();
            data(g, row);
            if (type.equals("update")) {
                g.writeObjectFieldStart("old");
                g.writeNumberField("a", -1);
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        return w.toString();
    }

    private static void write(OutputStream os, String line) throws IOException {
        os.write(line.getBytes(StandardCharsets.UTF_8));
        os.write('\n');
    }

    /** Zipf-distributed ranks 0..n-1 by inverting a precomputed cumulative distribution. */
    private static final class Zipf {
        private final double[] cdf;

        Zipf(int n, double s) {
            cdf = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += 1 / Math.pow(i + 1, s);
                cdf[i] = sum;
            }
            for (int i = 0; i < n; i++) {
                cdf[i] /= sum;
            }
        }

        int next(Random rnd) {
            int i = java.util.Arrays.binarySearch(cdf, rnd.nextDouble());
            return i >= 0 ? i : -i - 1;
        }
    }

    /**
     * Prints one row of a benchmark's table of parts.
     *
     * @param r {seconds of the timed run, 1 when its state was right}, or null to print nothing
     */
    static void printRow(String name, double[] r, long events) {
        if (r == null) {
            return;
        }
        System.out.printf(java.util.Locale.ROOT, "| %s | %.2f | %,d | %s |%n", name, r[0], Math.round(events / r[0]), r[1] == 1 ? "ok" : "WRONG");
    }
}
