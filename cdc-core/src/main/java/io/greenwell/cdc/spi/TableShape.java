package io.greenwell.cdc.spi;

import java.util.List;
import java.util.Objects;

/**
 * What the compactor needs to know about a table: its primary-key columns and, when known, all
 * its columns (to tell a full row image from a partial one).
 *
 * @param keyColumns the primary-key columns in key order; empty for a table without a key; never null
 * @param columns every column in table order, or empty when unknown; never null
 */
public record TableShape(List<String> keyColumns, List<String> columns) {

    /** Validates and copies. */
    public TableShape {
        keyColumns = List.copyOf(Objects.requireNonNull(keyColumns, "keyColumns"));
        columns = List.copyOf(Objects.requireNonNull(columns, "columns"));
    }

    /** @return true when the table has no primary key (rows are a multiset) */
    public boolean isKeyless() {
        return keyColumns.isEmpty();
    }
}
