package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.SourcePosition;
import java.util.Objects;

/**
 * The last binlog position applied for a {@link WatermarkKey}, and how many records carrying
 * exactly that position were applied (several can share one: {@code DROP TABLE a, b} gives two
 * DDL records at one position, and rows of one binlog event share it when {@code xoffset} is off).
 *
 * @param position the last position applied, never null
 * @param count how many records at that position were applied, at least 1
 */
public record Watermark(SourcePosition position, long count) {
    /** Validates. */
    public Watermark {
        Objects.requireNonNull(position, "position");
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1: " + count);
        }
    }
}
