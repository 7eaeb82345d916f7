package io.greenwell.cdc.compact;

import static io.greenwell.cdc.compact.Events.ID;
import static io.greenwell.cdc.compact.Events.T;
import static io.greenwell.cdc.compact.Events.bootstrap;
import static io.greenwell.cdc.compact.Events.bootstrapRow;
import static io.greenwell.cdc.compact.Events.delete;
import static io.greenwell.cdc.compact.Events.insert;
import static io.greenwell.cdc.compact.Events.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.greenwell.cdc.event.BootstrapMarker;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.SourcePosition;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.spi.TableShape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One example per row of the net-change table (DESIGN section 5), and the other promises. */
class CompactorTest {

    private static NetBatch compact(ChangeEvent... events) {
        return compact(Compactor.create(), events);
    }

    private static NetBatch compact(Compactor c, ChangeEvent... events) {
        for (ChangeEvent e : events) {
            c.add(e);
        }
        return c.finish();
    }

    private static TableChanges only(NetBatch b) {
        assertThat(b.steps()).hasSize(1);
        NetBatch.Changes changes = (NetBatch.Changes) b.steps().get(0);
        assertThat(changes.tables()).hasSize(1);
        return changes.tables().get(0);
    }

    private static Row k(int id) {
        return Row.of("id", id);
    }

    @Test
    void insertThenUpdatesIsAnUpsertOfTheFinalImage() {
        NetBatch b = compact(
                insert(T, ID, Row.of("id", 1, "v", "a")),
                update(T, ID, Row.of("id", 1, "v", "b"), Row.of("v", "a")),
                update(T, ID, Row.of("id", 1, "v", "c"), Row.of("v", "b")));
        TableChanges t = only(b);
        assertThat(t.upserts()).singleElement().satisfies(u -> {
            assertThat(u.key(ID)).isEqualTo(k(1));
            assertThat(u.image()).isEqualTo(Row.of("id", 1, "v", "c"));
            assertThat(u.sources()).containsExactly(0, 1, 2);
        });
        assertThat(t.deletes()).isEmpty();
        assertThat(b.stats().events()).isEqualTo(3);
        assertThat(b.stats().netChanges()).isEqualTo(1);
        assertThat(b.stats().compactionRatio()).isEqualTo(3.0);
    }

    @Test
    void insertThenDeleteLeavesNothingAndDoesNotTouchTheTarget() {
        NetBatch b = compact(
                insert(T, ID, Row.of("id", 1, "v", "a")),
                update(T, ID, Row.of("id", 1, "v", "b"), Row.of("v", "a")),
                delete(T, ID, Row.of("id", 1, "v", "b")));
        assertThat(b.steps()).isEmpty();
        assertThat(b.stats().netChanges()).isZero();
        assertThat(b.stats().inserts()).isEqualTo(1);
        assertThat(b.stats().updates()).isEqualTo(1);
        assertThat(b.stats().deletes()).isEqualTo(1);
    }

    @Test
    void anUpsertIsCreatedWhenTheBatchsOwnEventsSayTheKeyHadNoRowBefore() {
        TableChanges t = only(compact(
                insert(T, ID, Row.of("id", 1, "v", "a")),
                update(T, ID, Row.of("id", 1, "v", "b"), Row.of("v", "a")),
                update(T, ID, Row.of("id", 2, "v", "b"), Row.of("v", "a")),
                delete(T, ID, Row.of("id", 3, "v", "a")),
                insert(T, ID, Row.of("id", 3, "v", "b")),
                insert(T, ID, Row.of("id", 4, "v", "a")),
                delete(T, ID, Row.of("id", 4, "v", "a")),
                insert(T, ID, Row.of("id", 4, "v", "b")),
                update(T, ID, Row.of("id", 6, "v", "x"), Row.of("id", 5))));
        Map<Row, Boolean> created = new LinkedHashMap<>();
        t.upserts().forEach(u -> created.put(u.key(ID), u.created()));
        assertThat(created).as("inserted; updated; deleted and inserted again; inserted, deleted and inserted again; moved to")
                .containsExactly(entry(k(1), true), entry(k(2), false), entry(k(3), false), entry(k(4), true), entry(k(6), true));
        assertThat(new NetChange.Upsert(Row.of("id", 1), new int[0]).created()).as("the default").isFalse();
    }

