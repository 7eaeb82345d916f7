package io.greenwell.cdc.greenplum;

/**
 * What the target counts for its meters, in plain fields: written on the applier thread (the
 * session, the stream locks, the batch transaction), read by whatever thread scrapes the meters
 * ({@link TargetMeters}). Nothing here refers to Micrometer, which is optional.
 */
final class TargetStats {

    /** Sessions lost (the connection, or on Greenplum a segment's part of it) and replaced. */
    volatile long lostSessions;
    /** Times a batch waited for another session to release a stream's lock. */
    volatile long lockWaits;
    /** Rows created by the batch and copied straight into their table. */
    volatile long createdRows;
    /** Times a table's created rows could not be copied straight in and went by staging. */
    volatile long createdFallbacks;
    /** Rows of the pipeline in {@code dead_letter}: counted when the checkpoints are read, then followed; -1 before. */
    volatile long deadLettersStored = -1;

    /** Adds dead letters written (or, negative, removed) once their transaction committed. */
    void deadLetters(long delta) {
        if (deadLettersStored >= 0) {
            deadLettersStored += delta;
        }
    }
}
