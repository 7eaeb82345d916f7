package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.SourcePosition;
import java.util.Arrays;

/**
 * Where the events of a batch came from: for each batch-local sequence number (see
 * {@link Compactor#add}), the stream, the offset, the event time, the binlog position and, when
 * the caller kept it, the raw record, so that an event a target cannot apply ends in the dead
 * letters with its bytes, a target that archives events has each one's record, and a target
 * without transactions can order its writes by the position of the events behind them. Built by
 * the {@link Batcher}; immutable once the batch is closed.
 */
public final class Origins {

    /** No origins known (a batch built by a bare {@link Compactor}). */
    public static final Origins NONE = new Origins(new String[0], new long[0], new long[0], new SourcePosition[0], new byte[0][], new int[0],
            new int[0], 0);

    private final String[] streams;
    private final long[] offsets;
    private final long[] times;
    private final SourcePosition[] positions;
    private final byte[][] raws;
    /** Where each raw record starts in its array and how long it is; null when each is its whole array. */
    private final int[] starts;
    private final int[] lengths;
    private final int size;

    private Origins(String[] streams, long[] offsets, long[] times, SourcePosition[] positions, byte[][] raws, int[] starts,
            int[] lengths, int size) {
        this.streams = streams;
        this.offsets = offsets;
        this.times = times;
        this.positions = positions;
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
     * @return its event time in milliseconds since the epoch (Maxwell's {@code ts}), or 0 when not known
     */
    public long time(int seq) {
        return seq >= 0 && seq < size ? times[seq] : 0;
    }

    /**
     * @param seq a sequence number of the batch
     * @return its binlog position, or null when the event carries none (bootstrap rows, streams
     *     without {@code output_binlog_position}, undecodable records)
     */
    public SourcePosition position(int seq) {
        return seq >= 0 && seq < size ? positions[seq] : null;
    }

    /**
     * The buffer that holds a raw record, without copying it: the record is
     * {@code [rawStart(seq), rawStart(seq) + rawLength(seq))} of it.
     *
     * @param seq a sequence number of the batch
     * @return the buffer, or null when the record was not kept; do not modify
     */
    public byte[] rawBuffer(int seq) {
        return seq >= 0 && seq < size ? raws[seq] : null;
    }

    /**
     * @param seq a sequence number whose {@link #rawBuffer} is not null
     * @return where its record starts in the buffer
     */
    public int rawStart(int seq) {
        return starts[seq];
    }

    /**
     * @param seq a sequence number whose {@link #rawBuffer} is not null
     * @return the length of its record
     */
    public int rawLength(int seq) {
        return lengths[seq];
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
        private long[] times = new long[64];
        private SourcePosition[] positions = new SourcePosition[64];
        private byte[][] raws = new byte[64][];
        private int[] starts = new int[64];
        private int[] lengths = new int[64];
        private int size;

        void add(int seq, String stream, long offset, long time, SourcePosition position, byte[] raw) {
            add(seq, stream, offset, time, position, raw, 0, raw == null ? 0 : raw.length);
        }

        void add(int seq, String stream, long offset, long time, SourcePosition position, byte[] buf, int start, int len) {
            if (seq != size) {
                throw new IllegalStateException("origins out of step: " + seq + " after " + size);
            }
            if (size == streams.length) {
                streams = Arrays.copyOf(streams, size * 2);
                offsets = Arrays.copyOf(offsets, size * 2);
                times = Arrays.copyOf(times, size * 2);
                positions = Arrays.copyOf(positions, size * 2);
                raws = Arrays.copyOf(raws, size * 2);
                starts = Arrays.copyOf(starts, size * 2);
                lengths = Arrays.copyOf(lengths, size * 2);
            }
            streams[size] = stream;
            offsets[size] = offset;
            times[size] = time;
            positions[size] = position;
            raws[size] = buf;
            starts[size] = start;
            lengths[size] = len;
            size++;
        }

        /** @return the origins so far, and starts over */
        Origins finish() {
            Origins o = new Origins(streams, offsets, times, positions, raws, starts, lengths, size);
            streams = new String[64];
            offsets = new long[64];
            times = new long[64];
            positions = new SourcePosition[64];
            raws = new byte[64][];
            starts = new int[64];
            lengths = new int[64];
            size = 0;
            return o;
        }
    }
}
