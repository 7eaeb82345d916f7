package io.greenwell.cdc.spi;

import io.greenwell.cdc.compact.Watermark;
import io.greenwell.cdc.compact.WatermarkKey;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How far a pipeline has applied one stream: the transport offset of the last record applied, and
 * the Maxwell watermark of every MySQL server seen on the stream. Written by a target in the same
 * transaction as the data.
 *
 * @param stream the stream id (a file's absolute path, {@code topic-partition}), never null
 * @param offset the offset of the last record applied; a source resumes after it
 * @param watermarks per MySQL {@code server_id} (-1 when the stream does not carry it), the last
 *     position applied; never null
 */
public record Checkpoint(String stream, long offset, Map<Long, Watermark> watermarks) {

    /** Validates and copies. */
    public Checkpoint {
        Objects.requireNonNull(stream, "stream");
        watermarks = Map.copyOf(watermarks);
    }

    /**
     * The watermarks of several checkpoints, as a {@code Sequencer} takes them.
     *
     * @param checkpoints the checkpoints, never null
     * @return the watermarks by (stream, server), never null
     */
    public static Map<WatermarkKey, Watermark> watermarks(Collection<Checkpoint> checkpoints) {
        Map<WatermarkKey, Watermark> out = new HashMap<>();
        for (Checkpoint c : checkpoints) {
            c.watermarks.forEach((server, w) -> out.put(new WatermarkKey(c.stream, server), w));
        }
        return out;
    }
}
