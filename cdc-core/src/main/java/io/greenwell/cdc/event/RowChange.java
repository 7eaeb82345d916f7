package io.greenwell.cdc.event;

import java.util.List;
import java.util.Objects;

/**
 * One row inserted, updated, deleted, or read by a bootstrap.
 *
 * @param table the table, never null
 * @param op what happened, never null
 * @param data the row after the change, or the deleted row; with a MINIMAL row image or
 *     {@code output_nulls=false} only some columns; never null
 * @param old for an update, the columns whose value changed, with their previous values;
 *     {@link Row#EMPTY} otherwise; never null. When it holds a key column, the key changed.
 * @param primaryKeyColumns the key columns Maxwell named ({@code primary_key_columns}), empty for a
 *     table without a key; null when the record did not say
 * @param primaryKey the key values Maxwell wrote ({@code primary_key}), or null
 * @param meta the envelope, never null
 */
public record RowChange(
        TableId table,
        Op op,
        Row data,
        Row old,
        List<String> primaryKeyColumns,
        List<Value> primaryKey,
        EventMeta meta)
        implements ChangeEvent {

    /** Validates and copies. */
    public RowChange {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(meta, "meta");
        primaryKeyColumns = primaryKeyColumns == null ? null : List.copyOf(primaryKeyColumns);
        primaryKey = primaryKey == null ? null : List.copyOf(primaryKey);
    }

    @Override
    public String database() {
        return table.database();
    }

    /**
     * The row as it was before the change: {@code data} overlaid with {@code old}. For inserts and
     * bootstrap rows this is {@code data}.
     *
     * @return the before image, never null
     */
    public Row before() {
        if (old.isEmpty()) {
            return data;
        }
        Row.Builder b = data.toBuilder();
        for (int i = 0; i < old.size(); i++) {
            b.put(old.name(i), old.value(i));
        }
        return b.build();
    }
}
