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

    private static final byte[] MARK = new byte[0];

    /** Validates. */
    public SourceRecord {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(bytes, "bytes");
    }

    /**
     * A point of the stream that the source has passed with nothing to apply, at a transaction
     * boundary: the pipeline stores its offset with the next batch, so that a restart resumes
     * there. A binlog source whose databases stay quiet while others fill the binlog gives these,
     * so that its checkpoint keeps up with the files the server keeps.
     *
     * @param stream the stream id, never null
     * @param offset where a restart resumes
     * @return the mark
     */
    public static SourceRecord mark(String stream, long offset) {
        return new SourceRecord(stream, offset, MARK);
    }

    /** @return whether this is a {@link #mark}, which holds no record */
    public boolean isMark() {
        return bytes == MARK;
    }
}
