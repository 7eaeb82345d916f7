package io.greenwell.cdc.event;

import java.util.Objects;

/**
 * A DDL record ({@code output_ddl=true}). A table rename or move is a {@link Kind#TABLE_ALTER}
 * whose {@link #def()} names the new table.
 *
 * @param kind what kind of DDL, never null
 * @param database the database the statement was about, never null
 * @param table the table for table kinds (the old name for an alter), null for database kinds
 * @param def the table after the change (create, alter), else null
 * @param oldDef the table before the change (alter), else null
 * @param charset the database charset (database create and alter), else null
 * @param sql the statement text, or null when the record had none
 * @param meta the envelope, never null
 */
public record SchemaChange(
        Kind kind, String database, TableId table, TableDef def, TableDef oldDef, String charset, String sql, EventMeta meta)
        implements ChangeEvent {

    /** The DDL record types. */
    public enum Kind {
        /** {@code database-create}. */
        DATABASE_CREATE("database-create"),
        /** {@code database-alter}. */
        DATABASE_ALTER("database-alter"),
        /** {@code database-drop}: Maxwell sends no drop for the tables inside. */
        DATABASE_DROP("database-drop"),
        /** {@code table-create}. */
        TABLE_CREATE("table-create"),
        /** {@code table-alter}, also renames and moves. */
        TABLE_ALTER("table-alter"),
        /** {@code table-drop}. */
        TABLE_DROP("table-drop");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** @return the {@code type} Maxwell writes, never null */
        public String wireName() {
            return wireName;
        }

        /** @return true for the table kinds */
        public boolean isTableLevel() {
            return this == TABLE_CREATE || this == TABLE_ALTER || this == TABLE_DROP;
        }
    }

    /** Validates: table kinds need a table, create and alter a def, alter an old def. */
    public SchemaChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(meta, "meta");
        if (kind.isTableLevel() && table == null) {
            throw new IllegalArgumentException(kind.wireName() + " needs a table");
        }
        if ((kind == Kind.TABLE_CREATE || kind == Kind.TABLE_ALTER) && def == null) {
            throw new IllegalArgumentException(kind.wireName() + " needs a def");
        }
        if (kind == Kind.TABLE_ALTER && oldDef == null) {
            throw new IllegalArgumentException("table-alter needs an old def");
        }
    }
}