    @Test
    void updatesAreAnUpsertOfTheFinalImage() {
        TableChanges t = only(compact(
                update(T, ID, Row.of("id", 1, "v", "b"), Row.of("v", "a")),
                update(T, ID, Row.of("id", 1, "v", "c"), Row.of("v", "b"))));
        assertThat(t.upserts()).singleElement().extracting(NetChange.Upsert::image).isEqualTo(Row.of("id", 1, "v", "c"));
    }

    @Test
    void updateThenDeleteIsADelete() {
        TableChanges t = only(compact(
                update(T, ID, Row.of("id", 1, "v", "b"), Row.of("v", "a")),
                delete(T, ID, Row.of("id", 1, "v", "b"))));
        assertThat(t.deletes()).singleElement().extracting(NetChange.Delete::key).isEqualTo(k(1));
        assertThat(t.upserts()).isEmpty();
        TableChanges t2 = only(compact(delete(T, ID, Row.of("id", 2, "v", "x"))));
        assertThat(t2.deletes()).singleElement().extracting(NetChange.Delete::key).isEqualTo(k(2));
    }

    @Test
    void deleteThenInsertReplaces() {
        TableChanges t = only(compact(
                delete(T, ID, Row.of("id", 1, "v", "a")),
                insert(T, ID, Row.of("id", 1, "v", "new")),
                update(T, ID, Row.of("id", 1, "v", "newer"), Row.of("v", "new"))));
        assertThat(t.upserts()).singleElement().extracting(NetChange.Upsert::image).isEqualTo(Row.of("id", 1, "v", "newer"));
        assertThat(t.deletes()).isEmpty();
    }

    @Test
    void keyChangeChainLeavesDeleteADeleteBUpsertC() {
        TableChanges t = only(compact(
                update(T, ID, Row.of("id", 2, "v", "x"), Row.of("id", 1)),
                update(T, ID, Row.of("id", 3, "v", "y"), Row.of("id", 2, "v", "x"))));
        assertThat(t.deletes()).extracting(NetChange.Delete::key).containsExactlyInAnyOrder(k(1), k(2));
        assertThat(t.upserts()).singleElement().satisfies(u -> {
            assertThat(u.key(ID)).isEqualTo(k(3));
            assertThat(u.image()).isEqualTo(Row.of("id", 3, "v", "y"));
            assertThat(u.sources()).containsExactly(0, 1);
        });
    }

    @Test
    void insertedRowThatMovesIsNotLeftBehind() {
        TableChanges t = only(compact(
                insert(T, ID, Row.of("id", 1, "v", "x")),
                update(T, ID, Row.of("id", 5, "v", "x"), Row.of("id", 1))));
        assertThat(t.upserts()).singleElement().extracting(u -> u.key(ID)).isEqualTo(k(5));
        assertThat(t.deletes()).extracting(NetChange.Delete::key).containsExactly(k(1));
    }

    @Test
    void minimalImagesArePartialUpdatesMergedAcrossEvents() {
        Compactor c = Compactor.builder()
                .keyResolver(id -> Optional.of(new TableShape(ID, List.of("id", "a", "b", "c"))))
                .build();
        TableChanges t = only(compact(c,
                update(T, null, Row.of("id", 1, "a", 10), Row.EMPTY),
                update(T, null, Row.of("id", 1, "b", 20), Row.EMPTY),
                update(T, null, Row.of("id", 2, "b", 21), Row.EMPTY),
                update(T, null, Row.of("id", 2, "a", 11), Row.EMPTY),
                update(T, null, Row.of("id", 3, "c", 30), Row.EMPTY)));
        assertThat(t.upserts()).isEmpty();
        assertThat(t.partials()).hasSize(2);
        TableChanges.PartialGroup ab = t.partials().get(0);
        assertThat(ab.columns()).containsExactly("a", "b");
        assertThat(ab.rows()).extracting(NetChange.Partial::key).containsExactlyInAnyOrder(k(1), k(2));
        assertThat(ab.rows()).extracting(NetChange.Partial::values)
                .containsExactlyInAnyOrder(Row.of("a", 10, "b", 20), Row.of("a", 11, "b", 21));
        assertThat(t.partials().get(1).columns()).containsExactly("c");
    }

