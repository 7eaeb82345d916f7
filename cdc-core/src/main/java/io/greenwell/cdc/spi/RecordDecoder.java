package io.greenwell.cdc.spi;

import io.greenwell.cdc.event.ChangeEvent;

/**
 * Turns one raw record into one event; {@code MaxwellDecoder::decode} is the default. Must be
 * thread-safe or used by one thread (the pipeline calls it from its reader thread only).
 */
@FunctionalInterface
public interface RecordDecoder {

    /**
     * @param bytes the record, never null
     * @param stream its stream id, for error messages
     * @param offset its offset, for error messages
     * @return the event, never null
     * @throws io.greenwell.cdc.DecodeException when the record is not a valid record
     */
    ChangeEvent decode(byte[] bytes, String stream, long offset);
}
