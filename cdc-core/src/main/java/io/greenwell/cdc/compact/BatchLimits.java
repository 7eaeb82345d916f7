package io.greenwell.cdc.compact;

/**
 * When a batch closes. A batch closes at the first transaction boundary after it holds
 * {@code maxEvents} records or {@code maxBytes} of retained bytes (row images, and the raw records
 * kept for the dead letters). A single transaction that
 * outgrows {@code maxBytes} is split there (logged and counted), unless
 * {@code splitLargeTransactions} is false, in which case offering more of it fails.
 *
 * @param maxEvents records per batch before it closes at the next boundary, at least 1
 * @param maxBytes retained bytes before it closes at the next boundary, and the hard cap, at least 1
 * @param splitLargeTransactions whether a transaction larger than {@code maxBytes} may be split
 */
public record BatchLimits(int maxEvents, long maxBytes, boolean splitLargeTransactions) {

    /**
     * 200,000 events, 128 MiB or a sixth of the maximum heap when that is less, transactions split
     * when larger. A pipeline holds up to three batches at once (the one being read, one waiting,
     * the one being applied), so half the heap at most goes to them: {@code -Xmx256m} gives
     * batches of about 42 MiB.
     */
    public static final BatchLimits DEFAULT = new BatchLimits(200_000, Math.min(128L << 20, Runtime.getRuntime().maxMemory() / 6), true);

    /** Validates. */
    public BatchLimits {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1: " + maxEvents);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1: " + maxBytes);
        }
    }
}
