package io.greenwell.cdc.compact;

/**
 * What went into a batch and what came out.
 *
 * @param events records offered, duplicates and rejects included
 * @param inserts {@code insert} rows taken
 * @param updates {@code update} rows taken
 * @param deletes {@code delete} rows taken
 * @param bootstrapRows {@code bootstrap-insert} rows taken
 * @param schemaChanges DDL records taken
 * @param bootstrapMarkers {@code bootstrap-start} and {@code bootstrap-complete} records taken
 * @param duplicates records dropped as replays (below the watermark)
 * @param rejected records the compactor could not use (see {@link Rejected})
 * @param splitTransactions 1 when the batch ends inside a transaction that outgrew the memory cap
 * @param netUpserts net upserts out
 * @param netDeletes net deletes out
 * @param netPartials net partial updates out
 * @param netMoves net key moves out
 * @param netKeylessRows copies of keyless rows inserted or deleted
 */
public record BatchStats(
        long events,
        long inserts,
        long updates,
        long deletes,
        long bootstrapRows,
        long schemaChanges,
        long bootstrapMarkers,
        long duplicates,
        long rejected,
        long splitTransactions,
        long netUpserts,
        long netDeletes,
        long netPartials,
        long netMoves,
        long netKeylessRows) {

    /** @return the row changes that reach the target, plus the DDL and markers */
    public long netChanges() {
        return netUpserts + netDeletes + netPartials + netMoves + netKeylessRows + schemaChanges + bootstrapMarkers;
    }

    /** @return events in per net change out (1 when nothing went out); higher is better */
    public double compactionRatio() {
        long out = netChanges();
        return out == 0 ? (events == 0 ? 1.0 : events) : (double) events / out;
    }
}
