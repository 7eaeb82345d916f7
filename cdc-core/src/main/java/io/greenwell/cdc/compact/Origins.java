package io.greenwell.cdc.compact;

import java.util.Arrays;

/**
 * Where the events of a batch came from: for each batch-local sequence number (see
 * {@link Compactor#add}), the stream, the offset and, when the caller kept it, the raw record, so
 * that an event a target cannot apply ends in the dead letters with its bytes. Built by the
 * {@link Batcher}; immutable once the batch is closed.
 */
public final class Origins {

    /** No origins known (a batch built by a bare {@link Compactor}). */
    public static final Origins NONE = new Origins(new String[0], new long[0], new byte[0][], new int[0], new int[0], 0);

    private final String[] streams;
    private final long[] offsets;
    private final byte[][] raws;
    /** Where each raw record starts in its array and how long it is; null when each is its whole array. */
    private final int[] starts;
    private final int[] lengths;
    private final int size;

    private Origins(String[] streams, long[] offsets, byte[][] raws, int[] starts, int[] lengths, int size) {
        this.streams = streams;
        this.offsets = offsets;
        this.raws = raws;
        this.starts = starts;
        this.lengths = lengths;
        this.size = size;
    }

    /** @return how many events are described */
    public int size() {
        return size;
    }

    /**
     * @param seq a sequence number of the batch
     * @return its stream, or null when not known
     */
    public String stream(int seq) {
        return seq >= 0 && seq < size ? streams[seq] : null;
    }

    /**
     * @param seq a sequence number of the batch
     * @return its offset, or -1 when not known
     */
    public long offset(int seq) {
        return seq >= 0 && seq < size ? offsets[seq] : -1;
    }

    /**
     * @param seq a sequence number of the batch
     * @return its raw record, or null when it was not kept; do not modify
     */
    public byte[] raw(int seq) {
        if (seq < 0 || seq >= size || raws[seq] == null) {
            return null;
        }
        byte[] b = raws[seq];
        int start = starts[seq];
        int len = lengths[seq];
        return start == 0 && len == b.length ? b : Arrays.copyOfRange(b, start, start + len);
    }

    /** Collects origins while a batch is open. Not thread-safe. */
    static final class Recorder {
        private String[] streams = new String[64];
        private long[] offsets = new long[64];
        private byte[][] raws = new byte[64][];
        private int[] starts = new int[64];
        private int[] lengths = new int[64];
        private int size;

        void add(int seq, String stream, long offset, byte[] raw) {
            add(seq, stream, offset, raw, 0, raw == null ? 0 : raw.length);
        }

        void add(int seq, String stream, long offset, byte[] buf, int start, int len) {
            if (seq != size) {
                throw new IllegalStateException("origins out of step: " + seq + " after " + size);
            }
            if (size == streams.length) {
                streams = Arrays.copyOf(streams, size * 2);
                offsets = Arrays.copyOf(offsets, size * 2);
                raws = Arrays.copyOf(raws, size * 2);
                starts = Arrays.copyOf(starts, size * 2);
                lengths = Arrays.copyOf(lengths, size * 2);
            }
            streams[size] = stream;
            offsets[size] = offset;
            raws[size] = buf;
            starts[size] = start;
            lengths[size] = len;
            size++;
        }

        /** @return the origins so far, and starts over */
        Origins finish() {
            Origins o = new Origins(streams, offsets, raws, starts, lengths, size);
            streams = new String[64];
            offsets = new long[64];
            raws = new byte[64][];
            starts = new int[64];
            lengths = new int[64];
            size = 0;
            return o;
        }
    }
}
