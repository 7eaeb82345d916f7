package io.greenwell.cdc.compact;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.event.BootstrapMarker;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.EventMeta;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SourcePosition;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.event.Value;
import io.greenwell.cdc.spi.TableShape;
import java.util.ArrayList;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.statistics.Statistics;

/**
 * The compactor's promise, checked on generated streams: for a starting table state, batching and
 * compacting a stream and applying each {@link NetBatch} set-based gives, after every batch,
 * exactly the state that replaying the same events one by one gives. The streams are valid MySQL
 * histories from that state (Maxwell describes what happened), mixed with Maxwell's replays of
 * whole transactions, DDL barriers, bootstraps, key changes and chains, deletes and re-inserts,
 * keyless tables with duplicate rows, and MINIMAL (partial) row images; batches of random sizes,
 * and restarts from the stored watermarks between batches.
 */
class CompactorPropertyTest {

    static final TableId K = TableId.of("db", "k");
    /** Few keys, so that events collide on them often. */
    static final int KEYS = 6;
    static final TableId C = TableId.of("db", "c");
    static final TableId L = TableId.of("db", "l");
    static final List<String> K_COLS = List.of("id", "a", "b", "c");
    static final List<String> C_COLS = List.of("k1", "k2", "v");
    static final List<String> L_COLS = List.of("x", "y");
    static final Map<TableId, TableModel.Shape> SHAPES = Map.of(
            K, new TableModel.Shape(K_COLS, List.of("id")),
            C, new TableModel.Shape(C_COLS, List.of("k1", "k2")),
            L, new TableModel.Shape(L_COLS, List.of()));

    /** One record of a generated stream: the event, and whether it is a Maxwell replay. */
    record Rec(ChangeEvent event, boolean replay) {}

    /** 1,200 tries per build (junit-platform.properties); search longer with -Djqwik.tries.default=50000. */
    @Property
    @Tag("property")
    void netBatchesGiveTheStateOfOneByOneReplay(@ForAll long seed) {
        Random rnd = new Random(seed);
        Generator g = new Generator(rnd);
        TableModel start = g.startState();
        List<Rec> stream = g.stream(start);

        boolean pkOnEvents = rnd.nextBoolean();
        List<Rec> recs = pkOnEvents ? stream : withoutPkColumns(stream);
        int maxEvents = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 30);
        BatchLimits limits = new BatchLimits(maxEvents, Long.MAX_VALUE, true);
        Compactor.Builder cb = Compactor.builder()
                .keyResolver(id -> Optional.of(new TableShape(SHAPES.get(id).key(), SHAPES.get(id).columns())));
        Batcher batcher = new Batcher(cb.build(), new Sequencer(), limits);

