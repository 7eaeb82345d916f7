package io.greenwell.cdc.event;

import java.util.List;
import java.util.Objects;

/**
 * A column of a {@link TableDef}: its name and Maxwell's canonical MySQL type, plus the one
 * type-specific attribute Maxwell writes.
 *
 * @param name the column name, exact case, never null
 * @param type the canonical MySQL type ({@code int}, {@code varchar}, {@code datetime}...), never null
 * @param signed for integer types, whether signed; else null
 * @param charset for string and binary types, the charset ({@code binary} for binary types); else null
 * @param enumValues for ENUM and SET, the members in definition order; else empty; never null
 * @param columnLength for DATETIME, TIMESTAMP and TIME, the fractional-second digits 0-6; else null
 */
public record ColumnDef(String name, String type, Boolean signed, String charset, List<String> enumValues, Integer columnLength) {

    /** Validates and copies. */
    public ColumnDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        enumValues = enumValues == null ? List.of() : List.copyOf(enumValues);
    }

    /**
     * @param name the column name
     * @param type the canonical MySQL type
     * @return a column with no type-specific attribute
     */
    public static ColumnDef of(String name, String type) {
        return new ColumnDef(name, type, null, null, List.of(), null);
    }

    /** @return true when the column is unsigned (only integer types can be) */
    public boolean isUnsigned() {
        return Boolean.FALSE.equals(signed);
    }
}
