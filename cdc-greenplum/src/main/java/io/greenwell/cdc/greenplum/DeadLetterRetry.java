package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.DecodeException;
import io.greenwell.cdc.compact.Compactor;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.NetChange;
import io.greenwell.cdc.compact.Rejected;
import io.greenwell.cdc.compact.TableChanges;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.spi.RecordDecoder;
import io.greenwell.cdc.spi.TableShape;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies dead letters again once their cause is fixed, and deletes those that apply, in one
 * transaction of its own ({@link GreenplumTarget#retryDeadLetters(String, RecordDecoder)} says what
 * a user sees):
 *
 * <ol>
 *   <li>locks {@code dead_letter} against other retries and the dead letters of running batches,
 *       and reads the letters in stream and offset order;</li>
 *   <li>decodes each raw record and compacts the row changes, in that order, into net changes
 *       (keys the records do not name come from the target's tables); a letter whose update may
 *       have half applied (a keyless table's, or one that moves a key) is left alone;</li>
 *   <li>locks the tables they go to (SHARE ROW EXCLUSIVE: running batches wait, readers do not)
 *       and applies them set-based, with the refused net changes bisected out as in a batch;</li>
 *   <li>deletes exactly the letters whose events applied, with the copies of the same event, and
 *       gives those refused again their new error.</li>
 * </ol>
 *
 * <p>Invariants: it runs inside {@link TargetSession#run}, on the thread that calls the retry,
 * never while a batch is applied on the same target; it takes no stream lock and writes no
 * checkpoint, so the streams' positions do not move and a retry may run beside the pipeline
 * (the dead-letter table and the target tables are locked for the transaction, so running
 * batches wait). A failure leaves nothing of it committed; after a COMMIT exactly the letters
 * whose events applied are gone and the refused ones carry their new error.
 */
final class DeadLetterRetry {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterRetry.class);

    private final TargetSession session;
    private final BatchTransaction batches;
    private final TableShapes shapes;
    private final SchemaMapping mapping;

    DeadLetterRetry(TargetSession session, BatchTransaction batches, TableShapes shapes, SchemaMapping mapping) {
        this.session = session;
        this.batches = batches;
        this.shapes = shapes;
        this.mapping = mapping;
    }

    /** Retries the dead letters of {@code pipeline}, or of every pipeline when it is null, and commits. */
    GreenplumTarget.RetryResult retry(Connection c, String pipeline, RecordDecoder decoder) throws SQLException {
        TargetSession.Parts parts = session.parts();
        String control = parts.checkpoints().schema();
        Catalog catalog = parts.catalog();
        Sql sql = parts.sql();
        // the cause was fixed outside: read the tables again (a changed table gets a new staging table)
        catalog.clear();
        if (catalog.table(c, control, "dead_letter") == null) {
            c.commit();
            return new GreenplumTarget.RetryResult(0, 0, 0);
        }
        List<DeadLetter.Stored> letters = DeadLetter.lockAndRead(c, sql, control, pipeline);
        Compactor compactor = Compactor.builder().keyResolver(table -> shapes.shapeOf(catalog, c, table)).build();
        // the letter behind each sequence number of the compacted events, and the other letters of
        // the same event (a stream replayed after a checkpoint reset dead-letters it again)
        List<DeadLetter.Stored> bySeq = new ArrayList<>();
        Map<DeadLetter.Stored, List<DeadLetter.Stored>> copies = new HashMap<>();
        long noRaw = 0;
        long undecodable = 0;
        long notRows = 0;
        long excluded = 0;
        long halfApplied = 0;
        List<DeadLetter.Stored> rowLetters = new ArrayList<>();
        List<RowChange> rows = new ArrayList<>();
        Set<TableId> unsafe = new TreeSet<>(Comparator.comparing(TableId::toString));
        Map<String, DeadLetter.Stored> firstOfEvent = new HashMap<>();
        for (DeadLetter.Stored d : letters) {
            if (d.raw() == null) {
                noRaw++;
                continue;
            }
            String event = d.pipeline() + '\0' + d.stream() + '\0' + d.offset() + '\0' + Base64.getEncoder().encodeToString(d.raw());
            DeadLetter.Stored first = firstOfEvent.putIfAbsent(event, d);
            if (first != null) {
                copies.computeIfAbsent(first, k -> new ArrayList<>()).add(d);
                continue;
            }
            ChangeEvent e;
            try {
                e = decoder.decode(d.raw(), d.stream() == null ? "?" : d.stream(), d.offset());
            } catch (DecodeException ex) {
                undecodable++;
                continue;
            }
            if (!(e instanceof RowChange) || ((RowChange) e).op() == Op.BOOTSTRAP_INSERT) {
                notRows++;
                continue;
            }
            RowChange r = (RowChange) e;
            if (!mapping.includes(r.table())) {
                excluded++;
                continue;
            }
            if (splitsInTwo(c, r)) {
                unsafe.add(r.table());
            }
            rowLetters.add(d);
            rows.add(r);
        }
        for (int i = 0; i < rows.size(); i++) {
            if (unsafe.contains(rows.get(i).table())) {
                halfApplied++;
                continue;
            }
            compactor.add(rows.get(i));
            bySeq.add(rowLetters.get(i));
        }
        NetBatch batch = compactor.finish();
        boolean[] refused = new boolean[bySeq.size()];
        List<DeadLetter.Again> again = new ArrayList<>();
        for (Rejected r : batch.rejected()) {
            refused[r.source()] = true;
            again.add(new DeadLetter.Again(bySeq.get(r.source()), r.message(), null));
        }
        for (NetBatch.Step step : batch.steps()) {
            // only row changes were added: every step is a Changes step
            NetBatch.Changes ch = (NetBatch.Changes) step;
            lockTables(c, ch);
            List<Isolator.Poisoned> poisoned = new ArrayList<>();
            batches.applyChanges(c, ch, true, poisoned, new ArrayList<>());
            for (Isolator.Poisoned p : poisoned) {
                for (NetChange n : BatchTransaction.netChanges(p.unit().changes())) {
                    for (int seq : n.sources()) {
                        if (!refused[seq]) {
                            refused[seq] = true;
                            again.add(new DeadLetter.Again(bySeq.get(seq), p.error().getMessage(), p.error().sqlState()));
                        }
                    }
                }
            }
        }
        List<DeadLetter.Stored> applied = new ArrayList<>();
        for (int i = 0; i < refused.length; i++) {
            if (!refused[i]) {
                applied.add(bySeq.get(i));
                applied.addAll(copies.getOrDefault(bySeq.get(i), List.of()));
            }
        }
        DeadLetter.remove(c, sql, control, applied);
        DeadLetter.failedAgain(c, sql, control, again, System.currentTimeMillis());
        String own = parts.checkpoints().pipeline();
        long stored = own == null ? -1 : DeadLetter.count(c, sql, catalog, control, own);
        c.commit();
        if (stored >= 0) {
            session.stats().deadLettersStored = stored;
        }
        parts.changes().endTransaction(true);
        String which = pipeline == null ? "every pipeline" : "pipeline '" + pipeline + "'";
        log.info("dead letters of {}: {} retried, {} applied and deleted, {} refused again", which, letters.size(), applied.size(),
                again.size());
        if (!again.isEmpty()) {
            log.warn("{} dead letters were refused again; the first: {}", again.size(), again.get(0).error());
        }
        if (noRaw + undecodable + notRows + excluded + halfApplied > 0) {
            log.warn("left as they are: {} dead letters without their raw record, {} that do not decode, {} DDL or bootstrap records"
                    + " (never applied out of their place in the stream), {} of tables the schema mapping excludes", noRaw, undecodable,
                    notRows, excluded);
        }
        if (halfApplied > 0) {
            log.warn("left as they are: {} dead letters of tables {}, which hold an update of a table without a key or of a key: such an"
                    + " update applies as a delete and an insert, of which the first may have applied already; repair these rows by hand"
                    + " or reload the tables with a Maxwell bootstrap", halfApplied, unsafe);
        }
        return new GreenplumTarget.RetryResult(letters.size(), applied.size(), letters.size() - applied.size());
    }

    /**
     * Whether an update applies as two net changes that bisection may have split, so that its
     * dead letter may be half applied: an update of a table without a key (delete one copy of the
     * old row, insert the new one), or one that changes the key (delete the old key, upsert the new).
     */
    private boolean splitsInTwo(Connection c, RowChange r) {
        if (r.op() != Op.UPDATE) {
            return false;
        }
        List<String> keys = r.primaryKeyColumns() != null ? r.primaryKeyColumns()
                : shapes.shapeOf(session.parts().catalog(), c, r.table()).map(TableShape::keyColumns).orElse(List.of());
        if (keys.isEmpty()) {
            return true;
        }
        for (String k : keys) {
            if (r.old().indexOf(k) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Locks the existing target tables of a step, in name order, until the transaction ends. */
    private void lockTables(Connection c, NetBatch.Changes step) throws SQLException {
        TargetSession.Parts parts = session.parts();
        TreeSet<String> names = new TreeSet<>();
        for (TableChanges tc : step.tables()) {
            if (tc.isEmpty() || !mapping.includes(tc.table())) {
                continue;
            }
            TargetTable t = parts.catalog().table(c, parts.schemas().schemaOf(tc.table().database()), Names.target(tc.table().table()));
            if (t != null) {
                names.add(t.qualified);
            }
        }
        if (!names.isEmpty()) {
            try (Statement st = c.createStatement()) {
                st.execute(parts.sql().lockTables(new ArrayList<>(names)));
            }
        }
    }
}
