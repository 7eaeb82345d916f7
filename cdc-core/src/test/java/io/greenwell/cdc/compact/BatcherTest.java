package io.greenwell.cdc.compact;

import static io.greenwell.cdc.compact.Events.ID;
import static io.greenwell.cdc.compact.Events.T;
import static io.greenwell.cdc.compact.Events.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SourcePosition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatcherTest {

    private static RowChange ins(int id) {
        return Events.insert(T, ID, Row.of("id", id));
    }

    private static List<NetBatch> offerAll(Batcher b, String stream, List<? extends ChangeEvent> events) {
        List<NetBatch> out = new ArrayList<>();
        long offset = 0;
        for (ChangeEvent e : events) {
            NetBatch nb = b.offer(stream, offset++, e);
            if (nb != null) {
                out.add(nb);
            }
        }
        NetBatch last = b.flush();
        if (last != null) {
            out.add(last);
        }
        return out;
    }

    @Test
    void closesOnlyAfterACommitRow() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(2, Long.MAX_VALUE, true));
        List<NetBatch> batches = offerAll(b, "s", List.of(
                tx(ins(1), 7, 0, false, 10), tx(ins(2), 7, 1, false, 10), tx(ins(3), 7, 2, false, 20), tx(ins(4), 7, 3, true, 30),
                tx(ins(5), 8, 0, true, 40)));
        assertThat(batches).extracting(nb -> nb.stats().events()).containsExactly(4L, 1L);
        assertThat(batches.get(0).lastOffsets()).containsEntry("s", 3L);
        assertThat(batches.get(0).watermarks().get(new WatermarkKey("s", 1)).position())
                .isEqualTo(new SourcePosition("mysql-bin.000001", 30, -1, true, null));
    }

    @Test
    void aMarkMovesTheStreamsOffsetWithNoChangeAndAMarkAloneMakesABatch() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(10, Long.MAX_VALUE, true));
        assertThat(b.offer("s", 1, tx(ins(1), 7, 0, true, 10))).isNull();
        assertThat(b.mark("s", 9)).isNull();
        NetBatch nb = b.flush();
        assertThat(nb.lastOffsets()).containsEntry("s", 9L);
        assertThat(nb.stats().events()).isEqualTo(1L);
        assertThat(b.mark("s", 15)).isNull();
        NetBatch alone = b.flush();
        assertThat(alone).isNotNull();
        assertThat(alone.lastOffsets()).containsEntry("s", 15L);
        assertThat(alone.stats().events()).isZero();
        assertThat(io.greenwell.cdc.spi.SourceRecord.mark("s", 15).isMark()).isTrue();
        assertThat(new io.greenwell.cdc.spi.SourceRecord("s", 15, new byte[0]).isMark()).as("an empty record is not a mark").isFalse();
    }

    @Test
    void everyEventOfABatchKeepsItsOriginAndRawBytesByItsSequenceNumber() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(2, Long.MAX_VALUE, true));
        List<NetBatch> out = new ArrayList<>();
        List<RowChange> events = List.of(tx(ins(1), 7, 0, false, 10), tx(ins(2), 7, 1, true, 10), tx(ins(3), 8, 0, true, 20),
                tx(Events.insert(T, ID, Row.of("id", io.greenwell.cdc.event.Value.NULL)), 9, 0, true, 30));
        for (int i = 0; i < events.size(); i++) {
            NetBatch nb = b.offer(i % 2 == 0 ? "a" : "b", 100 + i, events.get(i), new byte[] {(byte) i});
            if (nb != null) {
                out.add(nb);
            }
        }
        assertThat(b.flush()).isNull();
        assertThat(out).hasSize(2);
        Origins first = out.get(0).origins();
        assertThat(first.size()).isEqualTo(2);
        assertThat(first.stream(1)).isEqualTo("b");
        assertThat(first.offset(1)).isEqualTo(101);
        assertThat(first.raw(0)).containsExactly(0);
        assertThat(first.position(1)).isEqualTo(events.get(1).meta().position());
        assertThat(first.position(1).offset()).isEqualTo(10);
        Origins second = out.get(1).origins();
        assertThat(second.size()).isEqualTo(2);
        // the rejected row (NULL key) is traced to its record
        Rejected r = out.get(1).rejected().get(0);
        assertThat(second.stream(r.source())).isEqualTo("b");
        assertThat(second.offset(r.source())).isEqualTo(103);
        assertThat(second.raw(r.source())).containsExactly(3);
        assertThat(second.stream(5)).isNull();
        assertThat(second.position(5)).isNull();
        assertThat(Compactor.create().finish().origins()).isSameAs(Origins.NONE);
    }

    @Test
    void theRecordsKeptForTheDeadLettersCountTowardsTheBatchsBytes() {
        // every record replaces the same row, so the images stay small while the records add up
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(1_000_000, 10_000, true));
        List<NetBatch> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            NetBatch nb = b.offer("s", i, tx(ins(1), 10 + i, 0, true, 10 + i), new byte[1000]);
            if (nb != null) {
                out.add(nb);
            }
        }
        assertThat(out).isNotEmpty();
        assertThat(out.get(0).stats().events()).isEqualTo(10L);
        assertThat(b.retainedBytes()).isLessThan(10_000 + 1000);
    }

    @Test
    void aReplayIsDroppedWithNothingKept() {
        Sequencer seq = new Sequencer();
        Batcher b = new Batcher(Compactor.create(), seq, new BatchLimits(10, Long.MAX_VALUE, true));
        b.offer("a", 1, tx(ins(1), 7, 0, true, 10), new byte[] {1});
        assertThat(b.droppedLast()).isFalse();
        b.offer("a", 1, tx(ins(1), 7, 0, true, 10), new byte[] {1}); // the same record again
        assertThat(b.droppedLast()).isTrue();
        b.offer("a", 2, tx(ins(2), 8, 0, true, 20), new byte[] {2});
        assertThat(b.droppedLast()).isFalse();
        NetBatch nb = b.flush();
        assertThat(nb.stats().duplicates()).isEqualTo(1L);
        assertThat(nb.origins().size()).isEqualTo(2);
        assertThat(b.retainedBytes()).isZero();
    }

    @Test
    void rawRecordsHeldInASharedBufferComeBackAsTheirOwnBytes() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(10, Long.MAX_VALUE, true));
        byte[] shared = {9, 1, 2, 3, 4, 5, 9};
        assertThat(b.offer("a", 1, tx(ins(1), 7, 0, false, 10), shared, 1, 2)).isNull();
        assertThat(b.offer("a", 2, tx(ins(2), 7, 1, true, 10), shared, 3, 3)).isNull();
        assertThat(b.offer("a", 3, tx(ins(3), 8, 0, true, 20), null, 0, 0)).isNull();
        Origins o = b.flush().origins();
        assertThat(o.raw(0)).containsExactly(1, 2);
        assertThat(o.raw(1)).containsExactly(3, 4, 5);
        assertThat(o.raw(2)).isNull();
        assertThat(o.raw(3)).isNull();
    }

    @Test
    void aChangeOfXidIsABoundaryEvenWithoutACommitRow() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(2, Long.MAX_VALUE, true));
        List<NetBatch> batches = offerAll(b, "s", List.of(
                tx(ins(1), 7, 0, false, 10), tx(ins(2), 7, 1, false, 20), tx(ins(3), 8, 0, false, 30), tx(ins(4), 8, 1, true, 40)));
        // the batch is full after two rows of xid 7; it closes before the first row of xid 8
        assertThat(batches).extracting(nb -> nb.stats().events()).containsExactly(2L, 2L);
        assertThat(batches.get(0).watermarks().get(new WatermarkKey("s", 1)).position().offset()).isEqualTo(20);
        assertThat(batches.get(0).lastOffsets()).containsEntry("s", 1L);
    }

    @Test
    void rowsWithoutXidAreTheirOwnTransactions() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(2, Long.MAX_VALUE, true));
        List<NetBatch> batches = offerAll(b, "s", List.of(ins(1), ins(2), ins(3)));
        assertThat(batches).extracting(nb -> nb.stats().events()).containsExactly(2L, 1L);
    }

    @Test
    void waitsForEveryStreamToReachABoundary() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(2, Long.MAX_VALUE, true));
        assertThat(b.offer("p0", 0, tx(ins(1), 7, 0, false, 10))).isNull();
        assertThat(b.offer("p1", 0, tx(ins(2), 9, -1, true, 10))).isNull(); // full, but p0 is inside xid 7
        assertThat(b.atBoundary()).isFalse();
        NetBatch nb = b.offer("p0", 1, tx(ins(3), 7, 1, true, 20));
        assertThat(nb).isNotNull();
        assertThat(nb.stats().events()).isEqualTo(3);
        assertThat(nb.lastOffsets()).containsEntry("p0", 1L).containsEntry("p1", 0L);
    }

    @Test
    void splitsATransactionLargerThanTheCap() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(1000, 5_000, true));
        List<RowChange> big = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            big.add(tx(Events.insert(T, ID, Row.of("id", i, "pad", "x".repeat(1000))), 7, i, i == 9, 10 + i));
        }
        List<NetBatch> batches = offerAll(b, "s", big);
        assertThat(batches.size()).isGreaterThan(1);
        assertThat(batches.get(0).stats().splitTransactions()).isEqualTo(1);
        assertThat(batches.stream().mapToLong(nb -> nb.stats().events()).sum()).isEqualTo(10);
        assertThat(b.splitTransactions()).isEqualTo(batches.size() - 1);
    }

    @Test
    void refusesToSplitWhenAskedTo() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(1000, 5_000, false));
        assertThatThrownBy(() -> {
            for (int i = 0; i < 10; i++) {
                b.offer("s", i, tx(Events.insert(T, ID, Row.of("id", i, "pad", "x".repeat(1000))), 7, i, i == 9, 10 + i));
            }
        }).isInstanceOf(TransactionTooLargeException.class).hasMessageContaining("stream s");
    }

    @Test
    void duplicatesAreCountedAndMoveTheOffsets() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), BatchLimits.DEFAULT);
        RowChange r = tx(ins(1), 7, -1, true, 10);
        b.offer("s", 0, r);
        b.offer("s", 1, r);
        NetBatch nb = b.flush();
        assertThat(nb.stats().duplicates()).isEqualTo(1);
        assertThat(nb.stats().events()).isEqualTo(2);
        assertThat(nb.lastOffsets()).containsEntry("s", 1L);
        assertThat(b.flush()).isNull();
    }

    @Test
    void aReplayInsideAnOpenTransactionIsNotABoundary() {
        // found in review: a replayed row of an earlier xid used to end the open transaction
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(4, Long.MAX_VALUE, true));
        List<ChangeEvent> events = new ArrayList<>(List.of(
                tx(ins(1), 9, 0, false, 10), tx(ins(2), 9, -1, true, 20),
                tx(ins(3), 10, 0, false, 30), tx(ins(4), 10, 1, false, 40)));
        events.add(tx(ins(1), 9, 0, false, 10)); // Maxwell restarts and replays transaction 9
        events.add(tx(ins(2), 9, -1, true, 20));
        events.add(tx(ins(5), 10, 2, false, 50));
        events.add(tx(ins(6), 10, -1, true, 60));
        List<NetBatch> batches = offerAll(b, "s", events);
        assertThat(batches.get(0).stats().events()).isEqualTo(8);
        assertThat(batches.get(0).stats().duplicates()).isEqualTo(2);
    }

    @Test
    void ddlEndsATransaction() {
        Batcher b = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(1, Long.MAX_VALUE, true));
        NetBatch nb = b.offer("s", 0, Events.noOpAlter(T, List.of("id"), ID, new SourcePosition("f.1", 5, -1, false, null)));
        assertThat(nb).isNotNull();
        assertThat(nb.steps()).singleElement().isInstanceOf(NetBatch.Schema.class);
    }
}
