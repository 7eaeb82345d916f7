package io.greenwell.cdc.spi;

import java.util.Map;

/**
 * What applying one batch did, for progress and metrics.
 *
 * @param netChanges the net changes written (one per key, one per copy of a keyless row)
 * @param filtered the net changes and DDL records skipped because the target's filters exclude
 *     their table or database
 * @param schemaChanges the DDL records applied
 * @param deadLetters the raw events written to the dead letters instead of being applied
 * @param retries how often the batch was tried again after transient failures
 * @param alreadyApplied true when the batch had been committed by an earlier attempt whose outcome
 *     was in doubt, and nothing was written this time
 * @param stageNanos time spent streaming rows into staging (COPY)
 * @param applyNanos time spent in the set-based statements and DDL
 * @param commitNanos time spent writing the checkpoints and committing
 * @param filteredByStream {@code filtered} by the stream of the events behind it; empty when the
 *     target does not tell (never null)
 * @param deadLettersByStream {@code deadLetters} by the stream of their events; empty when the
 *     target does not tell (never null)
 */
public record ApplyResult(
        long netChanges,
        long filtered,
        long schemaChanges,
        long deadLetters,
        long retries,
        boolean alreadyApplied,
        long stageNanos,
        long applyNanos,
        long commitNanos,
        Map<String, Long> filteredByStream,
        Map<String, Long> deadLettersByStream) {

    /** A batch that was committed before and not written again. */
    public static final ApplyResult ALREADY_APPLIED = new ApplyResult(0, 0, 0, 0, 0, true, 0, 0, 0);

    /** Copies the maps. */
    public ApplyResult {
        filteredByStream = Map.copyOf(filteredByStream);
        deadLettersByStream = Map.copyOf(deadLettersByStream);
    }

    /** A result without the counts by stream. */
    public ApplyResult(long netChanges, long filtered, long schemaChanges, long deadLetters, long retries, boolean alreadyApplied,
            long stageNanos, long applyNanos, long commitNanos) {
        this(netChanges, filtered, schemaChanges, deadLetters, retries, alreadyApplied, stageNanos, applyNanos, commitNanos, Map.of(),
                Map.of());
    }

    /**
     * @param retries how often the batch was tried again
     * @return this result with that retry count
     */
    public ApplyResult withRetries(long retries) {
        return new ApplyResult(netChanges, filtered, schemaChanges, deadLetters, retries, alreadyApplied, stageNanos, applyNanos,
                commitNanos, filteredByStream, deadLettersByStream);
    }
}
