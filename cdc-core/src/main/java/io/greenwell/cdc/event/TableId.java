package io.greenwell.cdc.event;

import java.util.Objects;

/**
 * A MySQL table: its database and its name, exactly as Maxwell wrote them (case kept).
 *
 * @param database the MySQL database, never null
 * @param table the table name, never null
 */
public record TableId(String database, String table) implements Comparable<TableId> {

    /** Validates both parts. */
    public TableId {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(table, "table");
    }

    /**
     * @param database the MySQL database, never null
     * @param table the table name, never null
     * @return the id, never null
     */
    public static TableId of(String database, String table) {
        return new TableId(database, table);
    }

    /** The same database and table; checked by identity first, as decoders share instances. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof TableId && database.equals(((TableId) o).database) && table.equals(((TableId) o).table);
    }

    @Override
    public int hashCode() {
        return 31 * database.hashCode() + table.hashCode();
    }

    @Override
    public int compareTo(TableId o) {
        int c = database.compareTo(o.database);
        return c != 0 ? c : table.compareTo(o.table);
    }

    /** @return {@code database.table}, for messages only (no quoting) */
    @Override
    public String toString() {
        return database + "." + table;
    }
}
