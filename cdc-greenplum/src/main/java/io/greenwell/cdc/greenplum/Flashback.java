package io.greenwell.cdc.greenplum;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.Value;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Renders the MySQL statements that undo archived row events (flashback). Pure: it reads nothing
 * but its arguments.
 *
 * <p>Events come in the order they were applied and are undone newest first: an insert becomes a
 * {@code DELETE} by key, a delete an {@code INSERT} of the deleted row, an update an {@code UPDATE}
 * back to the previous values of the changed columns. That {@code UPDATE} finds its row by the
 * key's new values (an update that changed the key has the old key in {@code old}) and only while
 * the changed columns still hold the values the event gave them, so that a row changed since is
 * left alone rather than overwritten: a guarded statement, which then matches no row. A table
 * without a key (none in the event, none in the catalog) is matched on every column of the image,
 * one row at a time ({@code LIMIT 1}), as a multiset.
 *
 * <p>Values are written from Maxwell's JSON as the target column's type reads it, as exact MySQL
 * literals: base64 of a {@code bytea} column as {@code X'..'}; a {@code json}/{@code jsonb}
 * document as its JSON text in a string; a SET ({@code text[]}, a JSON array) as {@code 'a,b'}; a
 * BIT as the number its low n bits make; exact numbers in plain notation
 * ({@link BigDecimal#toPlainString}); {@code real} and {@code double precision} as approximate
 * literals ({@code 33333334E-8}), which MySQL reads as the double they name; temporal strings
 * verbatim (TIMESTAMP is UTC, hence the script's time zone); other strings in quotes, or as
 * {@code _utf8mb4 X'..'} when they hold a backslash or a control character, so that the script
 * means the same whatever {@code NO_BACKSLASH_ESCAPES} says and no literal spans lines.
 *
 * <p>Comparisons are NULL-safe ({@code <=>}, {@code IS NULL}). Three column kinds compare by what
 * the stream can promise rather than by {@code <=>} on the literal: a FLOAT column against
 * {@code CAST(.. AS FLOAT)} (the decimal text of a float is not the float), a JSON column by mutual
 * {@code JSON_CONTAINS} (the archive's text is not the stored text), and a binary column that is
 * not a key column without trailing {@code 0x00} bytes (Maxwell drops those of {@code BINARY(n)}).
 */
final class Flashback {

    /**
     * The target's tables, by MySQL name. The target reads its catalog; a test builds one by hand.
     */
    interface Columns {
        /**
         * @param database the MySQL database, never null
         * @param table the MySQL table, never null
         * @return the table's columns and key, or null when there is no such table
         */
        Table table(String database, String table);
    }

    /**
     * A target table.
     *
     * @param columns its columns in table order, never empty
     * @param key the MySQL names of its primary-key columns in key order; empty without a key
     */
    record Table(List<Column> columns, List<String> key) {
        /** Validates and copies. */
        Table {
            columns = List.copyOf(columns);
            key = List.copyOf(key);
            if (columns.isEmpty()) {
                throw new IllegalArgumentException("a table has columns");
            }
        }
    }

    /**
     * A column of a target table.
     *
     * @param name the MySQL column name, never null
     * @param type the PostgreSQL type as {@code pg_catalog.format_type} prints it
     *     ({@code bytea}, {@code numeric(20,0)}, {@code timestamp(3) without time zone}, ...)
     */
    record Column(String name, String type) {
        /** Validates. */
        Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    /** How a column's values are written, chosen once per column from its PostgreSQL type. */
    private enum Kind { TEXT, EXACT, FLOAT, DOUBLE, BIT, BINARY, JSON, SET }

    /** A column ready to render: its quoted name, its kind, the width of a BIT. */
    private record Col(String name, String quoted, Kind kind, int bits) {}

    /** A table ready to render: columns in order, by name, and the catalog's key. */
    private record Shape(String qualified, List<Col> columns, Map<String, Col> byName, List<String> key) {}

    private record TableName(String database, String table) {}

    private static final JsonFactory JSON = new JsonFactory();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Flashback() {}

    /**
     * Renders the script that undoes events.
     *
     * @param events the events in the order they were applied (oldest first), never null
     * @param columns the target's tables, never null
     * @param description what is undone, for the header ({@code xid 1234}, a time range), never null
     * @return the script, never null
     * @throws FlashbackException when an event cannot be undone; the message names the event
     */
    static FlashbackScript render(List<ArchivedEvent> events, Columns columns, String description) {
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(columns, "columns");
        Objects.requireNonNull(description, "description");
        Map<TableName, Shape> shapes = new HashMap<>();
        Set<String> pipelines = new LinkedHashSet<>();
        StringBuilder body = new StringBuilder(256 * events.size() + 64);
        int guarded = 0;
        for (int i = events.size() - 1; i >= 0; i--) {
            ArchivedEvent e = events.get(i);
            pipelines.add(e.pipeline());
            Shape shape = shape(e, columns, shapes);
            Row data = image(e, e.data(), "data");
            known(e, shape, data, "data");
            body.append("-- ").append(comment(e.type() + " of " + e.database() + "." + e.table() + " at stream " + e.stream()
                    + " offset " + e.offset() + (e.position() == null ? "" : ", " + e.position())
                    + (e.xid() == null ? "" : ", xid " + e.xid()))).append('\n');
            switch (e.type()) {
                case "insert":
                    undoInsert(body, e, shape, data);
                    break;
                case "delete":
                    undoDelete(body, e, shape, data);
                    break;
                default:
                    undoUpdate(body, e, shape, data, image(e, e.old(), "old"));
                    guarded++;
                    break;
            }
            body.append(";\n");
        }
        int statements = events.size();
        StringBuilder sql = new StringBuilder(body.length() + 640);
        sql.append("-- Greenwell flashback of ").append(comment(description)).append(": ").append(statements)
                .append(statements == 1 ? " event" : " events");
        if (!pipelines.isEmpty()) {
            sql.append(pipelines.size() == 1 ? " of pipeline " : " of pipelines ").append(comment(String.join(", ", pipelines)));
        }
        sql.append(", undone newest first.\n");
        sql.append("-- ").append(statements).append(statements == 1 ? " statement, " : " statements, ").append(guarded)
                .append(" of them guarded: a guarded UPDATE changes its row only while the columns the event changed still hold\n")
                .append("-- the values it gave them; one that matches no row (0 rows affected) found the row changed or deleted since\n")
                .append("-- and left it as it is. TIMESTAMP values are UTC; zero dates need a sql_mode that allows them.\n");
        sql.append("SET NAMES utf8mb4;\n");
        sql.append("SET time_zone = '+00:00';\n");
        sql.append("START TRANSACTION;\n");
        sql.append(body);
        sql.append("COMMIT;\n");
        return new FlashbackScript(sql.toString(), statements, guarded);
    }

    // ---- the three statements ----

    private static void undoInsert(StringBuilder sb, ArchivedEvent e, Shape s, Row data) {
        sb.append("DELETE FROM ").append(s.qualified()).append(" WHERE ");
        List<Col> key = key(e, s);
        if (key.isEmpty()) {
            matchAll(sb, e, s, data);
        } else {
            matchKey(sb, e, key, data);
        }
        sb.append(" LIMIT 1");
    }

    private static void undoDelete(StringBuilder sb, ArchivedEvent e, Shape s, Row data) {
        for (Col c : s.columns()) {
            if (!data.has(c.name())) {
                throw new FlashbackException("the deleted row's image lacks column " + c.name()
                        + " (a MINIMAL row image?), so the row cannot be inserted again", e);
            }
        }
        sb.append("INSERT INTO ").append(s.qualified()).append(" (");
        for (int i = 0; i < s.columns().size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(s.columns().get(i).quoted());
        }
        sb.append(") VALUES (");
        for (int i = 0; i < s.columns().size(); i++) {
            Col c = s.columns().get(i);
            sb.append(i == 0 ? "" : ", ");
            literal(sb, e, c, data.get(c.name()));
        }
        sb.append(')');
    }

    private static void undoUpdate(StringBuilder sb, ArchivedEvent e, Shape s, Row data, Row old) {
        if (old == null || old.isEmpty()) {
            throw new FlashbackException("the update has no previous values (old), so there is nothing to set back", e);
        }
        known(e, s, old, "old");
        List<Col> changed = new ArrayList<>(old.size());
        for (Col c : s.columns()) {
            if (old.has(c.name())) {
                if (!data.has(c.name())) {
                    throw new FlashbackException("the changed column " + c.name() + " is not in the row image (data)", e);
                }
                changed.add(c);
            }
        }
        sb.append("UPDATE ").append(s.qualified()).append(" SET ");
        for (int i = 0; i < changed.size(); i++) {
            Col c = changed.get(i);
            sb.append(i == 0 ? "" : ", ").append(c.quoted()).append(" = ");
            literal(sb, e, c, old.get(c.name()));
        }
        sb.append(" WHERE ");
        List<Col> key = key(e, s);
        if (key.isEmpty()) {
            matchAll(sb, e, s, data);
            sb.append(" LIMIT 1");
            return;
        }
        matchKey(sb, e, key, data);
        for (Col c : changed) {
            if (!key.contains(c)) {
                sb.append(" AND ");
                match(sb, e, c, data.get(c.name()), false);
            }
        }
    }

    // ---- tables, keys, images ----

    private static Shape shape(ArchivedEvent e, Columns columns, Map<TableName, Shape> shapes) {
        if (!e.isRow()) {
            throw new FlashbackException(e.type().startsWith("bootstrap")
                    ? "a bootstrap record copies a row that was there already; it is not a change to undo"
                    : "DDL is not inverted; undo only the row changes after it, or before it", e);
        }
        if (e.database() == null || e.table() == null) {
            throw new FlashbackException("the event names no table", e);
        }
        TableName name = new TableName(e.database(), e.table());
        Shape s = shapes.get(name);
        if (s == null) {
            Table t = columns.table(e.database(), e.table());
            if (t == null) {
                throw new FlashbackException("the target knows no such table", e);
            }
            List<Col> cols = new ArrayList<>(t.columns().size());
            Map<String, Col> byName = new HashMap<>();
            for (Column c : t.columns()) {
                Col col = col(c);
                cols.add(col);
                byName.put(c.name(), col);
            }
            s = new Shape(ident(e.database()) + "." + ident(e.table()), cols, byName, t.key());
            shapes.put(name, s);
        }
        return s;
    }

    private static Col col(Column c) {
        String t = c.type();
        Kind kind;
        int bits = 0;
        if (t.equals("bytea")) {
            kind = Kind.BINARY;
        } else if (t.equals("json") || t.equals("jsonb")) {
            kind = Kind.JSON;
        } else if (t.endsWith("[]")) {
            kind = Kind.SET;
        } else if (t.startsWith("bit")) {
            kind = Kind.BIT;
            int open = t.indexOf('(');
            bits = open < 0 ? 64 : Integer.parseInt(t.substring(open + 1, t.indexOf(')', open)).trim());
        } else if (t.equals("real")) {
            kind = Kind.FLOAT;
        } else if (t.equals("double precision")) {
            kind = Kind.DOUBLE;
        } else if (t.equals("boolean") || t.equals("smallint") || t.equals("integer") || t.equals("bigint")
                || t.startsWith("numeric")) {
            kind = Kind.EXACT;
        } else {
            kind = Kind.TEXT; // text, varchar, char, enum, interval (TIME), date, timestamps, WKT
        }
        return new Col(c.name(), ident(c.name()), kind, bits);
    }

    /** The key: Maxwell's {@code primary_key_columns} of the event, or else the catalog's. */
    private static List<Col> key(ArchivedEvent e, Shape s) {
        List<String> names = e.keyColumns().isEmpty() ? s.key() : e.keyColumns();
        List<Col> key = new ArrayList<>(names.size());
        for (String n : names) {
            Col c = s.byName().get(n);
            if (c == null) {
                throw new FlashbackException("the key column " + n + " is not a column of the table", e);
            }
            key.add(c);
        }
        return key;
    }

    /** Every column of an image must be a column of the table: otherwise DDL changed it since. */
    private static void known(ArchivedEvent e, Shape s, Row image, String field) {
        for (int i = 0; i < image.size(); i++) {
            if (!s.byName().containsKey(image.name(i))) {
                throw new FlashbackException("column " + image.name(i) + " of " + field
                        + " is not a column of the table (changed by DDL since?)", e);
            }
        }
    }

    /** Parses a jsonb object's text into a row whose values keep their exact JSON text. */
    private static Row image(ArchivedEvent e, String json, String field) {
        if (json == null) {
            if (field.equals("data")) {
                throw new FlashbackException("the event has no row image (data)", e);
            }
            return null;
        }
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        try (JsonParser p = JSON.createParser(b)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FlashbackException(field + " is not a JSON object", e);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                names.add(p.currentName());
                p.nextToken();
                starts.add((int) p.currentTokenLocation().getByteOffset());
                p.skipChildren();
            }
            if (p.nextToken() != null) {
                throw new FlashbackException(field + " has text after its JSON object", e);
            }
        } catch (JsonProcessingException x) {
            throw new FlashbackException(field + " is not JSON: " + x.getOriginalMessage(), e);
        } catch (IOException x) {
            throw new FlashbackException(field + " cannot be read: " + x.getMessage(), e);
        }
        int[] at = new int[starts.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = starts.get(i);
        }
        return Row.ofJson(names.toArray(new String[0]), b, at, b.length);
    }

    // ---- conditions ----

    private static void matchKey(StringBuilder sb, ArchivedEvent e, List<Col> key, Row data) {
        for (int i = 0; i < key.size(); i++) {
            Col c = key.get(i);
            Value v = data.get(c.name());
            if (v == null) {
                throw new FlashbackException("the key column " + c.name() + " is not in the row image (data)", e);
            }
            sb.append(i == 0 ? "" : " AND ");
            match(sb, e, c, v, true);
        }
    }

    private static void matchAll(StringBuilder sb, ArchivedEvent e, Shape s, Row data) {
        if (data.isEmpty()) {
            throw new FlashbackException("a table without a key needs a row image to find the row, and data is empty", e);
        }
        boolean first = true;
        for (Col c : s.columns()) {
            Value v = data.get(c.name());
            if (v != null) {
                sb.append(first ? "" : " AND ");
                match(sb, e, c, v, false);
                first = false;
            }
        }
    }

    /** A NULL-safe test that a column holds a value. */
    private static void match(StringBuilder sb, ArchivedEvent e, Col c, Value v, boolean key) {
        if (v.isNull()) {
            sb.append(c.quoted()).append(" IS NULL");
        } else if (c.kind() == Kind.FLOAT) {
            sb.append(c.quoted()).append(" <=> CAST(");
            literal(sb, e, c, v);
            sb.append(" AS FLOAT)");
        } else if (c.kind() == Kind.JSON) {
            sb.append("(JSON_CONTAINS(").append(c.quoted()).append(", ");
            literal(sb, e, c, v);
            sb.append(") AND JSON_CONTAINS(");
            literal(sb, e, c, v);
            sb.append(", ").append(c.quoted()).append("))");
        } else if (c.kind() == Kind.BINARY && !key) {
            byte[] bytes = bytes(e, c, v);
            int n = bytes.length;
            while (n > 0 && bytes[n - 1] == 0) {
                n--;
            }
            sb.append("TRIM(TRAILING X'00' FROM ").append(c.quoted()).append(") <=> ");
            hex(sb, bytes, n);
        } else {
            sb.append(c.quoted()).append(" <=> ");
            literal(sb, e, c, v);
        }
    }

    // ---- literals ----

    private static void literal(StringBuilder sb, ArchivedEvent e, Col c, Value v) {
        if (v.isNull()) {
            sb.append("NULL");
            return;
        }
        switch (c.kind()) {
            case BINARY:
                byte[] bytes = bytes(e, c, v);
                hex(sb, bytes, bytes.length);
                return;
            case JSON:
                string(sb, v instanceof Value.Text ? JsonMembers.quote(new StringBuilder(), v.asText()).toString() : v.asText());
                return;
            case SET:
                string(sb, v instanceof Value.Json ? members(e, c, v) : v.asText());
                return;
            case BIT:
                sb.append(bits(e, c, v));
                return;
            case EXACT:
            case FLOAT:
            case DOUBLE:
                if (v instanceof Value.Json) {
                    throw new FlashbackException("column " + c.name() + " holds numbers, not the JSON " + v.asText(), e);
                }
                if (v instanceof Value.Bool) {
                    sb.append(v == Value.TRUE ? '1' : '0');
                } else if (v instanceof Value.Numeric) {
                    number(sb, e, c, (Value.Numeric) v);
                } else {
                    string(sb, v.asText());
                }
                return;
            default:
                if (v instanceof Value.Numeric) {
                    number(sb, e, c, (Value.Numeric) v);
                } else {
                    string(sb, v.asText());
                }
        }
    }

    /** An exact number in plain notation; a float or double as an approximate literal. */
    private static void number(StringBuilder sb, ArchivedEvent e, Col c, Value.Numeric n) {
        BigDecimal d;
        try {
            d = n.toBigDecimal();
        } catch (NumberFormatException x) {
            throw new FlashbackException("column " + c.name() + " holds the malformed number " + n.asText(), e);
        }
        if (c.kind() != Kind.FLOAT && c.kind() != Kind.DOUBLE) {
            sb.append(d.toPlainString());
            return;
        }
        d = d.stripTrailingZeros();
        if (d.signum() == 0) {
            sb.append("0E0");
        } else {
            sb.append(d.unscaledValue()).append('E').append(-d.scale());
        }
    }

    private static String bits(ArchivedEvent e, Col c, Value v) {
        BigInteger n;
        if (v instanceof Value.Bool) {
            n = v == Value.TRUE ? BigInteger.ONE : BigInteger.ZERO;
        } else if (v instanceof Value.Numeric && ((Value.Numeric) v).isIntegral()) {
            n = ((Value.Numeric) v).toBigInteger();
        } else {
            throw new FlashbackException("BIT column " + c.name() + " needs an integer, not " + v, e);
        }
        if (n.signum() < 0 || n.bitLength() > c.bits()) {
            n = n.and(BigInteger.ONE.shiftLeft(c.bits()).subtract(BigInteger.ONE)); // Maxwell's BIT(64) may be negative
        }
        return n.toString();
    }

    private static byte[] bytes(ArchivedEvent e, Col c, Value v) {
        if (!(v instanceof Value.Text)) {
            throw new FlashbackException("binary column " + c.name() + " needs base64, not " + v, e);
        }
        try {
            return Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException x) {
            throw new FlashbackException("binary column " + c.name() + " holds bad base64: " + x.getMessage(), e);
        }
    }

    /** A SET's members from Maxwell's JSON array, as MySQL writes a SET value. */
    private static String members(ArchivedEvent e, Col c, Value v) {
        StringBuilder out = new StringBuilder();
        try (JsonParser p = JSON.createParser(v.asText())) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new FlashbackException("SET column " + c.name() + " needs an array, not " + v, e);
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_STRING) {
                    throw new FlashbackException("SET column " + c.name() + " needs an array of strings, not " + v, e);
                }
                out.append(out.length() == 0 ? "" : ",").append(p.getText());
            }
        } catch (IOException x) {
            throw new FlashbackException("SET column " + c.name() + " holds bad JSON: " + x.getMessage(), e);
        }
        return out.toString();
    }

    /**
     * A string literal: in quotes with {@code '} doubled, or as UTF-8 hex with an introducer when it
     * holds a backslash or a control character. The introducer, unlike {@code CONVERT(.. USING)},
     * leaves the literal coercible, so that it takes the column's collation in a comparison.
     */
    private static void string(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c < 0x20 || c == 0x7f) {
                sb.append("_utf8mb4 ");
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                hex(sb, b, b.length);
                return;
            }
        }
        sb.append('\'');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c);
            if (c == '\'') {
                sb.append('\'');
            }
        }
        sb.append('\'');
    }

    private static void hex(StringBuilder sb, byte[] b, int n) {
        sb.append("X'");
        for (int i = 0; i < n; i++) {
            sb.append(HEX[(b[i] >> 4) & 0xF]).append(HEX[b[i] & 0xF]);
        }
        sb.append('\'');
    }

    /** A MySQL identifier in backticks, backticks doubled. */
    static String ident(String name) {
        return '`' + name.replace("`", "``") + '`';
    }

    /** Text for a comment line: line breaks and other control characters become spaces. */
    private static String comment(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029 ? ' ' : c);
        }
        return sb.toString();
    }
}
