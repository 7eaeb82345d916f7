package io.greenwell.cdc.spi;

import java.util.Objects;

/**
 * One raw record of a source: its bytes, the stream it came from and its offset there.
 *
 * @param stream the stream id (a file's absolute path, {@code stdin}, {@code topic-partition}), never null
 * @param offset the record's offset in the stream (a byte offset, a Kafka offset); increases along the stream
 * @param bytes the record, never null; owned by the record, do not modify
 */
public record SourceRecord(String stream, long offset, byte[] bytes) {

    /** Validates. */
    public SourceRecord {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(bytes, "bytes");
    }
}
