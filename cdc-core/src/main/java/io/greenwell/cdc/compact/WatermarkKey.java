package io.greenwell.cdc.compact;

import java.util.Objects;

/**
 * What a replay watermark is kept for: one source stream (a Kafka partition, a file) and one MySQL
 * server on it. Never one watermark across streams: Kafka partitions interleave positions.
 *
 * @param stream the stream id, never null
 * @param serverId the MySQL {@code server_id}, or -1 when the stream does not carry it
 */
public record WatermarkKey(String stream, long serverId) {
    /** Validates. */
    public WatermarkKey {
        Objects.requireNonNull(stream, "stream");
    }
}
