package io.greenwell.cdc.opensearch;

import io.greenwell.cdc.event.SourcePosition;

/**
 * The external version of a binlog position: a non-negative {@code long} that orders like
 * {@link SourcePosition#compareTo} for positions of one server. Bits from the top: 20 for the binlog
 * file's number (files up to {@code .1048575}), 32 for the offset of the rows event (a binlog file
 * never passes 4 GiB: the event header's next-position field has 32 bits), 11 for the row within
 * its transaction: its {@code xoffset}, saturated at 2046, and 2047 for the commit row. Rows of one
 * rows event beyond the 2046th row of their transaction therefore share a version: harmless, since
 * a batch holds whole transactions and keeps one net change per key; it matters only when a
 * transaction larger than the batch memory cap is split between two such rows of one key.
 */
final class Versions {

    static final int FILE_BITS = 20;
    static final int OFFSET_BITS = 32;
    static final int ROW_BITS = 11;
    private static final long COMMIT_RANK = (1L << ROW_BITS) - 1;

    private Versions() {}

    /**
     * @param p a position, never null
     * @return its version, at least 0
     * @throws IllegalArgumentException when the file has no numeric suffix or the numbers do not fit
     */
    static long of(SourcePosition p) {
        return of(p, p.fileNumber());
    }

    /**
     * @param p a position, never null
     * @param file its file's number ({@link SourcePosition#fileNumber()}), when the caller has it already
     * @return its version, at least 0
     * @throws IllegalArgumentException as {@link #of(SourcePosition)}
     */
    static long of(SourcePosition p, long file) {
        if (file < 0 || file >= 1L << FILE_BITS) {
            throw new IllegalArgumentException("binlog file " + p.file() + " has no numeric suffix below " + (1L << FILE_BITS)
                    + ": no version can be derived from its positions (use Versioning.OFFSET)");
        }
        if (p.offset() >= 1L << OFFSET_BITS) {
            throw new IllegalArgumentException("binlog offset " + p.offset() + " of " + p.file() + " is beyond 4 GiB");
        }
        long rank = p.commit() ? COMMIT_RANK : Math.min(Math.max(p.xoffset(), 0), COMMIT_RANK - 1);
        return file << (OFFSET_BITS + ROW_BITS) | p.offset() << ROW_BITS | rank;
    }
}