        Set<String> seen = new HashSet<>();
        TableModel applied = start.copy();
        TableModel replayed = start.copy();
        int consumed = 0; // records of the stream covered by the batches so far
        int i = 0;
        while (i <= recs.size()) {
            NetBatch batch;
            if (i < recs.size()) {
                batch = batcher.offer("s", i, recs.get(i).event());
                i++;
            } else {
                batch = batcher.flush();
                i++;
            }
            if (batch == null) {
                continue;
            }
            int from = consumed;
            consumed += (int) batch.stats().events();
            TableModel before = replayed.copy();
            for (int j = from; j < consumed; j++) {
                if (!recs.get(j).replay()) {
                    replayed.replay(recs.get(j).event());
                }
            }
            applied.apply(batch);
            observe(batch, seen);
            assertThat(applied.state()).as("seed %d, after records %d..%d", seed, from, consumed).isEqualTo(replayed.state());
            assertThat(batch.rejected()).as("seed %d", seed).isEmpty();
            checkCancelledKeysAreUntouched(seed, recs.subList(from, consumed), before, replayed, batch);
            if (rnd.nextInt(5) == 0) {
                // a restart: a new pipeline continues from the stored watermarks, and the transport
                // from the record after the last one the batch holds
                batcher = new Batcher(cb.build(), new Sequencer(batch.watermarks()), limits);
                i = consumed;
            }
        }
        assertThat(consumed).as("seed %d: every record in some batch", seed).isEqualTo(recs.size());
        for (String feature : FEATURES) {
            Statistics.label(feature).collect(seen.contains(feature));
            // the streams must exercise every feature in a fair share of the tries
            Statistics.label(feature).coverage(c -> c.check(true).percentage(p -> p >= 5.0));
        }
    }

    static final List<String> FEATURES = List.of("duplicate", "move", "partial", "keyless", "bootstrap", "ddl", "delete", "cancelled");

    /** Notes which kinds of net change a batch holds, so the report shows what the streams exercised. */
    private static void observe(NetBatch batch, Set<String> seen) {
        if (batch.stats().duplicates() > 0) {
            seen.add("duplicate");
        }
        if (batch.stats().netMoves() > 0) {
            seen.add("move");
        }
        if (batch.stats().netPartials() > 0) {
            seen.add("partial");
        }
        if (batch.stats().netKeylessRows() > 0) {
            seen.add("keyless");
        }
        if (batch.stats().bootstrapMarkers() > 0) {
            seen.add("bootstrap");
        }
        if (batch.stats().schemaChanges() > 0) {
            seen.add("ddl");
        }
        if (batch.stats().netDeletes() > 0) {
            seen.add("delete");
        }
        if (batch.stats().netChanges() < batch.stats().events() - batch.stats().duplicates()) {
            seen.add("cancelled");
        }
    }

    /**
     * A key that did not exist before a step (the changes between two barriers of a batch), does
     * not exist after it, and was only inserted and deleted in it (no key change in or out) must
     * produce no net change at all.
     */
    private static void checkCancelledKeysAreUntouched(long seed, List<Rec> recs, TableModel before, TableModel after, NetBatch batch) {
        List<ChangeEvent> admitted = new ArrayList<>();
        for (Rec r : recs) {
            if (!r.replay()) {
                admitted.add(r.event());
            }
        }
        int[] segmentOf = new int[admitted.size()];
        Set<String> cancelled = new HashSet<>();
        TableModel state = before.copy();
        TableModel segmentStart = state.copy();
        List<TableModel> starts = new ArrayList<>(List.of(segmentStart));
        Set<Row> touched = new HashSet<>();
        Set<Row> moved = new HashSet<>();
        int segment = 0;
        for (int i = 0; i <= admitted.size(); i++) {
            ChangeEvent e = i < admitted.size() ? admitted.get(i) : null;
            if (e == null || !(e instanceof RowChange)) {
                for (Row key : touched) {
                    if (!moved.contains(key) && !hasKey(segmentStart, key) && !hasKey(state, key)) {
                        cancelled.add(segment + "/" + key);
                    }
                }
                touched.clear();
                moved.clear();
                if (e == null) {
                    break;
                }
                segmentOf[i] = segment;
                state.replay(e);
                segment++;
                segmentStart = state.copy();
                starts.add(segmentStart);
                continue;
            }
            segmentOf[i] = segment;
            RowChange rc = (RowChange) e;
            if (rc.table().equals(K) && rc.op() != Op.BOOTSTRAP_INSERT) {
                Row key = TableModel.project(rc.data(), List.of("id"));
                touched.add(key);
                if (rc.op() == Op.UPDATE && rc.old().has("id")) {
                    moved.add(key);
                    moved.add(TableModel.project(rc.before(), List.of("id")));
                }
            }
            state.replay(e);
        }
        assertThat(state.state()).isEqualTo(after.state());
        for (NetBatch.Step step : batch.steps()) {
            if (!(step instanceof NetBatch.Changes)) {
                continue;
            }
            for (TableChanges t : ((NetBatch.Changes) step).tables()) {
                if (!t.table().equals(K) || t.snapshot()) {
                    continue;
                }
                List<NetChange> changes = new ArrayList<>();
                changes.addAll(t.upserts());
                changes.addAll(t.deletes());
                changes.addAll(t.moves());
                t.partials().forEach(gr -> changes.addAll(gr.rows()));
                for (NetChange c : changes) {
                    Row k = c instanceof NetChange.Upsert ? ((NetChange.Upsert) c).key(t.keyColumns())
                            : c instanceof NetChange.Delete ? ((NetChange.Delete) c).key()
                            : c instanceof NetChange.Move ? ((NetChange.Move) c).key()
                            : ((NetChange.Partial) c).key();
                    String where = segmentOf[c.sources()[0]] + "/" + k;
                    assertThat(cancelled).as("seed %d: key %s cancels out but has a net change", seed, k).doesNotContain(where);
                    if (c instanceof NetChange.Upsert && ((NetChange.Upsert) c).created()) {
                        assertThat(hasKey(starts.get(segmentOf[c.sources()[0]]), k))
                                .as("seed %d: key %s is called created but had a row before its step", seed, k).isFalse();
                    }
                }
            }
        }
    }

    private static boolean hasKey(TableModel m, Row key) {
        for (Row r : m.rows(K)) {
            if (TableModel.project(r, List.of("id")).equals(key)) {
                return true;
            }
        }
        return false;
    }

    private static List<Rec> withoutPkColumns(List<Rec> stream) {
        List<Rec> out = new ArrayList<>(stream.size());
        for (Rec r : stream) {
            if (r.event() instanceof RowChange) {
                RowChange rc = (RowChange) r.event();
                out.add(new Rec(new RowChange(rc.table(), rc.op(), rc.data(), rc.old(), null, null, rc.meta()), r.replay()));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** Makes a starting state and a valid history from it, as Maxwell would report it. */
    static final class Generator {
        private final Random rnd;
        private final boolean minimal;
        private long offset = 4;
        private long xid = 100;

        Generator(Random rnd) {
            this.rnd = rnd;
            this.minimal = rnd.nextInt(3) == 0;
        }

        TableModel startState() {
            TableModel m = new TableModel(SHAPES);
            for (int id = 1; id <= KEYS; id++) {
                if (rnd.nextBoolean()) {
                    m.put(K, Row.of("id", id, "a", small(), "b", small(), "c", small()));
                }
            }
            for (int k1 = 1; k1 <= 2; k1++) {
                for (int k2 = 1; k2 <= 3; k2++) {
                    if (rnd.nextBoolean()) {
                        m.put(C, Row.of("k1", k1, "k2", k2, "v", small()));
                    }
                }
            }
            int n = rnd.nextInt(6);
            for (int i = 0; i < n; i++) {
                m.put(L, Row.of("x", rnd.nextInt(3), "y", rnd.nextInt(2)));
            }
            return m;
        }

        private Value small() {
            int v = rnd.nextInt(5);
            return v == 4 ? Value.NULL : Value.number(Integer.toString(v));
        }

        List<Rec> stream(TableModel start) {
            TableModel mysql = start.copy();
            List<Rec> out = new ArrayList<>();
            List<List<Rec>> transactions = new ArrayList<>();
            int n = 1 + rnd.nextInt(25);
            for (int t = 0; t < n; t++) {
                int roll = rnd.nextInt(20);
                if (roll == 0 && !transactions.isEmpty()) {
                    for (Rec r : transactions.get(rnd.nextInt(transactions.size()))) {
                        out.add(new Rec(r.event(), true)); // Maxwell replays a whole transaction
                    }
                } else if (roll == 1) {
                    SourcePosition p = new SourcePosition("mysql-bin.000001", offset += 10, -1, false, null);
                    out.add(new Rec(Events.noOpAlter(K, K_COLS, List.of("id"), p), false));
                } else if (roll == 2) {
                    TableId table = rnd.nextBoolean() ? K : L;
                    List<String> pk = SHAPES.get(table).key();
                    out.add(new Rec(Events.bootstrap(table, BootstrapMarker.Kind.START), false));
                    for (Row r : mysql.rows(table)) {
                        out.add(new Rec(Events.bootstrapRow(table, pk, r), false));
                    }
                    out.add(new Rec(Events.bootstrap(table, BootstrapMarker.Kind.COMPLETE), false));
                } else {
                    List<RowChange> ops = new ArrayList<>();
                    int m = 1 + rnd.nextInt(6);
                    for (int j = 0; j < m; j++) {
                        RowChange rc = op(mysql);
                        if (rc != null) {
                            mysql.replay(rc);
                            ops.add(rc);
                        }
                    }
                    if (ops.isEmpty()) {
                        continue;
                    }
                    xid++;
                    List<Rec> tx = new ArrayList<>();
                    for (int j = 0; j < ops.size(); j++) {
                        boolean commit = j == ops.size() - 1;
                        if (rnd.nextInt(3) > 0 || j == 0) {
                            offset += 10; // a new rows event; otherwise the row shares the previous one's position
                        }
                        SourcePosition p = new SourcePosition("mysql-bin.000001", offset, commit ? -1 : j, commit, null);
                        EventMeta meta = new EventMeta(1000, xid, commit ? -1 : j, commit, p, null, 1L, null, null, null, null, null);
                        RowChange rc = ops.get(j);
                        tx.add(new Rec(new RowChange(rc.table(), rc.op(), rc.data(), rc.old(), rc.primaryKeyColumns(), null, meta), false));
                    }
                    transactions.add(tx);
                    out.addAll(tx);
                }
            }
            return out;
        }

        /** One statement's row against the current MySQL state, or null when none applies. */
        private RowChange op(TableModel mysql) {
            int which = rnd.nextInt(3);
            if (which == 0) {
                return keyed(mysql);
            } else if (which == 1) {
                return composite(mysql);
            }
            return keyless(mysql);
        }

        private RowChange keyed(TableModel mysql) {
            List<String> pk = List.of("id");
            int id = 1 + rnd.nextInt(KEYS);
            Row existing = find(mysql.rows(K), "id", id);
            if (existing == null) {
                Row.Builder b = Row.builder().put("id", Value.number(Integer.toString(id)));
                for (String c : List.of("a", "b", "c")) {
                    if (!minimal || rnd.nextInt(4) > 0) {
                        b.put(c, small()); // a MINIMAL insert may omit defaulted (here: NULL) columns
                    }
                }
                return Events.insert(K, pk, b.build());
            }
            if (rnd.nextInt(3) == 0) {
                return Events.delete(K, pk, minimal ? Row.of("id", id) : existing);
            }
            Row.Builder after = existing.toBuilder();
            Row.Builder changed = Row.builder();
            Row.Builder old = Row.builder();
            for (String c : List.of("a", "b", "c")) {
                if (rnd.nextBoolean()) {
                    Value v = small();
                    if (!v.equals(existing.get(c))) {
                        after.put(c, v);
                        changed.put(c, v);
                        old.put(c, existing.get(c));
                    }
                }
            }
            int newId = id;
            if (rnd.nextInt(4) == 0) {
                int candidate = 1 + rnd.nextInt(KEYS);
                if (find(mysql.rows(K), "id", candidate) == null) {
                    newId = candidate;
                    after.put("id", Value.number(Integer.toString(newId)));
                    old.put("id", existing.get("id"));
                }
            }
            Row oldRow = old.build();
            if (oldRow.isEmpty()) {
                return null; // an UPDATE that changes nothing leaves no record
            }
            if (!minimal) {
                return Events.update(K, pk, after.build(), oldRow);
            }
            Row.Builder data = Row.builder().put("id", Value.number(Integer.toString(newId)));
            Row ch = changed.build();
            for (int i = 0; i < ch.size(); i++) {
                data.put(ch.name(i), ch.value(i));
            }
            return Events.update(K, pk, data.build(), newId != id ? Row.of("id", id) : Row.EMPTY);
        }

        private RowChange composite(TableModel mysql) {
            List<String> pk = List.of("k1", "k2");
            int k1 = 1 + rnd.nextInt(2);
            int k2 = 1 + rnd.nextInt(3);
            Row existing = null;
            for (Row r : mysql.rows(C)) {
                if (r.get("k1").equals(Value.number(Integer.toString(k1))) && r.get("k2").equals(Value.number(Integer.toString(k2)))) {
                    existing = r;
                }
            }
            if (existing == null) {
                return Events.insert(C, pk, Row.of("k1", k1, "k2", k2, "v", small()));
            }
            if (rnd.nextInt(3) == 0) {
                return Events.delete(C, pk, existing);
            }
            if (rnd.nextBoolean()) {
                int nk2 = 1 + rnd.nextInt(3);
                for (Row r : mysql.rows(C)) {
                    if (r.get("k1").equals(existing.get("k1")) && r.get("k2").equals(Value.number(Integer.toString(nk2)))) {
                        return null;
                    }
                }
                return Events.update(C, pk, existing.toBuilder().put("k2", Value.number(Integer.toString(nk2))).build(),
                        Row.of("k2", existing.get("k2")));
            }
            Value v = small();
            if (v.equals(existing.get("v"))) {
                return null;
            }
            return Events.update(C, pk, existing.toBuilder().put("v", v).build(), Row.of("v", existing.get("v")));
        }

        private RowChange keyless(TableModel mysql) {
            List<String> none = List.of();
            List<Row> rows = mysql.rows(L);
            int roll = rnd.nextInt(3);
            if (roll == 0 || rows.isEmpty()) {
                return Events.insert(L, none, Row.of("x", rnd.nextInt(3), "y", rnd.nextInt(2)));
            }
            Row existing = rows.get(rnd.nextInt(rows.size()));
            if (roll == 1) {
                return Events.delete(L, none, existing);
            }
            Row.Builder after = existing.toBuilder();
            Row.Builder old = Row.builder();
            Value x = Value.number(Integer.toString(rnd.nextInt(3)));
            if (!x.equals(existing.get("x"))) {
                after.put("x", x);
                old.put("x", existing.get("x"));
            }
            Row oldRow = old.build();
            return oldRow.isEmpty() ? null : Events.update(L, none, after.build(), oldRow);
        }

        private static Row find(List<Row> rows, String col, int v) {
            Value want = Value.number(Integer.toString(v));
            for (Row r : rows) {
                if (want.equals(r.get(col))) {
                    return r;
                }
            }
            return null;
        }
    }

}
