package io.greenwell.cdc.spi;

import io.greenwell.cdc.event.TableId;
import java.util.Optional;

/**
 * Tells the compactor the key of a table that the stream itself does not describe (no
 * {@code primary_key_columns} on its rows, no DDL for it in the stream). A target supplies one
 * from its catalog.
 *
 * <p>Called on the compacting thread, at most once per table between schema changes; an
 * implementation may block on I/O and should cache. It must not throw for an unknown table: it
 * returns empty, and the rows of that table are rejected as rows of an unknown table.
 */
@FunctionalInterface
public interface KeyResolver {

    /** A resolver that knows no table. */
    KeyResolver NONE = table -> Optional.empty();

    /**
     * @param table the MySQL table, never null
     * @return the table's shape, or empty when the table is unknown; never null
     */
    Optional<TableShape> resolve(TableId table);
}
