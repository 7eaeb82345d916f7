package io.greenwell.cdc.pipeline;

/**
 * What one applied batch held and cost, for progress and metrics. Every record of the batch is
 * counted once in {@code applied}, {@code duplicates}, {@code filtered} or {@code deadLetters}.
 *
 * @param events the records of the batch
 * @param applied the records applied (DDL included)
 * @param duplicates the records dropped as replays of records applied before
 * @param filtered the records of tables or databases the target does not replicate
 * @param deadLetters the records written to the dead letters
 * @param netChanges the net changes written
 * @param retries how often the target tried the batch again after transient failures
 * @param alreadyApplied true when an earlier attempt had committed the batch after all
 * @param readNanos time spent reading, decoding and compacting the batch (overlaps the previous apply)
 * @param stageNanos time spent streaming rows into staging
 * @param applyNanos time spent in the set-based statements and DDL
 * @param commitNanos time spent writing checkpoints and committing
 * @param lagMillis from the newest event time of the batch to its commit; -1 when no event had a time
 */
public record BatchReport(
        long events,
        long applied,
        long duplicates,
        long filtered,
        long deadLetters,
        long netChanges,
        long retries,
        boolean alreadyApplied,
        long readNanos,
        long stageNanos,
        long applyNanos,
        long commitNanos,
        long lagMillis) {

    /** @return events in per net change out; 0 when nothing was written */
    public double compactionRatio() {
        return netChanges == 0 ? 0 : (double) (events - duplicates - filtered - deadLetters) / netChanges;
    }
}
