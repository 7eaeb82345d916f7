package io.greenwell.cdc.event;

import java.util.Objects;

/**
 * Where an event stands in the binlog of one MySQL server, with a total order: the binlog file by
 * its numeric suffix ({@code mysql-bin.000010} after {@code mysql-bin.000009}), then the offset of
 * the rows event, then the row's {@code xoffset} within its transaction, the commit row (which
 * carries no {@code xoffset}) last. Rows of one binlog event without an {@code xoffset} compare
 * equal; a watermark counts how many were applied at such a position.
 *
 * @param file the binlog file name, never null
 * @param offset the byte offset of the binlog event in the file, at least 0
 * @param xoffset the row's index in its transaction, or -1 when Maxwell did not write one
 * @param commit true for the last row of a transaction ({@code "commit":true})
 * @param gtid the transaction's GTID when Maxwell wrote one, else null
 */
public record SourcePosition(String file, long offset, int xoffset, boolean commit, String gtid)
        implements Comparable<SourcePosition> {

    /** Validates the parts. */
    public SourcePosition {
        Objects.requireNonNull(file, "file");
        if (offset < 0) {
            throw new IllegalArgumentException("negative binlog offset: " + offset);
        }
        if (xoffset < -1) {
            throw new IllegalArgumentException("xoffset below -1: " + xoffset);
        }
    }

    /**
     * Parses Maxwell's {@code "<file>:<offset>"}.
     *
     * @param position the text, never null
     * @param xoffset the row's xoffset, or -1
     * @param commit whether the row closes its transaction
     * @param gtid the GTID, or null
     * @return the position, never null
     * @throws IllegalArgumentException when the text is not {@code file:offset}
     */
    public static SourcePosition parse(String position, int xoffset, boolean commit, String gtid) {
        return parse(position, xoffset, commit, gtid, null);
    }

    /**
     * Parses Maxwell's {@code "<file>:<offset>"}, reusing {@code knownFile} as the file name when
     * the text names that file (saves an allocation per record in a decoder).
     *
     * @param position the text, never null
     * @param xoffset the row's xoffset, or -1
     * @param commit whether the row closes its transaction
     * @param gtid the GTID, or null
     * @param knownFile a file name seen before, or null
     * @return the position, never null
     * @throws IllegalArgumentException when the text is not {@code file:offset}
     */
    public static SourcePosition parse(String position, int xoffset, boolean commit, String gtid, String knownFile) {
        int colon = position.lastIndexOf(':');
        if (colon <= 0 || colon == position.length() - 1) {
            throw new IllegalArgumentException("position is not <file>:<offset>: " + position);
        }
        long offset = 0;
        for (int i = colon + 1; i < position.length(); i++) {
            char c = position.charAt(i);
            if (c < '0' || c > '9' || offset > (Long.MAX_VALUE - 9) / 10) {
                throw new IllegalArgumentException("position offset is not a number: " + position);
            }
            offset = offset * 10 + (c - '0');
        }
        String file = knownFile != null && knownFile.length() == colon && position.startsWith(knownFile)
                ? knownFile
                : position.substring(0, colon);
        return new SourcePosition(file, offset, xoffset, commit, gtid);
    }

    /**
     * @return the numeric suffix of the file name ({@code 35446} for
     *     {@code mysql-bin-changelog.035446}), or -1 when it has none
     */
    public long fileNumber() {
        int dot = file.lastIndexOf('.');
        if (dot < 0 || dot == file.length() - 1) {
            return -1;
        }
        long n = 0;
        for (int i = dot + 1; i < file.length(); i++) {
            char c = file.charAt(i);
            if (c < '0' || c > '9' || n > (Long.MAX_VALUE - 9) / 10) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** @return the position as Maxwell writes it, {@code file:offset} */
    public String text() {
        return file + ':' + offset;
    }

    private long rank() {
        return commit ? Long.MAX_VALUE : xoffset;
    }

    @Override
    public int compareTo(SourcePosition o) {
        int c = 0;
        if (!file.equals(o.file)) {
            c = Long.compare(fileNumber(), o.fileNumber());
            if (c == 0) {
                c = file.compareTo(o.file);
            }
        }
        if (c == 0) {
            c = Long.compare(offset, o.offset);
        }
        if (c == 0) {
            c = Long.compare(rank(), o.rank());
        }
        return c;
    }
}
