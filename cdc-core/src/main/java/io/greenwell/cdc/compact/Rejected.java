package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.ChangeEvent;
import java.util.Objects;

/**
 * An event the compactor could not turn into a net change; it belongs in the dead letters.
 *
 * @param source the event's batch-local sequence number, see {@link Compactor#add}
 * @param event the event; null only for {@link Reason#UNDECODABLE}
 * @param reason why, never null
 * @param message a sentence naming the table and the problem, never null
 */
public record Rejected(int source, ChangeEvent event, Reason reason, String message) {

    /** Why an event was rejected. */
    public enum Reason {
        /** A key column is absent from the row image. */
        MISSING_KEY,
        /** A key column is SQL NULL. */
        NULL_KEY,
        /** No DDL, {@code primary_key_columns} or key resolver describes the table. */
        UNKNOWN_TABLE,
        /** The record could not be decoded; its raw bytes are in the batch's {@link Origins}. */
        UNDECODABLE
    }

    /** Validates. */
    public Rejected {
        Objects.requireNonNull(reason, "reason");
        if (event == null && reason != Reason.UNDECODABLE) {
            throw new NullPointerException("event");
        }
        Objects.requireNonNull(message, "message");
    }
}
