package io.greenwell.cdc.greenplum;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * A moment of the source's history: a MySQL event time, or a binlog position. An event lies at or
 * before a time when its {@code ts} does (MySQL's statement time: seconds for rows), and at or
 * before a position when its binlog file and offset do (the files compared by name, as MySQL
 * numbers them).
 *
 * @param time the time, or null for a position
 * @param binlogFile the binlog file, or null for a time
 * @param binlogPosition the offset in that file
 */
public record ArchivePoint(Instant time, String binlogFile, long binlogPosition) {

    /** Validates. */
    public ArchivePoint {
        if ((time == null) == (binlogFile == null)) {
            throw new IllegalArgumentException("a point is a time or a binlog position");
        }
    }

    /**
     * @param time a moment, never null
     * @return the point at that time
     */
    public static ArchivePoint at(Instant time) {
        return new ArchivePoint(Objects.requireNonNull(time, "time"), null, 0);
    }

    /**
     * @param file a binlog file name, never null
     * @param position an offset in it
     * @return the point at that position
     */
    public static ArchivePoint at(String file, long position) {
        return new ArchivePoint(null, Objects.requireNonNull(file, "file"), position);
    }

    /**
     * Reads {@code FILE:POSITION} ({@code mysql-bin.000003:4711}) or a time: ISO-8601 with an offset
     * ({@code 2026-12-03T10:15:30Z}), or {@code 2026-12-03 10:15:30[.fraction]} in UTC.
     *
     * @param text the point, never null
     * @return the point, never null
     * @throws IllegalArgumentException when it is neither
     */
    public static ArchivePoint parse(String text) {
        String t = text.strip();
        try {
            return at(OffsetDateTime.parse(t).toInstant());
        } catch (DateTimeParseException e) {
            // not a time with an offset
        }
        try {
            return at(LocalDateTime.parse(t.replace(' ', 'T')).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            // not a time in UTC
        }
        int colon = t.lastIndexOf(':');
        if (colon > 0 && colon < t.length() - 1 && t.substring(colon + 1).chars().allMatch(Character::isDigit)
                && t.length() - colon <= 19) {
            return at(t.substring(0, colon), Long.parseLong(t.substring(colon + 1)));
        }
        throw new IllegalArgumentException("not a binlog position (FILE:POSITION) or a time (2026-12-03T10:15:30Z): " + text);
    }

    @Override
    public String toString() {
        return time != null ? time.toString() : binlogFile + ":" + binlogPosition;
    }
}