    @Test
    void aLaterFullImageSupersedesPartials() {
        Compactor c = Compactor.builder()
                .keyResolver(id -> Optional.of(new TableShape(ID, List.of("id", "a", "b"))))
                .build();
        TableChanges t = only(compact(c,
                update(T, null, Row.of("id", 1, "a", 10), Row.EMPTY),
                update(T, null, Row.of("id", 1, "a", 11, "b", 5), Row.of("a", 10, "b", 4))));
        assertThat(t.partials()).isEmpty();
        assertThat(t.upserts()).singleElement().extracting(NetChange.Upsert::image).isEqualTo(Row.of("id", 1, "a", 11, "b", 5));
        // and a partial after an insert folds into the insert's image
        TableChanges t2 = only(compact(c,
                insert(T, null, Row.of("id", 2, "a", 1, "b", 1)),
                update(T, null, Row.of("id", 2, "b", 2), Row.EMPTY)));
        assertThat(t2.upserts()).singleElement().extracting(NetChange.Upsert::image).isEqualTo(Row.of("id", 2, "a", 1, "b", 2));
    }

    @Test
    void keyChangeWithAPartialImageMovesTheTargetRow() {
        Compactor c = Compactor.builder()
                .keyResolver(id -> Optional.of(new TableShape(ID, List.of("id", "a", "b"))))
                .build();
        TableChanges t = only(compact(c,
                update(T, null, Row.of("id", 1, "a", 7), Row.EMPTY),
                update(T, null, Row.of("id", 9), Row.of("id", 1)),
                update(T, null, Row.of("id", 9, "b", 8), Row.EMPTY)));
        assertThat(t.deletes()).extracting(NetChange.Delete::key).containsExactly(k(1));
        assertThat(t.moves()).singleElement().satisfies(m -> {
            assertThat(m.fromKey()).isEqualTo(k(1));
            assertThat(m.key()).isEqualTo(k(9));
            assertThat(m.overlay()).isEqualTo(Row.of("id", 9, "a", 7, "b", 8));
        });
    }

    @Test
    void aRowMovedOntoADeletedKeyAndDeletedAgainStaysDeleted() {
        // found by the property test: key 8 had a row before the batch
        Compactor c = Compactor.builder()
                .keyResolver(id -> Optional.of(new TableShape(ID, List.of("id", "a", "b"))))
                .build();
        TableModel.Shape shape = new TableModel.Shape(List.of("id", "a", "b"), ID);
        TableModel base = new TableModel(Map.of(T, shape));
        base.put(T, Row.of("id", 5, "a", 1, "b", 1));
        base.put(T, Row.of("id", 8, "a", 2, "b", 2));
        ChangeEvent[] events = {
            delete(T, ID, Row.of("id", 8)),
            update(T, ID, Row.of("id", 8, "a", 0), Row.of("id", 5)),
            delete(T, ID, Row.of("id", 8)),
        };
        TableModel replayed = base.copy();
        for (ChangeEvent e : events) {
            replayed.replay(e);
        }
        TableModel applied = base.copy();
        applied.apply(compact(c, events));
        assertThat(applied.state()).isEqualTo(replayed.state());
        assertThat(applied.rows(T)).isEmpty();
    }

