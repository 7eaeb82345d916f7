package io.greenwell.cdc.pipeline;

/**
 * Keeps the records of the open batches in a few large buffers instead of one small array each.
 * A batch holds on to its records until it is applied (their row images are read from them, and a
 * dead letter stores them); as small arrays they would be copied by every young collection while
 * the batch is open, as large buffers they are not (the collector allocates them apart), and they
 * go with the last batch that refers to them. Used by the reader thread only.
 */
final class RecordArena {

    /** The size of one buffer: large enough to be allocated apart by the default collector. */
    static final int CHUNK = 8 << 20;

    /** Records larger than this keep their own array. */
    private static final int LARGEST_COPIED = CHUNK / 8;

    private byte[] chunk = new byte[0];
    private int used;
    private int lastLength;

    /** The buffer the last record went to. */
    byte[] buffer;
    /** Where the last record starts in {@link #buffer}. */
    int offset;

    /**
     * Copies a record in; {@link #buffer} and {@link #offset} then say where it is.
     *
     * @param record the record, never null; not kept when copied
     */
    void add(byte[] record) {
        int n = record.length;
        if (n > LARGEST_COPIED) {
            buffer = record;
            offset = 0;
            return;
        }
        if (chunk.length - used < n) {
            chunk = new byte[CHUNK];
            used = 0;
        }
        System.arraycopy(record, 0, chunk, used, n);
        buffer = chunk;
        offset = used;
        used += n;
        lastLength = n;
    }

    /**
     * Gives back the space of the last record added, once nothing refers to it any more (a record
     * that was skipped, dropped as a replay or did not decode), so that it does not stay in memory
     * with the batch that shares its buffer.
     */
    void dropLast() {
        if (buffer == chunk && offset + lastLength == used) {
            used = offset;
            lastLength = 0;
        }
    }
}
