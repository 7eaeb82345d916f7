package io.greenwell.cdc.event;

/** What a {@link RowChange} did to its row. */
public enum Op {
    /** A row was inserted ({@code insert}). */
    INSERT,
    /** A row was updated ({@code update}); {@link RowChange#old()} holds the changed columns. */
    UPDATE,
    /** A row was deleted ({@code delete}); {@link RowChange#data()} holds the deleted row. */
    DELETE,
    /** A row of a table snapshot ({@code bootstrap-insert}). */
    BOOTSTRAP_INSERT
}