    @Test
    void keylessTablesAreMultisets() {
        List<String> none = List.of();
        TableChanges t = only(compact(
                insert(T, none, Row.of("a", 1)),
                insert(T, none, Row.of("a", 1)),
                insert(T, none, Row.of("a", 1)),
                delete(T, none, Row.of("a", 1)),
                delete(T, none, Row.of("a", 2)),
                insert(T, none, Row.of("a", 3)),
                delete(T, none, Row.of("a", 3)),
                update(T, none, Row.of("a", 5), Row.of("a", 4))));
        assertThat(t.keyColumns()).isEmpty();
        assertThat(t.keylessInserts()).extracting(d -> d.image() + "x" + d.count())
                .containsExactlyInAnyOrder("{a=1}x2", "{a=5}x1");
        assertThat(t.keylessDeletes()).extracting(d -> d.image() + "x" + d.count())
                .containsExactlyInAnyOrder("{a=2}x1", "{a=4}x1");
    }

    @Test
    void bootstrapIsASnapshotNeverMergedWithTheTablesChanges() {
        NetBatch b = compact(
                update(T, ID, Row.of("id", 1, "v", "b"), Row.of("v", "a")),
                bootstrap(T, BootstrapMarker.Kind.START),
                bootstrapRow(T, ID, Row.of("id", 1, "v", "b")),
                bootstrapRow(T, ID, Row.of("id", 2, "v", "c")),
                bootstrap(T, BootstrapMarker.Kind.COMPLETE),
                update(T, ID, Row.of("id", 2, "v", "d"), Row.of("v", "c")));
        assertThat(b.steps()).hasSize(5);
        assertThat(((NetBatch.Changes) b.steps().get(0)).tables().get(0).snapshot()).isFalse();
        assertThat(b.steps().get(1)).isEqualTo(new NetBatch.BootstrapStart(T, 1));
        TableChanges snap = ((NetBatch.Changes) b.steps().get(2)).tables().get(0);
        assertThat(snap.snapshot()).isTrue();
        assertThat(snap.upserts()).extracting(NetChange.Upsert::image)
                .containsExactlyInAnyOrder(Row.of("id", 1, "v", "b"), Row.of("id", 2, "v", "c"));
        assertThat(b.steps().get(3)).isEqualTo(new NetBatch.BootstrapComplete(T, 4));
        TableChanges after = ((NetBatch.Changes) b.steps().get(4)).tables().get(0);
        assertThat(after.snapshot()).isFalse();
        assertThat(after.upserts()).extracting(NetChange.Upsert::image).containsExactly(Row.of("id", 2, "v", "d"));
        assertThat(b.stats().bootstrapRows()).isEqualTo(2);
        assertThat(b.stats().bootstrapMarkers()).isEqualTo(2);
    }

    @Test
    void ddlIsABarrier() {
        NetBatch b = compact(
                update(T, ID, Row.of("id", 1, "v", "b"), Row.of("v", "a")),
                Events.noOpAlter(T, List.of("id", "v"), ID, new SourcePosition("f.1", 10, -1, false, null)),
                update(T, ID, Row.of("id", 1, "v", "c"), Row.of("v", "b")));
        assertThat(b.steps()).hasSize(3);
        assertThat(b.steps().get(1)).isInstanceOf(NetBatch.Schema.class);
        assertThat(((NetBatch.Schema) b.steps().get(1)).source()).isEqualTo(1);
        assertThat(((NetBatch.Changes) b.steps().get(2)).tables().get(0).upserts())
                .extracting(NetChange.Upsert::image).containsExactly(Row.of("id", 1, "v", "c"));
        assertThat(b.stats().schemaChanges()).isEqualTo(1);
    }

