package io.greenwell.cdc.event;

import java.util.List;
import java.util.Objects;

/**
 * A table as Maxwell models it in a DDL record ({@code def}, {@code old}). It carries no lengths,
 * precision, scale, bit widths, defaults or nullability; those are only in the statement text.
 *
 * @param database the database, never null
 * @param table the table name, never null
 * @param charset the table's default charset, or null
 * @param columns the columns in table order, never null
 * @param primaryKey the primary key's column names in key order, empty without a key; never null
 */
public record TableDef(String database, String table, String charset, List<ColumnDef> columns, List<String> primaryKey) {

    /** Validates and copies. */
    public TableDef {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    /** @return the table's id, never null */
    public TableId id() {
        return new TableId(database, table);
    }

    /**
     * @param name a column name, exact case
     * @return the column, or null when the table has none of that name
     */
    public ColumnDef column(String name) {
        for (ColumnDef c : columns) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }
}
