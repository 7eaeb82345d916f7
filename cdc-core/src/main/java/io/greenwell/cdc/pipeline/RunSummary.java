package io.greenwell.cdc.pipeline;

/**
 * What one run of a pipeline did: the sums of its applied batches. Records read but not applied
 * when the run stopped are not counted (the next run reads them again).
 *
 * @param events the records of the applied batches
 * @param applied applied records
 * @param duplicates replays dropped
 * @param filtered records of tables the target does not replicate
 * @param deadLetters records written to the dead letters
 * @param netChanges net changes written
 * @param batches batches committed
 * @param nanos the run's duration
 */
public record RunSummary(long events, long applied, long duplicates, long filtered, long deadLetters, long netChanges, long batches,
        long nanos) {

    /** @return the duration in seconds */
    public double seconds() {
        return nanos / 1e9;
    }
}
