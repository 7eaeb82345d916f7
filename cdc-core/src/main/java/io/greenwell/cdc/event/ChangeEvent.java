package io.greenwell.cdc.event;

/**
 * One record of a change stream, decoded: a row change, a schema change or a bootstrap marker.
 * Dispatch on the concrete type with {@code instanceof}.
 */
public sealed interface ChangeEvent permits RowChange, SchemaChange, BootstrapMarker {

    /** @return the MySQL database the event is about, never null */
    String database();

    /** @return the envelope: time, transaction, position; never null */
    EventMeta meta();

    /** @return the binlog position, or null when the stream carries none */
    default SourcePosition position() {
        return meta().position();
    }
}
