package io.greenwell.cdc.event;

import java.util.Objects;

/**
 * The start or the end of a Maxwell bootstrap of one table ({@code bootstrap-start},
 * {@code bootstrap-complete}). The rows in between are {@link RowChange}s with
 * {@link Op#BOOTSTRAP_INSERT}.
 *
 * @param kind start or complete, never null
 * @param table the table, never null
 * @param meta the envelope, never null
 */
public record BootstrapMarker(Kind kind, TableId table, EventMeta meta) implements ChangeEvent {

    /** Which end of the bootstrap. */
    public enum Kind {
        /** {@code bootstrap-start}: the snapshot begins. */
        START,
        /** {@code bootstrap-complete}: every row of the snapshot has been sent. */
        COMPLETE
    }

    /** Validates. */
    public BootstrapMarker {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(meta, "meta");
    }

    @Override
    public String database() {
        return table.database();
    }
}
