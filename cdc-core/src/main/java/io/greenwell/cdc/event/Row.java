package io.greenwell.cdc.event;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable row image: columns in the order Maxwell wrote them (the table's column order), each
 * with a {@link Value}. A column that is absent is not in the row at all; a column that is SQL
 * NULL is present with {@link Value#NULL}.
 *
 * <p>Column names come from the decoder's symbol table, so the same name is usually the same
 * {@code String} instance across rows, and lookups by name are cheap for the few columns of a key.
 */
public final class Row {

    private static final String[] NO_NAMES = new String[0];
    private static final Value[] NO_VALUES = new Value[0];

    /** The row with no columns. */
    public static final Row EMPTY = new Row(NO_NAMES, NO_VALUES, 0);

    private final String[] names;
    /** The values; for a row read from JSON, filled on first access from {@link #json}. */
    private final Value[] values;
    private final int size;
    private final long bytes;
    /** The JSON text the values are read from when first asked for, or null. */
    private final byte[] json;
    /** Where each value starts in {@link #json}, or null. */
    private final int[] starts;
    private int hash;

    private Row(String[] names, Value[] values, int size) {
        this.names = names;
        this.values = values;
        this.size = size;
        this.bytes = estimate(names, values, size);
        this.json = null;
        this.starts = null;
    }

    private Row(String[] names, byte[] json, int[] starts, long textBytes) {
        this.names = names;
        this.values = new Value[names.length];
        this.size = names.length;
        this.bytes = 72L + 28L * names.length + textBytes;
        this.json = json;
        this.starts = starts;
    }

    /** Computed once, while the values are fresh in cache, so that memory accounting is a field read. */
    private static long estimate(String[] names, Value[] values, int size) {
        long bytes = 40L + 8L * names.length;
        for (int i = 0; i < size; i++) {
            Value v = values[i];
            bytes += 16;
            if (v instanceof Value.Text) {
                bytes += 40L + ((Value.Text) v).text().length();
            } else if (v instanceof Value.Numeric) {
                bytes += 40L + ((Value.Numeric) v).text().length();
            } else if (v instanceof Value.Json) {
                bytes += 40L + ((Value.Json) v).json().length();
            }
        }
        return bytes;
    }

    /**
     * Builds a row from alternating names and values, for tests and in-memory sources.
     *
     * @param namesAndValues name, value, name, value...; a value may be a {@link Value}, a
     *     {@code String} (text), a {@code Number} (kept as its text), a {@code Boolean} or null
     * @return the row, never null
     * @throws IllegalArgumentException when the arguments are not pairs or a name repeats
     */
    public static Row of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        Builder b = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.put((String) namesAndValues[i], toValue(namesAndValues[i + 1]));
        }
        return b.build();
    }

    private static Value toValue(Object o) {
        if (o == null) {
            return Value.NULL;
        } else if (o instanceof Value) {
            return (Value) o;
        } else if (o instanceof String) {
            return Value.text((String) o);
        } else if (o instanceof Number) {
            return Value.number(o.toString());
        } else if (o instanceof Boolean) {
            return ((Boolean) o) ? Value.TRUE : Value.FALSE;
        }
        throw new IllegalArgumentException("not a value: " + o.getClass().getName());
    }

    /**
     * Makes a row from arrays that the caller hands over: it must not change them afterwards (rows
     * may share one names array), the names must be distinct and no element may be null. For
     * decoders, which fill scratch arrays and copy them once at the exact size.
     *
     * @param names the column names, never null
     * @param values the values, same length, never null
     * @return the row, never null
     * @throws IllegalArgumentException when the lengths differ
     */
    public static Row wrap(String[] names, Value[] values) {
        if (names.length != values.length) {
            throw new IllegalArgumentException("names and values differ in length");
        }
        return names.length == 0 ? EMPTY : new Row(names, values, names.length);
    }

    /**
     * A row whose values are JSON values of a text that a JSON parser has accepted, read when first
     * asked for. Decoders use it so that a row image costs no objects per value until it is
     * written; the row keeps a reference to {@code json}, which must not change afterwards.
     *
     * @param names the column names, owned by the row from now on (may be shared between rows)
     * @param json the JSON text (UTF-8), never null; not copied
     * @param starts where each column's value starts in {@code json}, owned by the row
     * @param textBytes how many bytes of {@code json} the row's values and names span, for
     *     {@link #estimatedBytes()}
     * @return the row, never null
     * @throws IllegalArgumentException when names and starts differ in length
     */
    public static Row ofJson(String[] names, byte[] json, int[] starts, int textBytes) {
        if (names.length != starts.length) {
            throw new IllegalArgumentException("names and starts differ in length");
        }
        Objects.requireNonNull(json, "json");
        return names.length == 0 ? EMPTY : new Row(names, json, starts, textBytes);
    }

    /** @return a new builder, never null */
    public static Builder builder() {
        return new Builder(8);
    }

    /** @return the number of columns present */
    public int size() {
        return size;
    }

    /** @return true when no column is present */
    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * @param i the column's index, 0 to {@link #size()} - 1
     * @return the column's name, never null
     */
    public String name(int i) {
        Objects.checkIndex(i, size);
        return names[i];
    }

    /**
     * @param i the column's index, 0 to {@link #size()} - 1
     * @return the column's value, never null ({@link Value#NULL} for SQL NULL)
     */
    public Value value(int i) {
        Objects.checkIndex(i, size);
        return at(i);
    }

    /** The value at {@code i}, read from the JSON text the first time. */
    private Value at(int i) {
        Value v = values[i];
        if (v == null) {
            // racy but safe: every thread reads the same immutable value from the same text
            v = JsonValues.read(json, starts[i]);
            values[i] = v;
        }
        return v;
    }

    /**
     * @param name a column name, exact case
     * @return the column's index, or -1 when the column is absent
     */
    public int indexOf(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i] == name) {
                return i;
            }
        }
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param name a column name, exact case
     * @return the column's value, or null when the column is absent (SQL NULL is {@link Value#NULL})
     */
    public Value get(String name) {
        int i = indexOf(name);
        return i < 0 ? null : at(i);
    }

    /**
     * @param name a column name, exact case
     * @return true when the column is present (even as SQL NULL)
     */
    public boolean has(String name) {
        return indexOf(name) >= 0;
    }

    /**
     * A rough count of the heap bytes this row holds, for memory bounds: object headers, arrays and
     * the characters of the values. Names are shared across rows and counted as references only.
     *
     * @return the estimate in bytes
     */
    public long estimatedBytes() {
        return bytes;
    }

    /** @return the columns in order, as a new mutable map; never null */
    public Map<String, Value> toMap() {
        Map<String, Value> m = new LinkedHashMap<>(Math.max(4, size * 2));
        for (int i = 0; i < size; i++) {
            m.put(names[i], at(i));
        }
        return m;
    }

    /** @return a builder holding this row's columns, to derive a new row */
    public Builder toBuilder() {
        Builder b = new Builder(Math.max(4, size));
        for (int i = 0; i < size; i++) {
            b.put(names[i], at(i));
        }
        return b;
    }

    /**
     * Two rows are equal when they hold the same columns with equal values, in any order.
     *
     * @param o the other object
     * @return whether they are equal
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Row)) {
            return false;
        }
        Row other = (Row) o;
        if (other.size != size || hashCode() != other.hashCode()) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            int j = (other.names[i] == names[i] || other.names[i].equals(names[i])) ? i : other.indexOf(names[i]);
            if (j < 0 || !at(i).equals(other.at(j))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0 && size > 0) {
            for (int i = 0; i < size; i++) {
                h += names[i].hashCode() ^ at(i).hashCode();
            }
            hash = h == 0 ? 1 : h;
            h = hash;
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(names[i]).append('=').append(at(i));
        }
        return sb.append('}').toString();
    }

    /**
     * Collects the columns of one row, in order. Not thread-safe; one builder makes one row.
     */
    public static final class Builder {
        private String[] names;
        private Value[] values;
        private int size;

        Builder(int capacity) {
            names = new String[capacity];
            values = new Value[capacity];
        }

        /**
         * Adds a column, or replaces its value when it is already present.
         *
         * @param name the column name, never null
         * @param value the value, never null (use {@link Value#NULL} for SQL NULL)
         * @return this builder
         */
        public Builder put(String name, Value value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            for (int i = 0; i < size; i++) {
                if (names[i] == name || names[i].equals(name)) {
                    values[i] = value;
                    return this;
                }
            }
            if (size == names.length) {
                int n = size * 2;
                names = Arrays.copyOf(names, n);
                values = Arrays.copyOf(values, n);
            }
            names[size] = name;
            values[size] = value;
            size++;
            return this;
        }

        /** @return the number of columns added so far */
        public int size() {
            return size;
        }

        /**
         * @return the row, never null; the builder must not be used afterwards
         */
        public Row build() {
            if (size == 0) {
                return EMPTY;
            }
            Row row = new Row(names, values, size);
            names = null;
            values = null;
            return row;
        }
    }
}
