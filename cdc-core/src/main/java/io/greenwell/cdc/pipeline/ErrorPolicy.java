package io.greenwell.cdc.pipeline;

/** What the pipeline does with a record it cannot use. */
public enum ErrorPolicy {
    /** The record goes to the target's dead letters with its batch, and the rest goes on (the default). */
    DEAD_LETTER,
    /** The pipeline stops with an error naming the record; nothing of its batch is applied. */
    FAIL
}
