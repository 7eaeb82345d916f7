package io.greenwell.cdc.greenplum;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes Maxwell records the way Maxwell's file producer does (one JSON object per line, the
 * fields of {@code testdata/maxwell}), for tests that need streams the captured data lacks. Each
 * call to {@link #begin()}…{@link #commit()} is one transaction; positions increase.
 */
public final class MaxwellStream {

    /** @return a row image from column, value, column, value, ... in that order */
    public static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int lines;
    private final List<byte[]> written = new ArrayList<>();
    private long position = 4;
    private long xid = 100;
    private final List<ObjectNode> tx = new ArrayList<>();
    private boolean open;
    private long ts = 1795461549L;

    /** A column of a table-create: name, Maxwell type, and whether it is signed (null when not numeric). */
    public record Col(String name, String type) {}

    public MaxwellStream createDatabase(String db) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "database-create").put("database", db).put("charset", "utf8mb4").put("ts", ts * 1000)
                .put("sql", "CREATE DATABASE `" + db.replace("`", "``") + "`").put("position", nextPosition());
        line(n);
        return this;
    }

    public MaxwellStream createTable(String db, String table, List<Col> cols, List<String> pk, String sql) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "table-create").put("database", db).put("table", table).set("def", def(db, table, cols, pk));
        n.put("ts", ts * 1000).put("sql", sql).put("position", nextPosition());
        line(n);
        return this;
    }

    /** A table-alter from one definition to another, with the statement that did it. */
    public MaxwellStream alterTable(String db, String table, List<Col> oldCols, List<String> oldPk, List<Col> cols, List<String> pk,
            String sql) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "table-alter").put("database", db).put("table", table);
        n.set("old", def(db, table, oldCols, oldPk));
        n.set("def", def(db, table, cols, pk));
        n.put("ts", ts * 1000).put("sql", sql).put("position", nextPosition());
        line(n);
        return this;
    }

    private static ObjectNode def(String db, String table, List<Col> cols, List<String> pk) {
        ObjectNode def = JSON.createObjectNode();
        def.put("database", db).put("charset", "utf8mb4").put("table", table);
        ArrayNode k = def.putArray("primary-key");
        pk.forEach(k::add);
        ArrayNode cs = def.putArray("columns");
        for (Col c : cols) {
            ObjectNode cn = cs.addObject().put("type", c.type()).put("name", c.name());
            if (c.type().endsWith("int") || c.type().equals("decimal") || c.type().equals("double") || c.type().equals("float")) {
                cn.put("signed", true);
            }
            if (c.type().endsWith("char") || c.type().endsWith("text")) {
                cn.put("charset", "utf8mb4");
            }
        }
        return def;
    }

    /** The MySQL time (Maxwell's {@code ts}, in seconds) of the records written from now on. */
    public MaxwellStream at(long epochSeconds) {
        this.ts = epochSeconds;
        return this;
    }

    /** The xid of the next transaction is this one plus one (MySQL's counter restarts with the server). */
    public MaxwellStream xid(long previous) {
        this.xid = previous;
        return this;
    }

    public MaxwellStream begin() {
        if (open) {
            throw new IllegalStateException("transaction open");
        }
        open = true;
        xid++;
        return this;
    }

    public MaxwellStream insert(String db, String table, List<String> pk, Map<String, ?> data) {
        return row("insert", db, table, pk, data, null);
    }

    public MaxwellStream update(String db, String table, List<String> pk, Map<String, ?> data, Map<String, ?> old) {
        return row("update", db, table, pk, data, old);
    }

    public MaxwellStream delete(String db, String table, List<String> pk, Map<String, ?> data) {
        return row("delete", db, table, pk, data, null);
    }

    public MaxwellStream commit() {
        for (int i = 0; i < tx.size(); i++) {
            ObjectNode n = tx.get(i);
            if (i == tx.size() - 1) {
                n.put("commit", true);
            } else {
                n.put("xoffset", i);
            }
            n.put("position", "mysql-bin.000001:" + position);
            n.put("server_id", 1);
            line(n);
        }
        position += 100;
        tx.clear();
        open = false;
        return this;
    }

    public MaxwellStream bootstrapStart(String db, String table) {
        return marker("bootstrap-start", db, table);
    }

    public MaxwellStream bootstrapComplete(String db, String table) {
        return marker("bootstrap-complete", db, table);
    }

    /** A snapshot row, as Maxwell writes it: no xid, no position. */
    public MaxwellStream bootstrapInsert(String db, String table, List<String> pk, Map<String, ?> data) {
        ObjectNode n = JSON.createObjectNode();
        n.put("database", db).put("table", table).put("type", "bootstrap-insert").put("ts", ts);
        ArrayNode k = n.putArray("primary_key_columns");
        pk.forEach(k::add);
        n.set("data", JSON.valueToTree(data));
        line(n);
        return this;
    }

    /** Appends a record as it is (a replay of an earlier line, or a malformed one). */
    public MaxwellStream raw(byte[] line) {
        out.write(line, 0, line.length);
        out.write('\n');
        written.add(line);
        lines++;
        return this;
    }

    /** @return the bytes of line i (from 0), without its line end */
    public byte[] line(int i) {
        return written.get(i);
    }

    /** @return how many lines were written so far */
    public int size() {
        return lines;
    }

    private MaxwellStream marker(String type, String db, String table) {
        ObjectNode n = JSON.createObjectNode();
        n.put("database", db).put("table", table).put("type", type).put("ts", ts).putObject("data");
        line(n);
        return this;
    }

    private MaxwellStream row(String type, String db, String table, List<String> pk, Map<String, ?> data, Map<String, ?> old) {
        boolean single = !open;
        if (single) {
            begin();
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("database", db).put("table", table).put("type", type).put("ts", ts).put("xid", xid);
        ArrayNode k = n.putArray("primary_key_columns");
        pk.forEach(k::add);
        n.set("data", JSON.valueToTree(data));
        if (old != null) {
            n.set("old", JSON.valueToTree(old));
        }
        tx.add(n);
        if (single) {
            commit();
        }
        return this;
    }

    private String nextPosition() {
        position += 100;
        return "mysql-bin.000001:" + position;
    }

    private void line(ObjectNode n) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.write(bytes, 0, bytes.length);
        out.write('\n');
        written.add(bytes);
        lines++;
    }

    /** @return the records written so far, with their byte offsets */
    public List<Scenarios.Record> records() {
        return Scenarios.lines(out.toByteArray());
    }
}
