package io.greenwell.cdc.opensearch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.event.Value;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * Writes a row as a document: {@code _db}, {@code _table}, {@code _v} (the external version), then
 * the row's columns in row order with their exact values. How a value is written depends on its
 * column's {@link ColumnKind}: decimals in plain notation (as strings, or numbers), DATETIME and
 * TIMESTAMP in ISO-8601 ({@code T}, and {@code Z} for TIMESTAMP, which Maxwell gives in UTC), zero
 * dates as null, JSON documents as themselves with duplicate keys resolved as MySQL does (the last
 * wins; the engine refuses duplicates). Other numbers keep Maxwell's text, strings are strings,
 * binary stays Maxwell's base64, SET is an array of its members. Stateless and thread-safe.
 */
final class Documents {

    static final String DB = "_db";
    static final String TABLE = "_table";
    static final String VERSION = "_v";

    /** Reads JSON documents exactly: big numbers as decimals, duplicate keys allowed (the last wins). */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private final Decimals decimals;

    Documents(Decimals decimals) {
        this.decimals = decimals;
    }

    /**
     * Writes one document as a JSON object.
     *
     * @param g where to write, never null
     * @param table the row's table (its real names go into {@code _db} and {@code _table})
     * @param version the external version
     * @param row the row, never null
     * @param kinds the kinds of the table's columns by name; a column not in it is {@link ColumnKind#DYNAMIC}
     */
    void write(JsonGenerator g, TableId table, long version, Row row, Map<String, ColumnKind> kinds) throws IOException {
        g.writeStartObject();
        g.writeStringField(DB, table.database());
        g.writeStringField(TABLE, table.table());
        g.writeNumberField(VERSION, version);
        for (int i = 0; i < row.size(); i++) {
            g.writeFieldName(row.name(i));
            ColumnKind k = kinds.get(row.name(i));
            value(g, row.value(i), k == null ? ColumnKind.DYNAMIC : k);
        }
        g.writeEndObject();
    }

    /** Writes one value by its column's kind. */
    void value(JsonGenerator g, Value v, ColumnKind kind) throws IOException {
        if (v == Value.NULL) {
            g.writeNull();
        } else if (v instanceof Value.Numeric) {
            String text = ((Value.Numeric) v).text();
            if (kind == ColumnKind.DECIMAL) {
                String plain = new BigDecimal(text).toPlainString();
                if (decimals == Decimals.STRING) {
                    g.writeString(plain);
                } else {
                    g.writeNumber(plain);
                }
            } else if (kind == ColumnKind.UNSIGNED_LONG && text.startsWith("-")) {
                // Maxwell writes some BIT(64) values as signed: their two's complement is the value
                g.writeNumber(new BigInteger(text).add(TWO_64).toString());
            } else {
                g.writeNumber(text);
            }
        } else if (v instanceof Value.Text) {
            text(g, ((Value.Text) v).text(), kind);
        } else if (v instanceof Value.Bool) {
            g.writeBoolean(((Value.Bool) v).value());
        } else {
            String json = ((Value.Json) v).json();
            if (json.indexOf('{') < 0) {
                // no object, so no duplicate key: the text as it is
                g.writeRawValue(json);
            } else {
                JsonNode n = JSON.readTree(json);
                g.writeTree(n);
            }
        }
    }

    private static void text(JsonGenerator g, String s, ColumnKind kind) throws IOException {
        switch (kind) {
            case DATE:
                if (isZeroDate(s)) {
                    g.writeNull();
                } else {
                    g.writeString(s);
                }
                return;
            case DATETIME:
            case TIMESTAMP:
                if (isZeroDate(s)) {
                    g.writeNull();
                } else {
                    String iso = s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + 'T' + s.substring(11) : s;
                    g.writeString(kind == ColumnKind.TIMESTAMP && iso.length() > 10 ? iso + 'Z' : iso);
                }
                return;
            default:
                g.writeString(s);
        }
    }

    /** MySQL's zero dates: year, month or day all zeros ({@code 0000-00-00}, {@code 2024-00-10}). */
    static boolean isZeroDate(String s) {
        return s.length() >= 10 && (s.startsWith("0000-00-00") || s.startsWith("-00", 4) || s.startsWith("-00", 7));
    }
}
