package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.NetChange;
import io.greenwell.cdc.compact.Origins;
import io.greenwell.cdc.compact.Rejected;
import io.greenwell.cdc.compact.TableChanges;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.spi.ApplyResult;
import io.greenwell.cdc.spi.Checkpoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction of one batch: the stream locks and a doubted commit settled first, then the
 * batch's steps in order (change sets, DDL at its place, bootstrap markers), the refused net
 * changes bisected out into dead letters, the dead letters and the checkpoints written, COMMIT.
 *
 * <p>Invariants: everything of a batch commits together or not at all, in the session's one
 * transaction; it runs inside {@link TargetSession#run}, on the applier thread, so a failure here
 * leaves the rollback (or the lost session and its doubt) to the session. After a COMMIT the
 * checkpoints and the staging tables know the transaction ended, and the tables whose rows the
 * database refused are read from the catalog again by the next batch (the user may fix them).
 */
final class BatchTransaction {

    private static final Logger log = LoggerFactory.getLogger(BatchTransaction.class);

    /** Phases of a batch a test can stop at; for crash tests only. */
    enum Phase { STAGED, BEFORE_COMMIT, AFTER_COMMIT }

    /** Called at each phase of a batch; for crash tests only. */
    @FunctionalInterface
    interface Hook {
        void at(Phase phase) throws SQLException;
    }

    private final TargetSession session;
    private final SchemaMapping mapping;
    private final boolean deadLetters;
    private final Hook hook;

    BatchTransaction(TargetSession session, SchemaMapping mapping, boolean deadLetters, Hook hook) {
        this.session = session;
        this.mapping = mapping;
        this.deadLetters = deadLetters;
        this.hook = hook;
    }

    /** Reads a pipeline's checkpoints (creating the control tables), after releasing every stream lock, with the session's retries. */
    Map<String, Checkpoint> loadCheckpoints(String pipeline) {
        return session.run("cannot read the checkpoints of pipeline '" + pipeline + "'", c -> {
            TargetSession.Parts p = session.parts();
            p.locks().releaseAll(c);
            p.checkpoints().ensureTables(c, p.catalog());
            Map<String, Checkpoint> loaded = p.checkpoints().load(c, pipeline);
            if (p.archive() != null) {
                p.archive().load(c, p.catalog(), pipeline);
            }
            session.stats().deadLettersStored = DeadLetter.count(c, p.sql(), p.catalog(), p.checkpoints().schema(), pipeline);
            c.commit();
            return loaded;
        });
    }

    /** {@link #apply} with the session's retries; the result counts them. */
    ApplyResult applyRetrying(NetBatch batch) {
        if (session.parts() == null || session.parts().checkpoints().pipeline() == null) {
            throw new IllegalStateException("loadCheckpoints must be called before apply");
        }
        int[] attempts = {0};
        ApplyResult r = session.run("applying a batch failed", c -> {
            attempts[0]++;
            return apply(c, batch);
        });
        return attempts[0] == 1 ? r : r.withRetries(attempts[0] - 1);
    }

    /**
     * Applies and commits one batch on the session's connection, or skips it when it is the batch
     * whose commit was in doubt and the checkpoint shows it committed.
     */
    ApplyResult apply(Connection c, NetBatch batch) throws SQLException {
        TargetSession.Parts parts = session.parts();
        Checkpoints checkpoints = parts.checkpoints();
        parts.locks().acquire(c, checkpoints.pipeline(), batch.lastOffsets().keySet());
        if (checkpoints.hasDoubt()) {
            boolean same = checkpoints.isDoubted(batch);
            if (checkpoints.settleDoubt(c) && same) {
                log.info("the batch whose commit was in doubt had committed; not applying it again");
                return ApplyResult.ALREADY_APPLIED;
            }
        }
        ChangesApplier changes = parts.changes();
        long stage0 = changes.stageNanos;
        long apply0 = changes.applyNanos;
        long ddlNanos = 0;
        long net = 0;
        long filtered = 0;
        long ddl = 0;
        List<DeadLetter> dead = new ArrayList<>();
        Set<TableId> refusedTables = new HashSet<>();
        Origins origins = batch.origins();
        Map<String, Long> filteredBy = new HashMap<>();
        // what the archive leaves out: events not applied (dead letters, tables not replicated)
        BitSet unarchived = new BitSet();
        for (Rejected r : batch.rejected()) {
            unarchived.set(r.source());
            if (r.event() instanceof RowChange && !mapping.includes(((RowChange) r.event()).table())) {
                filtered++;
                count(filteredBy, origins.stream(r.source()), 1);
                continue;
            }
            if (!deadLetters) {
                throw new ApplyException(r.message(), null, null, null, new int[] {r.source()}, null);
            }
            dead.add(new DeadLetter(origins.stream(r.source()), origins.offset(r.source()), origins.raw(r.source()),
                    tableOf(r.event()), null, r.message(), null));
        }
        for (NetBatch.Step step : batch.steps()) {
            if (step instanceof NetBatch.Changes) {
                List<Isolator.Poisoned> poisoned = new ArrayList<>();
                List<TableChanges> excluded = new ArrayList<>();
                net += applyChanges(c, (NetBatch.Changes) step, deadLetters, poisoned, excluded);
                for (TableChanges tc : excluded) {
                    filtered += tc.size();
                    for (NetChange n : netChanges(tc)) {
                        for (int seq : n.sources()) {
                            unarchived.set(seq);
                        }
                        long copies = n instanceof NetChange.KeylessDelta ? ((NetChange.KeylessDelta) n).count() : 1;
                        count(filteredBy, origins.stream(n.sources()[0]), copies);
                    }
                }
                for (Isolator.Poisoned p : poisoned) {
                    for (NetChange n : netChanges(p.unit().changes())) {
                        for (int seq : n.sources()) {
                            unarchived.set(seq);
                        }
                    }
                    deadLetter(p.unit().changes(), p.error(), origins, dead);
                    refusedTables.add(p.unit().changes().table());
                }
            } else if (step instanceof NetBatch.Schema) {
                long t0 = System.nanoTime();
                try {
                    if (parts.schemas().apply(c, ((NetBatch.Schema) step).change())) {
                        ddl++;
                    } else {
                        filtered++;
                        unarchived.set(((NetBatch.Schema) step).source());
                        count(filteredBy, origins.stream(((NetBatch.Schema) step).source()), 1);
                    }
                } catch (SQLException e) {
                    throw new ApplyException("DDL failed: " + e.getMessage(), null, null, e.getSQLState(), null, e);
                }
                ddlNanos += System.nanoTime() - t0;
            } else {
                boolean start = step instanceof NetBatch.BootstrapStart;
                TableId table = start ? ((NetBatch.BootstrapStart) step).table() : ((NetBatch.BootstrapComplete) step).table();
                if (!mapping.includes(table)) {
                    filtered++;
                    int source = start ? ((NetBatch.BootstrapStart) step).source() : ((NetBatch.BootstrapComplete) step).source();
                    unarchived.set(source);
                    count(filteredBy, origins.stream(source), 1);
                } else {
                    // a bootstrap's statements count with the statements (the complete copies the whole table)
                    long t0 = System.nanoTime();
                    if (start) {
                        parts.bootstraps().start(c, table);
                    } else {
                        parts.bootstraps().complete(c, table);
                    }
                    ddlNanos += System.nanoTime() - t0;
                }
            }
        }
        hook.at(Phase.STAGED);
        long t0 = System.nanoTime();
        long now = System.currentTimeMillis();
        DeadLetter.write(c, parts.sql(), checkpoints.schema(), checkpoints.pipeline(), dead, now);
        if (parts.archive() != null) {
            parts.archive().write(c, checkpoints.pipeline(), batch, unarchived, checkpoints, now);
        }
        checkpoints.write(c, batch, now);
        hook.at(Phase.BEFORE_COMMIT);
        c.commit();
        hook.at(Phase.AFTER_COMMIT);
        checkpoints.committed();
        changes.endTransaction(true);
        if (parts.archive() != null) {
            parts.archive().committed();
        }
        session.stats().deadLetters(dead.size());
        if (!dead.isEmpty()) {
            log.warn("{} events of the batch went to the dead letters; the first: {}", dead.size(), dead.get(0).error());
        }
        // the user may fix what the database refused (widen a column, create the table): the next
        // batch reads these tables' definitions again, and gets new staging tables when they changed
        for (TableId t : refusedTables) {
            parts.catalog().invalidate(parts.schemas().schemaOf(t.database()), Names.target(t.table()));
        }
        long commitNanos = System.nanoTime() - t0;
        Map<String, Long> deadBy = new HashMap<>();
        for (DeadLetter d : dead) {
            count(deadBy, d.stream(), 1);
        }
        return new ApplyResult(net, filtered, ddl, dead.size(), 0, false, changes.stageNanos - stage0,
                changes.applyNanos - apply0 + ddlNanos, commitNanos, filteredBy, deadBy);
    }

    /**
     * Applies a {@code Changes} step: finds each table's target (a table that does not exist is
     * refused as a whole), then applies set-based; with {@code isolate} under savepoints, the net
     * changes the database refuses bisected out into {@code refused}, otherwise the first refusal
     * throws.
     *
     * @param excluded receives the change sets of tables the mapping excludes
     * @return the net changes applied
     */
    long applyChanges(Connection c, NetBatch.Changes step, boolean isolate, List<Isolator.Poisoned> refused, List<TableChanges> excluded)
            throws SQLException {
        TargetSession.Parts parts = session.parts();
        // a change of a table being loaded straight by a bootstrap: the rest of the bootstrap goes by the shadow, as
        // any bootstrap during which its table changes (the table is replaced at the end), whatever the batches
        Set<String> direct = parts.bootstraps().directShadows(c);
        for (TableChanges tc : direct.isEmpty() ? List.<TableChanges>of() : step.tables()) {
            if (!tc.isEmpty() && !tc.snapshot() && mapping.includes(tc.table())) {
                TargetTable t = parts.catalog().table(c, parts.schemas().schemaOf(tc.table().database()), Names.target(tc.table().table()));
                if (t != null && direct.remove(Bootstraps.shadowName(t))) {
                    parts.bootstraps().toShadow(c, tc.table());
                }
            }
        }
        List<ChangesApplier.Resolved> tables = new ArrayList<>();
        for (TableChanges tc : step.tables()) {
            if (tc.isEmpty()) {
                continue;
            }
            if (!mapping.includes(tc.table())) {
                excluded.add(tc);
                continue;
            }
            if (tc.snapshot()) {
                tables.add(new ChangesApplier.Resolved(tc, parts.bootstraps().shadow(c, tc.table())));
                continue;
            }
            String schema = parts.schemas().schemaOf(tc.table().database());
            TargetTable t = parts.catalog().table(c, schema, Names.target(tc.table().table()));
            if (t == null) {
                ApplyException missing = new ApplyException("table " + Names.qualify(schema, Names.target(tc.table().table()))
                        + " does not exist in the target, and no DDL in the stream created it", tc.table(), null, "42P01", null, null);
                if (!isolate) {
                    throw missing;
                }
                refused.add(new Isolator.Poisoned(new ChangesApplier.Resolved(tc, null), missing));
                continue;
            }
            tables.add(new ChangesApplier.Resolved(tc, t));
        }
        return isolate ? parts.isolator().apply(c, tables, refused) : parts.changes().apply(c, tables);
    }

    /** @return every net change of a change set */
    static List<NetChange> netChanges(TableChanges unit) {
        List<NetChange> all = new ArrayList<>();
        all.addAll(unit.upserts());
        all.addAll(unit.deletes());
        for (TableChanges.PartialGroup g : unit.partials()) {
            all.addAll(g.rows());
        }
        all.addAll(unit.moves());
        all.addAll(unit.keylessInserts());
        all.addAll(unit.keylessDeletes());
        return all;
    }

    /** One dead letter per raw event behind each net change of a refused unit. */
    private static void deadLetter(TableChanges unit, ApplyException error, Origins origins, List<DeadLetter> out) {
        List<String> keys = unit.keyColumns();
        String table = unit.table().toString();
        String message = error.getMessage();
        String state = error.sqlState();
        for (NetChange n : netChanges(unit)) {
            String key = n instanceof NetChange.Upsert ? ChangesApplier.keyText(((NetChange.Upsert) n).image(), keys)
                    : n instanceof NetChange.Delete ? ChangesApplier.keyText(((NetChange.Delete) n).key(), keys)
                    : n instanceof NetChange.Partial ? ChangesApplier.keyText(((NetChange.Partial) n).key(), keys)
                    : n instanceof NetChange.Move ? ChangesApplier.keyText(((NetChange.Move) n).key(), keys)
                    : null;
            for (int seq : n.sources()) {
                out.add(new DeadLetter(origins.stream(seq), origins.offset(seq), origins.raw(seq), table, key, message, state));
            }
        }
    }

    /** Adds to a stream's count; events of no known stream are counted in the totals only. */
    private static void count(Map<String, Long> by, String stream, long n) {
        if (stream != null) {
            by.merge(stream, n, Long::sum);
        }
    }

    private static String tableOf(ChangeEvent e) {
        return e instanceof RowChange ? ((RowChange) e).table().toString() : null;
    }
}
