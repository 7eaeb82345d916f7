package io.greenwell.cdc.spi;

import io.greenwell.cdc.event.ChangeEvent;

/**
 * Turns one raw record into one event; a {@code MaxwellDecoder} is the default. Must be
 * thread-safe or used by one thread (the pipeline calls it from its reader thread only).
 */
@FunctionalInterface
public interface RecordDecoder {

    /**
     * @param bytes the record, never null; the pipeline never changes it afterwards, so the event
     *     may read from it later
     * @param stream its stream id, for error messages
     * @param offset its offset, for error messages
     * @return the event, never null
     * @throws io.greenwell.cdc.DecodeException when the record is not a valid record
     */
    ChangeEvent decode(byte[] bytes, String stream, long offset);

    /**
     * Decodes the record held in {@code buf[off, off + len)}; the pipeline gives records this way
     * from the large buffers it keeps a batch's records in, and never changes a range it gave.
     * The default copies the range and calls {@link #decode(byte[], String, long)}.
     *
     * @param buf the buffer, never null
     * @param off where the record starts
     * @param len its length in bytes
     * @param stream its stream id, for error messages
     * @param offset its offset, for error messages
     * @return the event, never null
     * @throws io.greenwell.cdc.DecodeException when the record is not a valid record
     */
    default ChangeEvent decode(byte[] buf, int off, int len, String stream, long offset) {
        return decode(java.util.Arrays.copyOfRange(buf, off, off + len), stream, offset);
    }
}
