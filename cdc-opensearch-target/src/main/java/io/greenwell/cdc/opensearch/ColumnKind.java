package io.greenwell.cdc.opensearch;

import io.greenwell.cdc.event.ColumnDef;
import java.util.Locale;
import java.util.Map;

/**
 * What a MySQL column type means for a document: how its values are written and how the field is
 * mapped. Known only for tables whose definition the stream carried (Maxwell's {@code def}); the
 * columns of other tables are {@link #DYNAMIC}.
 */
enum ColumnKind {
    /** Integers that fit a signed 64-bit field, YEAR. */
    LONG("{\"type\":\"long\"}"),
    /** BIGINT UNSIGNED and BIT: up to 2^64 - 1. */
    UNSIGNED_LONG("{\"type\":\"unsigned_long\"}"),
    FLOAT("{\"type\":\"float\"}"),
    DOUBLE("{\"type\":\"double\"}"),
    /** DECIMAL: a plain-notation string or a number, by {@link Decimals}; mapped by the target. */
    DECIMAL(null),
    /** DATE: ISO-8601 already; a zero date is null. */
    DATE("{\"type\":\"date\",\"format\":\"strict_date_optional_time\"}"),
    /** DATETIME: written with {@code T} between date and time. */
    DATETIME("{\"type\":\"date\",\"format\":\"strict_date_optional_time\"}"),
    /** TIMESTAMP: UTC, written with {@code T} and {@code Z}. */
    TIMESTAMP("{\"type\":\"date\",\"format\":\"strict_date_optional_time\"}"),
    /** TIME (may pass 24 h), ENUM, SET members, geometry as WKT. */
    KEYWORD("{\"type\":\"keyword\",\"ignore_above\":8191}"),
    /** Character types: full text with an exact sub-field. */
    TEXT("{\"type\":\"text\",\"fields\":{\"keyword\":{\"type\":\"keyword\",\"ignore_above\":256}}}"),
    /** Binary types: base64, stored but not searchable. */
    BINARY("{\"type\":\"binary\"}"),
    /** JSON documents of any shape: kept in the source, not indexed. */
    JSON("{\"type\":\"object\",\"enabled\":false}"),
    /** Unknown type: whatever the engine's dynamic mapping makes of the first value. */
    DYNAMIC(null);

    private static final Map<String, ColumnKind> BY_TYPE = Map.ofEntries(
            Map.entry("tinyint", LONG), Map.entry("smallint", LONG), Map.entry("mediumint", LONG), Map.entry("int", LONG),
            Map.entry("integer", LONG), Map.entry("year", LONG), Map.entry("bit", UNSIGNED_LONG),
            Map.entry("float", FLOAT), Map.entry("double", DOUBLE), Map.entry("real", DOUBLE),
            Map.entry("decimal", DECIMAL), Map.entry("numeric", DECIMAL),
            Map.entry("date", DATE), Map.entry("datetime", DATETIME), Map.entry("timestamp", TIMESTAMP),
            Map.entry("time", KEYWORD), Map.entry("enum", KEYWORD), Map.entry("set", KEYWORD),
            Map.entry("char", TEXT), Map.entry("varchar", TEXT), Map.entry("tinytext", TEXT), Map.entry("text", TEXT),
            Map.entry("mediumtext", TEXT), Map.entry("longtext", TEXT),
            Map.entry("binary", BINARY), Map.entry("varbinary", BINARY), Map.entry("tinyblob", BINARY), Map.entry("blob", BINARY),
            Map.entry("mediumblob", BINARY), Map.entry("longblob", BINARY),
            Map.entry("json", JSON),
            Map.entry("geometry", KEYWORD), Map.entry("point", KEYWORD), Map.entry("linestring", KEYWORD),
            Map.entry("polygon", KEYWORD), Map.entry("multipoint", KEYWORD), Map.entry("multilinestring", KEYWORD),
            Map.entry("multipolygon", KEYWORD), Map.entry("geometrycollection", KEYWORD));

    private final String mapping;

    ColumnKind(String mapping) {
        this.mapping = mapping;
    }

    /**
     * @param c a column of Maxwell's {@code def}, never null
     * @return its kind, {@link #DYNAMIC} for a type not known here
     */
    static ColumnKind of(ColumnDef c) {
        String type = c.type().toLowerCase(Locale.ROOT);
        ColumnKind k = BY_TYPE.getOrDefault(type, DYNAMIC);
        if (type.equals("bigint")) {
            return c.isUnsigned() ? UNSIGNED_LONG : LONG;
        }
        // a character column with the binary charset is a binary column
        if (k == TEXT && "binary".equalsIgnoreCase(c.charset())) {
            return BINARY;
        }
        return k;
    }

    /**
     * @param decimals how decimals are written
     * @return the field's mapping as JSON, or null to leave it to dynamic mapping
     */
    String mapping(Decimals decimals) {
        if (this == DECIMAL) {
            return decimals == Decimals.STRING ? KEYWORD.mapping : DOUBLE.mapping;
        }
        return mapping;
    }
}
