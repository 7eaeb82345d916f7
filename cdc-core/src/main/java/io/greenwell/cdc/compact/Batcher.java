package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.RowChange;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts an ordered stream of events into transaction-consistent batches and compacts each: drops
 * replays with a {@link Sequencer}, feeds the rest to a {@link Compactor}, and closes a batch only
 * at a transaction boundary of every stream it holds, once the batch reaches its
 * {@link BatchLimits}.
 *
 * <p>Boundaries, per stream: after a row with {@code "commit":true}; at a change of {@code xid};
 * before and after a row without {@code xid}; around DDL and bootstrap markers. A caller also
 * closes with {@link #flush()} at the end of its input and when the maximum delay has passed,
 * wherever the stream stands. A transaction that outgrows {@link BatchLimits#maxBytes()} is split
 * (logged, and counted in {@link BatchStats#splitTransactions()}), or refused with a
 * {@link TransactionTooLargeException}.
 *
 * <p>Not thread-safe: one batcher belongs to one pipeline thread.
 */
public final class Batcher {

    private static final Logger log = LoggerFactory.getLogger(Batcher.class);

    private final Compactor compactor;
    private final Sequencer sequencer;
    private final BatchLimits limits;
    private final Map<String, StreamState> streams = new HashMap<>();
    private Map<String, Long> lastOffsets = new HashMap<>();
    private final Origins.Recorder origins = new Origins.Recorder();
    private int openStreams;
    private int offered;
    private long duplicates;
    private long splits;
    /** The bytes of the raw records the open batch keeps for its dead letters. */
    private long recordBytes;
    private long closedBytes;
    private boolean droppedLast;

    /**
     * @param compactor the compactor to feed, never null
     * @param sequencer the replay filter, holding the watermarks stored with the last batch; never null
     * @param limits when batches close, never null
     */
    public Batcher(Compactor compactor, Sequencer sequencer, BatchLimits limits) {
        this.compactor = Objects.requireNonNull(compactor, "compactor");
        this.sequencer = Objects.requireNonNull(sequencer, "sequencer");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Offers the next record of a stream.
     *
     * @param stream the stream id, never null
     * @param offset the record's offset in its stream
     * @param event the decoded record, never null
     * @return a batch that closed, without this record when the boundary lay before it and with it
     *     when the boundary lay after it; null while the batch stays open
     * @throws TransactionTooLargeException when a transaction outgrows the cap and may not be split
     */
    public NetBatch offer(String stream, long offset, ChangeEvent event) {
        return offer(stream, offset, event, null);
    }

    /**
     * Adds the next record of a stream, keeping its raw bytes for the dead letters (see
     * {@link NetBatch#origins()}); otherwise as {@link #offer(String, long, ChangeEvent)}.
     *
     * @param stream the stream id, never null
     * @param offset the record's offset in its stream
     * @param event the decoded record, never null
     * @param raw the record's bytes, or null to keep none; not copied, do not modify
     * @return a batch that closed, or null while the batch stays open
     * @throws TransactionTooLargeException when a transaction outgrows the cap and may not be split
     */
    public NetBatch offer(String stream, long offset, ChangeEvent event, byte[] raw) {
        return offer(stream, offset, event, raw, 0, raw == null ? 0 : raw.length);
    }

    /**
     * As {@link #offer(String, long, ChangeEvent, byte[])}, with the raw record held in
     * {@code buf[off, off + len)}.
     *
     * @param stream the stream id, never null
     * @param offset the record's offset in its stream
     * @param event the decoded record, never null
     * @param buf the buffer holding the record's bytes, or null to keep none; not copied, do not modify
     * @param off where the record starts in {@code buf}
     * @param len the record's length
     * @return a batch that closed, or null while the batch stays open
     * @throws TransactionTooLargeException when a transaction outgrows the cap and may not be split
     */
    public NetBatch offer(String stream, long offset, ChangeEvent event, byte[] buf, int off, int len) {
        StreamState st = streams.get(stream);
        if (st == null) {
            st = new StreamState();
            streams.put(stream, st);
        }
        // the stream's transaction ended before this record without a commit row (xid change, DDL...)
        boolean endedBefore = st.open && boundaryBefore(st, event);
        // if the record is new, the batch closes before it: keep the watermarks that exclude it
        Map<WatermarkKey, Watermark> before = null;
        if (offered > 0 && openStreams - (endedBefore ? 1 : 0) == 0 && full()) {
            before = sequencer.snapshot();
        }
        if (!sequencer.admit(stream, event)) {
            // a replay neither ends a transaction nor closes a batch: it only moves the offsets
            offered++;
            duplicates++;
            lastOffsets.put(stream, offset);
            droppedLast = true;
            return null;
        }
        droppedLast = false;
        if (endedBefore) {
            st.open = false;
            openStreams--;
        }
        NetBatch ready = before == null ? null : close(false, before);
        offered++;
        lastOffsets.put(stream, offset);
        origins.add(compactor.add(event), stream, offset, event.meta().timestampMillis(), event.meta().position(), buf, off, len);
        if (buf != null) {
            recordBytes += len;
        }
        follow(st, event);
        if (ready == null) {
            if (full() && openStreams == 0) {
                ready = close(false);
            } else if (retainedBytes() >= limits.maxBytes()) {
                if (!limits.splitLargeTransactions()) {
                    throw new TransactionTooLargeException("a transaction on stream " + stream + " holds more than "
                            + limits.maxBytes() + " bytes of row images and records (at offset " + offset + ") and splitting is refused");
                }
                splits++;
                log.warn("splitting a transaction larger than {} bytes on stream {} at offset {}", limits.maxBytes(), stream, offset);
                ready = close(true);
            }
        }
        return ready;
    }

    /**
     * Takes note of a record that is not compacted because the target does not replicate its
     * table: its offset is stored with the batch, and it still ends or continues its stream's
     * transaction, but no net change comes of it.
     *
     * @param stream the stream id, never null
     * @param offset the record's offset in its stream
     * @param event the decoded record, never null
     * @return a batch that closed after this record, or null
     */
    public NetBatch skip(String stream, long offset, ChangeEvent event) {
        StreamState st = streams.computeIfAbsent(stream, s -> new StreamState());
        if (st.open && boundaryBefore(st, event)) {
            st.open = false;
            openStreams--;
        }
        offered++;
        lastOffsets.put(stream, offset);
        follow(st, event);
        return full() && openStreams == 0 ? close(false) : null;
    }

    /**
     * Takes note of a stream's position with nothing to apply ({@link io.greenwell.cdc.spi.SourceRecord#mark}): its
     * offset is stored with the batch. It lies between transactions, so it changes no transaction boundary.
     *
     * @param stream the stream id, never null
     * @param offset where the stream resumes
     * @return a batch that closed after it, or null
     */
    public NetBatch mark(String stream, long offset) {
        streams.computeIfAbsent(stream, s -> new StreamState());
        offered++;
        lastOffsets.put(stream, offset);
        return full() && openStreams == 0 ? close(false) : null;
    }

    /**
     * Adds a record that could not be decoded: it goes to the dead letters with the batch (see
     * {@link Rejected.Reason#UNDECODABLE}), and does not change transaction boundaries.
     *
     * @param stream the stream id, never null
     * @param offset the record's offset in its stream
     * @param raw the record's bytes, or null
     * @param message why it could not be decoded, never null
     * @return a batch that closed after this record, or null
     */
    public NetBatch offerUndecodable(String stream, long offset, byte[] raw, String message) {
        streams.computeIfAbsent(stream, s -> new StreamState());
        offered++;
        lastOffsets.put(stream, offset);
        origins.add(compactor.addUndecodable(message), stream, offset, 0, null, raw);
        if (raw != null) {
            recordBytes += raw.length;
        }
        return full() && openStreams == 0 ? close(false) : null;
    }

    /**
     * Closes the open batch wherever the streams stand: at the end of the input, or when the
     * maximum delay has passed.
     *
     * @return the batch, or null when nothing was offered since the last batch closed
     */
    public NetBatch flush() {
        return offered == 0 ? null : close(false);
    }

    /**
     * @return true when the last record offered was a replay of one applied before: nothing of it
     *     is kept, neither its event nor its bytes
     */
    public boolean droppedLast() {
        return droppedLast;
    }

    /** @return the retained bytes of the batch closed last, counted as {@link #retainedBytes()} counted them just before */
    public long closedBytes() {
        return closedBytes;
    }

    /** @return the retained bytes of the open batch (row images and kept records), for back-pressure */
    public long retainedBytes() {
        return compactor.retainedBytes() + recordBytes;
    }

    /** @return how many records the open batch holds, duplicates included */
    public int size() {
        return offered;
    }

    /** @return how many transactions were split so far */
    public long splitTransactions() {
        return splits;
    }

    /** @return true when every stream stands at a transaction boundary */
    public boolean atBoundary() {
        return openStreams == 0;
    }

    private boolean full() {
        return offered >= limits.maxEvents() || retainedBytes() >= limits.maxBytes();
    }

    private NetBatch close(boolean split) {
        return close(split, sequencer.snapshot());
    }

    private NetBatch close(boolean split, Map<WatermarkKey, Watermark> watermarks) {
        closedBytes = retainedBytes();
        NetBatch batch = compactor.finish(watermarks, lastOffsets, duplicates, split, origins.finish());
        lastOffsets = new HashMap<>();
        offered = 0;
        duplicates = 0;
        recordBytes = 0;
        return batch;
    }

    /** Follows a stream past a record it took: its transaction open or ended, and its xid. */
    private void follow(StreamState st, ChangeEvent event) {
        boolean ends = endsTransaction(event);
        if (ends && st.open) {
            st.open = false;
            openStreams--;
        } else if (!ends && !st.open) {
            st.open = true;
            openStreams++;
        }
        st.xid = event instanceof RowChange ? event.meta().xid() : null;
    }

    private static boolean boundaryBefore(StreamState st, ChangeEvent next) {
        if (!st.open || !(next instanceof RowChange)) {
            return true;
        }
        Long xid = next.meta().xid();
        return xid == null || st.xid == null || !xid.equals(st.xid);
    }

    private static boolean endsTransaction(ChangeEvent e) {
        return !(e instanceof RowChange) || e.meta().commit() || e.meta().xid() == null;
    }

    /** Where one stream stands. */
    private static final class StreamState {
        boolean open;
        Long xid;
    }
}
