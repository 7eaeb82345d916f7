package io.greenwell.cdc.binlog;

/**
 * A resume point in a binlog, packed into the {@code long} offset that a checkpoint stores: the
 * file's number (its name's suffix after the last dot), the byte position in it, and one bit that
 * tells a transaction's inner rows (which resume at the transaction's start, so that the whole
 * transaction is read again and the rows already applied are dropped by their positions) from its
 * last row (which resumes after the transaction). Offsets grow along the binlog; the inner rows of
 * one transaction share theirs.
 *
 * <p>Layout: file number in bits 33-62 (up to about a billion files), position in bits 1-32 (files
 * up to 4 GiB), the inner-row bit in bit 0.
 *
 * @param file the binlog file's number, at least 0
 * @param position the byte position to resume at, at least 0
 */
record BinlogPosition(long file, long position) {

    private static final long MAX_FILE = (1L << 30) - 1;
    private static final long MAX_POSITION = (1L << 32) - 1;

    BinlogPosition {
        if (file < 0 || file > MAX_FILE) {
            throw new IllegalArgumentException("binlog file number out of range: " + file);
        }
        if (position < 0 || position > MAX_POSITION) {
            throw new IllegalArgumentException("binlog position beyond 4 GiB: " + position);
        }
    }

    /** @return the offset of a transaction's last row, which resumes here */
    long commitOffset() {
        return file << 33 | position << 1;
    }

    /** @return the offset of a transaction's inner rows, which resume here (the transaction's start) */
    long innerOffset() {
        return file << 33 | position << 1 | 1;
    }

    /** @return the resume point of a stored offset */
    static BinlogPosition of(long offset) {
        return new BinlogPosition(offset >>> 33, (offset >>> 1) & MAX_POSITION);
    }

    /**
     * @param name a binlog file name such as {@code mysql-bin.000042}
     * @return its number
     */
    static long fileNumber(String name) {
        int dot = name.lastIndexOf('.');
        try {
            return Long.parseLong(name.substring(dot + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a binlog file name: " + name, e);
        }
    }

    /**
     * @param basename the binlog's base name ({@code mysql-bin})
     * @return the file's name, its number zero-padded to six digits as the servers write it
     */
    String fileName(String basename) {
        return String.format(java.util.Locale.ROOT, "%s.%06d", basename, file);
    }
}