    @Test
    void keyComesFromPrimaryKeyColumnsThenDdlThenTheResolver() {
        TableId u = TableId.of("db", "u");
        Compactor c = Compactor.builder()
                .keyResolver(id -> id.equals(u) ? Optional.of(new TableShape(List.of("k"), List.of())) : Optional.empty())
                .build();
        NetBatch b = compact(c,
                insert(T, List.of("id"), Row.of("id", 1, "k", 1)),
                insert(u, null, Row.of("id", 1, "k", 2)),
                Events.create(TableId.of("db", "w"), List.of("a", "b"), List.of("b")),
                insert(TableId.of("db", "w"), null, Row.of("a", 1, "b", 3)),
                insert(TableId.of("db", "nobody"), null, Row.of("a", 1)));
        NetBatch.Changes first = (NetBatch.Changes) b.steps().get(0);
        assertThat(first.tables()).extracting(TableChanges::keyColumns).containsExactly(List.of("id"), List.of("k"));
        NetBatch.Changes last = (NetBatch.Changes) b.steps().get(2);
        assertThat(last.tables().get(0).keyColumns()).containsExactly("b");
        assertThat(b.rejected()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(Rejected.Reason.UNKNOWN_TABLE);
            assertThat(r.source()).isEqualTo(4);
            assertThat(r.message()).contains("db.nobody");
        });
        assertThat(b.stats().rejected()).isEqualTo(1);
    }

    @Test
    void rowsWithAMissingOrNullKeyAreRejected() {
        NetBatch b = compact(
                insert(T, ID, Row.of("v", 1)),
                insert(T, ID, Row.of("id", null, "v", 1)),
                insert(T, List.of("a", "b"), Row.of("a", 1, "b", null)),
                insert(T, ID, Row.of("id", 3, "v", 1)));
        assertThat(b.rejected()).extracting(Rejected::reason)
                .containsExactly(Rejected.Reason.MISSING_KEY, Rejected.Reason.NULL_KEY, Rejected.Reason.NULL_KEY);
        assertThat(b.rejected()).extracting(Rejected::source).containsExactly(0, 1, 2);
        assertThat(only(b).upserts()).extracting(u -> u.key(ID)).containsExactly(k(3));
    }

    @Test
    void compositeKeys() {
        List<String> pk = List.of("a", "b");
        TableChanges t = only(compact(
                insert(T, pk, Row.of("a", 1, "b", 1, "v", 0)),
                insert(T, pk, Row.of("a", 1, "b", 2, "v", 0)),
                update(T, pk, Row.of("a", 1, "b", 1, "v", 9), Row.of("v", 0)),
                delete(T, pk, Row.of("a", 1, "b", 2, "v", 0))));
        assertThat(t.upserts()).singleElement().satisfies(u -> {
            assertThat(u.key(pk)).isEqualTo(Row.of("a", 1, "b", 1));
            assertThat(u.image()).isEqualTo(Row.of("a", 1, "b", 1, "v", 9));
        });
        assertThat(t.deletes()).isEmpty();
    }

    @Test
    void retainedBytesGrowWithImagesAndResetAtFinish() {
        Compactor c = Compactor.create();
        c.add(insert(T, ID, Row.of("id", 1, "v", "x".repeat(10_000))));
        long one = c.retainedBytes();
        assertThat(one).isGreaterThan(10_000);
        c.add(insert(T, ID, Row.of("id", 2, "v", "y".repeat(10_000))));
        assertThat(c.retainedBytes()).isGreaterThan(2 * 10_000);
        c.add(update(T, ID, Row.of("id", 1, "v", "z"), Row.of("v", "x")));
        assertThat(c.retainedBytes()).isLessThan(one + 10_500);
        assertThat(c.size()).isEqualTo(3);
        c.finish();
        assertThat(c.retainedBytes()).isZero();
        assertThat(c.size()).isZero();
    }

    @Test
    void theSetBasedApplyMatchesTheReplayOnTheseExamples() {
        TableModel.Shape shape = new TableModel.Shape(List.of("id", "v"), ID);
        TableModel base = new TableModel(Map.of(T, shape));
        base.put(T, Row.of("id", 1, "v", "a"));
        base.put(T, Row.of("id", 2, "v", "b"));
        ChangeEvent[] events = {
            update(T, ID, Row.of("id", 3, "v", "a"), Row.of("id", 1)),
            update(T, ID, Row.of("id", 1, "v", "b"), Row.of("id", 2)),
            insert(T, ID, Row.of("id", 2, "v", "c")),
            delete(T, ID, Row.of("id", 3, "v", "a")),
        };
        TableModel replayed = base.copy();
        for (ChangeEvent e : events) {
            replayed.replay(e);
        }
        TableModel applied = base.copy();
        applied.apply(compact(events));
        assertThat(applied.state()).isEqualTo(replayed.state());
    }
}
