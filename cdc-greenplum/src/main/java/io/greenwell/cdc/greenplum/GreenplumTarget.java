package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.DecodeException;
import io.greenwell.cdc.compact.Compactor;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.NetChange;
import io.greenwell.cdc.compact.Origins;
import io.greenwell.cdc.compact.Rejected;
import io.greenwell.cdc.compact.TableChanges;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import io.greenwell.cdc.spi.ApplyResult;
import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.spi.Checkpoint;
import io.greenwell.cdc.spi.KeyResolver;
import io.greenwell.cdc.spi.RecordDecoder;
import io.greenwell.cdc.spi.TableShape;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Greenplum and PostgreSQL target: applies each net batch with a handful of set-based
 * statements (COPY into session staging tables, {@code DELETE … USING}, {@code INSERT … SELECT},
 * {@code UPDATE … FROM}), its DDL at its place, and the checkpoints reached, in one transaction.
 *
 * <p>Built with {@link #builder()} from a {@link DataSource} or a JDBC URL. It holds one
 * connection for its lifetime (staging tables are per session) and opens a new one after the old
 * one is lost; an attempt whose COMMIT was in doubt is settled by reading the checkpoint back
 * before anything else is written. Not thread-safe, apart from {@link #includes}; see
 * {@link ChangeTarget} for the lifecycle.
 *
 * <p>One instance per (pipeline, stream): before a batch is applied, the session takes a
 * session-level advisory lock for each stream of the batch (see {@link Builder#streamLockWait});
 * {@link #loadCheckpoints} releases them, so that streams that moved to another instance are free.
 * {@link #retryDeadLetters} applies dead letters again once their cause is fixed.
 */
public final class GreenplumTarget implements ChangeTarget {

    private static final Logger log = LoggerFactory.getLogger(GreenplumTarget.class);

    /** What to do with a MySQL zero date ({@code 0000-00-00}, or a zero month or day). */
    public enum ZeroDates {
        /** Write NULL (the default). */
        NULL,
        /** Refuse the row, so that it ends in the dead letters. */
        REJECT
    }

    /** What to do with U+0000 in text, which PostgreSQL cannot store. */
    public enum NulCharacters {
        /** Remove the character (the default). */
        STRIP,
        /** Refuse the row, so that it ends in the dead letters. */
        REJECT
    }

    /** Phases a test can stop at. Package-private: for crash tests only. */
    enum Phase {
        STAGED,
        BEFORE_COMMIT,
        AFTER_COMMIT
    }

    /** Called at each phase of a batch; for crash tests only. */
    @FunctionalInterface
    interface Hook {
        void at(Phase phase) throws SQLException;
    }

    private final DataSource dataSource;
    private final String url;
    private final Properties properties;
    private final Dialect configuredDialect;
    private final SchemaMapping mapping;
    private final String controlSchema;
    private final ValueWriter.Policies policies;
    private final TypeMap.Options types;
    private final Hook hook;
    private final Map<SchemaChange.Kind, DdlPolicy> ddlPolicies;
    private final boolean deadLetters;
    private final int retries;
    private final Duration retryBackoff;
    private final Duration maxRetryBackoff;
    private final boolean synchronousCommit;
    private final Duration streamLockWait;

    private Connection conn;
    private Dialect dialect;
    private Sql sql;
    private Catalog catalog;
    private ChangesApplier changes;
    private Isolator isolator;
    private Bootstraps bootstraps;
    private SchemaApplier schemas;
    private Checkpoints checkpoints;
    private StreamLocks locks;
    private volatile boolean closed;
    /** The reader thread's own connection and catalog, for {@link #keyResolver()}. */
    private final Object shapesLock = new Object();
    private Connection shapesConn;
    private Catalog shapesCatalog;

    private GreenplumTarget(Builder b) {
        this.dataSource = b.dataSource;
        this.url = b.url;
        this.properties = b.properties;
        this.configuredDialect = b.dialect;
        this.mapping = b.mapping;
        this.controlSchema = b.controlSchema;
        this.policies = new ValueWriter.Policies(
                b.nul == NulCharacters.STRIP ? CopyBuffer.Nul.STRIP : CopyBuffer.Nul.REJECT, b.zeroDates == ZeroDates.NULL);
        this.types = new TypeMap.Options(b.tinyint1AsBoolean, b.bit1AsBoolean, b.jsonb);
        this.hook = b.hook;
        this.ddlPolicies = Map.copyOf(b.ddlPolicies);
        this.deadLetters = b.deadLetters;
        this.retries = b.retries;
        this.retryBackoff = b.retryBackoff;
        this.maxRetryBackoff = b.maxRetryBackoff;
        this.synchronousCommit = b.synchronousCommit;
        this.streamLockWait = b.streamLockWait;
    }

    /** @return a new builder, never null; methods can be chained */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the dialect in use: the configured one, or the one detected on the first connection;
     *     null before the first connection when none was configured
     */
    public Dialect dialect() {
        return dialect != null ? dialect : configuredDialect;
    }

    @Override
    public boolean includes(TableId table) {
        return mapping.includes(table);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Transient failures are retried as in {@link #apply}. Releases the streams' locks this
     * instance holds (a pipeline reads its checkpoints again when its streams change): the next
     * {@link #apply} takes those of its batch again.
     */
    @Override
    public Map<String, Checkpoint> loadCheckpoints(String pipeline) {
        Objects.requireNonNull(pipeline, "pipeline");
        return withRetries(() -> guarded("cannot read the checkpoints of pipeline '" + pipeline + "'", () -> {
            Connection c = connection();
            locks.releaseAll(c);
            checkpoints.ensureTables(c, catalog);
            return checkpoints.load(c, pipeline);
        }));
    }

    /** Work on the target's session that may fail with an {@link SQLException}. */
    @FunctionalInterface
    private interface SessionWork<T> {
        T run() throws SQLException;
    }

    /**
     * Runs work on the session and turns its failures into {@link ApplyException}s, after rolling
     * the session back or dropping it (see {@link #failed}), so that a retry starts clean.
     *
     * @param what what the work is, for the message of an {@link SQLException}
     */
    private <T> T guarded(String what, SessionWork<T> work) {
        try {
            return work.run();
        } catch (SQLException e) {
            failed(e);
            throw new ApplyException(what + ": " + e.getMessage(), null, null, e.getSQLState(), null, e);
        } catch (ApplyException e) {
            failed(e.getCause() instanceof SQLException ? (SQLException) e.getCause() : null);
            throw e;
        } catch (AssertionError e) {
            throw lostInDriver(e);
        } catch (RuntimeException e) {
            failed(null);
            throw e;
        }
    }

    /** Calls the action, again after a pause when it fails transiently, up to {@link Builder#retries} times. */
    private <T> T withRetries(java.util.function.Supplier<T> action) {
        long pause = retryBackoff.toMillis();
        for (int attempt = 0; ; attempt++) {
            try {
                return action.get();
            } catch (ApplyException e) {
                if (!e.isTransient() || attempt >= retries) {
                    throw e;
                }
                log.warn("transient failure (SQLSTATE {}), retry {} of {} in {} ms: {}", e.sqlState(), attempt + 1, retries, pause,
                        e.getMessage());
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ApplyException("interrupted while waiting to retry: " + e.getMessage(), e.table(), e.key(), e.sqlState(),
                            e.sources(), e);
                }
                pause = Math.min(pause * 2, maxRetryBackoff.toMillis());
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Transient failures (see {@link ApplyException#isTransient()}) are retried here, with a
     * doubling pause, up to {@link Builder#retries} times; each retry opens a new connection
     * when the old one is gone and first settles whether the failed attempt committed.
     *
     * <p>First, the session takes the lock of every stream of the batch it does not hold yet,
     * waiting up to {@link Builder#streamLockWait} for another session to let one go.
     *
     * @throws ApplyException with SQLSTATE 55P03 (not transient) when another instance of the
     *     pipeline holds one of the batch's streams; the message names the pipeline, the stream
     *     and the holder
     */
    @Override
    public ApplyResult apply(NetBatch batch) {
        Objects.requireNonNull(batch, "batch");
        if (checkpoints == null || checkpoints.pipeline() == null) {
            throw new IllegalStateException("loadCheckpoints must be called before apply");
        }
        int[] attempts = {0};
        ApplyResult r = withRetries(() -> {
            attempts[0]++;
            return applyOnce(batch);
        });
        return attempts[0] == 1 ? r : r.withRetries(attempts[0] - 1);
    }

    private ApplyResult applyOnce(NetBatch batch) {
        return guarded("applying a batch failed", () -> {
            Connection c = connection();
            locks.acquire(c, checkpoints.pipeline(), batch.lastOffsets().keySet());
            if (checkpoints.hasDoubt()) {
                boolean same = checkpoints.isDoubted(batch);
                if (checkpoints.settleDoubt(c) && same) {
                    log.info("the batch whose commit was in doubt had committed; not applying it again");
                    return ApplyResult.ALREADY_APPLIED;
                }
            }
            return applyIn(c, batch);
        });
    }

    /**
     * PgJDBC 42.7 throws an {@link AssertionError} from {@code BatchResultHandler} when the
     * connection dies during {@code executeBatch} (data or dead-letter statements): it is a lost
     * connection, transient like one, and the session is dropped.
     */
    private ApplyException lostInDriver(AssertionError e) {
        SQLException lost = new SQLException("the connection was lost in the driver: " + e.getMessage(), "08006", e);
        failed(lost);
        return new ApplyException(lost.getMessage(), null, null, "08006", null, lost);
    }

    private ApplyResult applyIn(Connection c, NetBatch batch) throws SQLException {
        long stage0 = changes.stageNanos;
        long apply0 = changes.applyNanos;
        long ddlNanos = 0;
        long net = 0;
        long filtered = 0;
        long ddl = 0;
        List<DeadLetter> dead = new ArrayList<>();
        Set<TableId> refusedTables = new HashSet<>();
        Origins origins = batch.origins();
        for (Rejected r : batch.rejected()) {
            if (r.event() instanceof RowChange && !mapping.includes(((RowChange) r.event()).table())) {
                filtered++;
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
                long[] excluded = {0};
                net += applyChanges(c, (NetBatch.Changes) step, deadLetters, poisoned, excluded);
                filtered += excluded[0];
                for (Isolator.Poisoned p : poisoned) {
                    deadLetter(p.unit().changes(), p.error(), origins, dead);
                    refusedTables.add(p.unit().changes().table());
                }
            } else if (step instanceof NetBatch.Schema) {
                long t0 = System.nanoTime();
                try {
                    if (schemas.apply(c, ((NetBatch.Schema) step).change())) {
                        ddl++;
                    } else {
                        filtered++;
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
                } else if (start) {
                    bootstraps.start(c, table);
                } else {
                    bootstraps.complete(c, table);
                }
            }
        }
        hook.at(Phase.STAGED);
        long t0 = System.nanoTime();
        long now = System.currentTimeMillis();
        DeadLetter.write(c, sql, checkpoints.schema(), checkpoints.pipeline(), dead, now);
        checkpoints.write(c, batch, now);
        hook.at(Phase.BEFORE_COMMIT);
        c.commit();
        hook.at(Phase.AFTER_COMMIT);
        checkpoints.committed();
        changes.endTransaction(true);
        if (!dead.isEmpty()) {
            log.warn("{} events of the batch went to the dead letters; the first: {}", dead.size(), dead.get(0).error());
        }
        // the user may fix what the database refused (widen a column, create the table): the next
        // batch reads these tables' definitions again, and gets new staging tables when they changed
        for (TableId t : refusedTables) {
            catalog.invalidate(schemas.schemaOf(t.database()), Names.target(t.table()));
        }
        long commitNanos = System.nanoTime() - t0;
        return new ApplyResult(net, filtered, ddl, dead.size(), 0, false, changes.stageNanos - stage0,
                changes.applyNanos - apply0 + ddlNanos, commitNanos);
    }

    /**
     * Applies a {@code Changes} step: finds each table's target (a table that does not exist is
     * refused as a whole), then applies set-based; with {@code isolate} under savepoints, the net
     * changes the database refuses bisected out into {@code refused}, otherwise the first refusal
     * throws.
     *
     * @param excluded receives, at index 0, the net changes of tables the mapping excludes
     * @return the net changes applied
     */
    private long applyChanges(Connection c, NetBatch.Changes step, boolean isolate, List<Isolator.Poisoned> refused, long[] excluded)
            throws SQLException {
        List<ChangesApplier.Resolved> tables = new ArrayList<>();
        for (TableChanges tc : step.tables()) {
            if (tc.isEmpty()) {
                continue;
            }
            if (!mapping.includes(tc.table())) {
                excluded[0] += tc.size();
                continue;
            }
            if (tc.snapshot()) {
                tables.add(new ChangesApplier.Resolved(tc, bootstraps.shadow(c, tc.table())));
                continue;
            }
            String schema = schemas.schemaOf(tc.table().database());
            TargetTable t = catalog.table(c, schema, Names.target(tc.table().table()));
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
        return isolate ? isolator.apply(c, tables, refused) : changes.apply(c, tables);
    }

    /** @return every net change of a change set */
    private static List<NetChange> netChanges(TableChanges unit) {
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

    /**
     * What {@link #retryDeadLetters} did; {@code retried = applied + stillFailing}.
     *
     * @param retried the dead letters read
     * @param applied the letters whose events applied now; they were deleted
     * @param stillFailing the letters that stay: refused again, undecodable, without their raw
     *     record, DDL and bootstrap records, or of tables the mapping now excludes
     */
    public record RetryResult(long retried, long applied, long stillFailing) {}

    /**
     * {@link #retryDeadLetters(String, RecordDecoder)} with Maxwell's decoder (without a secret key).
     *
     * @param pipeline the pipeline whose dead letters to retry, or null for every pipeline's
     * @return the counts, never null
     */
    public RetryResult retryDeadLetters(String pipeline) {
        MaxwellDecoder decoder = MaxwellDecoder.create();
        return retryDeadLetters(pipeline, decoder);
    }

    /**
     * Applies dead letters again, after their cause was fixed (a column widened, a missing table
     * created, a policy changed), and deletes those that apply, in one transaction:
     *
     * <ol>
     *   <li>locks {@code dead_letter} against other retries and the dead letters of running
     *       batches, and reads the pipeline's letters in stream and offset order;</li>
     *   <li>decodes each raw record and compacts the row changes, in that order, into net changes
     *       (keys the records do not name come from the target's tables);</li>
     *   <li>locks the tables they go to (SHARE ROW EXCLUSIVE: running batches wait, readers do
     *       not) and applies them set-based, with the refused net changes bisected out as in
     *       {@link #apply};</li>
     *   <li>deletes exactly the letters whose events applied. A letter refused again stays, with
     *       the new error, SQLSTATE and {@code failed_at}; letters that do not decode, have no raw
     *       record, hold DDL or bootstrap records (which are never applied out of their place in
     *       the stream), or belong to tables the mapping excludes stay unchanged.</li>
     * </ol>
     *
     * <p>No checkpoint is read or written: the streams' positions do not move, and no stream lock
     * is taken, so a retry may run while the pipeline runs. The letters' row images are applied
     * as they were: a row that later events changed since gets the older image back, so retry
     * right after fixing the cause (or reload the table with a bootstrap). Transient failures are
     * retried as in {@link #apply}. Uses this target's schema mapping and value policies. Not
     * thread-safe: not while {@link #apply} runs on this target.
     *
     * @param pipeline the pipeline whose dead letters to retry, or null for every pipeline's
     * @param decoder turns the raw records into events, never null
     * @return the counts, never null; all zero when there is no {@code dead_letter} table
     * @throws ApplyException when the retry could not be done; nothing of it was committed
     */
    public RetryResult retryDeadLetters(String pipeline, RecordDecoder decoder) {
        Objects.requireNonNull(decoder, "decoder");
        return withRetries(() -> guarded("retrying the dead letters failed", () -> retryIn(connection(), pipeline, decoder)));
    }

    private RetryResult retryIn(Connection c, String pipeline, RecordDecoder decoder) throws SQLException {
        String control = checkpoints.schema();
        // the cause was fixed outside: read the tables again (a changed table gets a new staging table)
        catalog.clear();
        if (catalog.table(c, control, "dead_letter") == null) {
            c.commit();
            return new RetryResult(0, 0, 0);
        }
        List<DeadLetter.Stored> letters = DeadLetter.lockAndRead(c, sql, control, pipeline);
        Compactor compactor = Compactor.builder().keyResolver(table -> shapeOf(catalog, c, table)).build();
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
            applyChanges(c, ch, true, poisoned, new long[1]);
            for (Isolator.Poisoned p : poisoned) {
                for (NetChange n : netChanges(p.unit().changes())) {
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
        c.commit();
        changes.endTransaction(true);
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
        return new RetryResult(letters.size(), applied.size(), letters.size() - applied.size());
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
                : shapeOf(catalog, c, r.table()).map(TableShape::keyColumns).orElse(List.of());
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

    /**
     * The target's tables as the pipeline's compactor needs them, read on a connection of their
     * own (the resolver runs on the reader thread while {@link #apply} uses the target's); a
     * table that does not exist, or that the mapping excludes, is unknown.
     */
    @Override
    public KeyResolver keyResolver() {
        return table -> {
            if (!mapping.includes(table)) {
                return Optional.empty();
            }
            synchronized (shapesLock) {
                if (closed) {
                    return Optional.empty();
                }
                try {
                    if (shapesConn == null) {
                        shapesConn = dataSource != null ? dataSource.getConnection() : DriverManager.getConnection(url, withApplicationName());
                        shapesConn.setAutoCommit(true);
                        shapesCatalog = new Catalog(policies);
                    }
                    // the compactor asks once per table until DDL changes it: read the catalog afresh
                    shapesCatalog.invalidate(targetSchema(table), Names.target(table.table()));
                    return shapeOf(shapesCatalog, shapesConn, table);
                } catch (SQLException | ApplyException e) {
                    closeShapes();
                    throw e instanceof ApplyException ? (ApplyException) e : catalogFailure(table, (SQLException) e);
                }
            }
        };
    }

    private static TableShape shape(TargetTable t) {
        List<String> columns = new ArrayList<>(t.columns.size());
        for (TargetTable.Column col : t.columns) {
            columns.add(col.name());
        }
        return new TableShape(t.primaryKey, columns);
    }

    private void closeShapes() {
        if (shapesConn != null) {
            try {
                shapesConn.close();
            } catch (SQLException e) {
                log.debug("closing the catalog connection failed", e);
            }
            shapesConn = null;
        }
    }

    /** The shape of a table as the target has it, for rows whose records do not name their key. */
    private Optional<TableShape> shapeOf(Catalog cat, Connection c, TableId table) {
        try {
            TargetTable t = cat.table(c, targetSchema(table), Names.target(table.table()));
            return t == null ? Optional.empty() : Optional.of(shape(t));
        } catch (SQLException e) {
            throw catalogFailure(table, e);
        }
    }

    private String targetSchema(TableId table) {
        return Names.target(mapping.schemaOf(table.database()));
    }

    private static ApplyException catalogFailure(TableId table, SQLException e) {
        return new ApplyException("cannot read table " + table + " from the target's catalog: " + e.getMessage(), table, null,
                e.getSQLState(), null, e);
    }

    /** Locks the existing target tables of a step, in name order, until the transaction ends. */
    private void lockTables(Connection c, NetBatch.Changes step) throws SQLException {
        TreeSet<String> names = new TreeSet<>();
        for (TableChanges tc : step.tables()) {
            if (tc.isEmpty() || !mapping.includes(tc.table())) {
                continue;
            }
            TargetTable t = catalog.table(c, schemas.schemaOf(tc.table().database()), Names.target(tc.table().table()));
            if (t != null) {
                names.add(t.qualified);
            }
        }
        if (!names.isEmpty()) {
            try (Statement st = c.createStatement()) {
                st.execute(sql.lockTables(new ArrayList<>(names)));
            }
        }
    }

    private static String tableOf(ChangeEvent e) {
        return e instanceof RowChange ? ((RowChange) e).table().toString() : null;
    }

    /** Rolls back after a failure; forgets the session when the connection is gone or its segments' part of it is. */
    private void failed(SQLException cause) {
        if (conn == null) {
            return;
        }
        // a Greenplum segment that stopped answering (58M01) takes the session's temporary tables on
        // it along, the staging tables too: the session is as good as lost
        boolean lost = cause != null && cause.getSQLState() != null
                && (cause.getSQLState().startsWith("08") || cause.getSQLState().equals("58M01"));
        try {
            if (!lost && !conn.isClosed()) {
                conn.rollback();
            } else {
                lost = true;
            }
        } catch (SQLException e) {
            lost = true;
        }
        if (lost) {
            log.warn("the connection to the target was lost; the next batch opens a new one and checks the checkpoint first");
            checkpoints.inDoubt();
            changes.reset();
            catalog.clear();
            closeQuietly();
        } else {
            checkpoints.rolledBack();
            changes.endTransaction(false);
            // DDL of the failed transaction was rolled back with it
            catalog.clear();
        }
    }

    private Connection connection() throws SQLException {
        if (closed) {
            throw new IllegalStateException("the target is closed");
        }
        if (conn != null) {
            return conn;
        }
        Connection c = dataSource != null ? dataSource.getConnection() : DriverManager.getConnection(url, withApplicationName());
        try {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String set : Sql.SESSION) {
                    st.execute(set);
                }
                if (!synchronousCommit) {
                    st.execute(Sql.ASYNCHRONOUS_COMMIT);
                }
            }
            c.commit();
            Dialect d = configuredDialect;
            if (d == null) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT version()")) {
                    rs.next();
                    d = Dialect.detect(rs.getString(1));
                }
                c.commit();
                log.info("target dialect detected: {}", d);
            }
            if (sql == null) {
                dialect = d;
                sql = new Sql(d);
                catalog = new Catalog(policies);
                changes = new ChangesApplier(sql);
                isolator = new Isolator(changes);
                schemas = new SchemaApplier(sql, catalog, mapping, types, ddlPolicies);
                checkpoints = new Checkpoints(sql, Names.target(controlSchema));
                locks = new StreamLocks(sql, Names.target(controlSchema), streamLockWait);
                bootstraps = new Bootstraps(sql, catalog, schemas, Names.target(controlSchema));
            } else if (d != dialect) {
                throw new CdcException("the target's dialect changed between connections: " + dialect + " then " + d);
            }
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            throw e;
        }
        conn = c;
        return c;
    }

    /** The connection shows as {@code greenwell} in {@code pg_stat_activity} unless the URL names another application. */
    private Properties withApplicationName() {
        Properties p = new Properties();
        p.putAll(properties);
        if (!url.contains("ApplicationName=") && !p.containsKey("ApplicationName")) {
            p.setProperty("ApplicationName", "greenwell");
        }
        return p;
    }

    /** @return the streams whose locks the current session holds; for tests */
    Set<String> heldStreamLocks() {
        return locks == null ? Set.of() : locks.held();
    }

    /** @return the session's connection, opening one if needed; for tests that look into the session between batches */
    Connection connectionForTests() throws SQLException {
        return connection();
    }

    /** @return the backend process id of the current connection, opening one if needed; for tests */
    int backendPid() throws SQLException {
        return connection().unwrap(PGConnection.class).getBackendPID();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (shapesLock) {
            closeShapes();
        }
        if (conn != null) {
            try {
                conn.rollback();
                endSession(conn);
            } catch (SQLException e) {
                log.debug("ending the session on close failed", e);
            }
            closeQuietly();
        }
    }

    /**
     * Makes every batch committed so far durable (one synchronous commit flushes the WAL of all
     * the asynchronous ones before it: a source may be gone once its run has ended, such as a
     * file deleted after its replay), releases the stream locks, and resets what the target set,
     * for a pool that hands the session to others.
     */
    private void endSession(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (!synchronousCommit) {
                st.execute(Sql.SYNCHRONOUS_COMMIT_NOW);
                st.execute(Sql.TRANSACTION_ID);
                c.commit();
            }
            if (locks != null) {
                locks.releaseAll(c);
            }
            for (String reset : Sql.SESSION_RESET) {
                st.execute(reset);
            }
            c.commit();
        }
    }

    private void closeQuietly() {
        try {
            conn.close();
        } catch (SQLException e) {
            log.debug("closing the connection failed", e);
        }
        conn = null;
    }

    /**
     * Builds a {@link GreenplumTarget}. Either {@link #dataSource} or {@link #jdbcUrl} is
     * required. Not thread-safe.
     */
    public static final class Builder {
        private DataSource dataSource;
        private String url;
        private final Properties properties = new Properties();
        private Dialect dialect;
        private SchemaMapping mapping = SchemaMapping.DEFAULT;
        private String controlSchema = "greenwell";
        private ZeroDates zeroDates = ZeroDates.NULL;
        private NulCharacters nul = NulCharacters.STRIP;
        private boolean tinyint1AsBoolean;
        private boolean bit1AsBoolean;
        private boolean jsonb = true;
        private Hook hook = p -> {};
        private final Map<SchemaChange.Kind, DdlPolicy> ddlPolicies = new EnumMap<>(SchemaChange.Kind.class);
        private boolean deadLetters = true;
        private int retries = 8;
        private Duration retryBackoff = Duration.ofMillis(200);
        private Duration maxRetryBackoff = Duration.ofSeconds(10);
        private boolean synchronousCommit;
        private Duration streamLockWait = Duration.ofSeconds(60);

        private Builder() {}

        /**
         * @param dataSource where connections come from, never null
         * @return this builder
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /**
         * @param url a {@code jdbc:postgresql:} URL (it may carry the user and password), never null
         * @return this builder
         */
        public Builder jdbcUrl(String url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        /**
         * @param url a {@code jdbc:postgresql:} URL, never null
         * @param user the user, or null to take it from the URL
         * @param password the password, or null for none
         * @return this builder
         */
        public Builder jdbcUrl(String url, String user, String password) {
            jdbcUrl(url);
            if (user != null) {
                properties.setProperty("user", user);
            }
            if (password != null) {
                properties.setProperty("password", password);
            }
            return this;
        }

        /**
         * @param dialect the dialect; null (the default) detects it from {@code SELECT version()}
         * @return this builder
         */
        public Builder dialect(Dialect dialect) {
            this.dialect = dialect;
            return this;
        }

        /**
         * @param mapping databases to schemas and the table filters, never null; default {@link SchemaMapping#DEFAULT}
         * @return this builder
         */
        public Builder schemaMapping(SchemaMapping mapping) {
            this.mapping = Objects.requireNonNull(mapping, "mapping");
            return this;
        }

        /**
         * @param schema the schema of Greenwell's own tables (checkpoints), never null; default {@code greenwell}
         * @return this builder
         */
        public Builder controlSchema(String schema) {
            this.controlSchema = Objects.requireNonNull(schema, "schema");
            return this;
        }

        /**
         * @param policy what zero dates become, never null; default {@link ZeroDates#NULL}
         * @return this builder
         */
        public Builder zeroDates(ZeroDates policy) {
            this.zeroDates = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param policy what NUL characters in text become, never null; default {@link NulCharacters#STRIP}
         * @return this builder
         */
        public Builder nulCharacters(NulCharacters policy) {
            this.nul = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param on create {@code tinyint(1)} and {@code boolean} columns as {@code boolean}; default false ({@code smallint})
         * @return this builder
         */
        public Builder tinyint1AsBoolean(boolean on) {
            this.tinyint1AsBoolean = on;
            return this;
        }

        /**
         * @param on create {@code bit(1)} columns as {@code boolean}; default false ({@code bit(1)})
         * @return this builder
         */
        public Builder bit1AsBoolean(boolean on) {
            this.bit1AsBoolean = on;
            return this;
        }

        /**
         * @param on create JSON columns as {@code jsonb} (true, the default) or as {@code json}, which keeps the text verbatim
         * @return this builder
         */
        public Builder jsonb(boolean on) {
            this.jsonb = on;
            return this;
        }

        /**
         * @param kind a kind of DDL record, never null
         * @param policy what to do with it, never null; default {@link DdlPolicy#APPLY} for every kind
         * @return this builder
         */
        public Builder ddlPolicy(SchemaChange.Kind kind, DdlPolicy policy) {
            ddlPolicies.put(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /**
         * @param on true (the default): events the target cannot apply (rows the compactor rejects,
         *     rows of tables the target does not have, values the database refuses) go to the
         *     {@code dead_letter} table in the batch's transaction and the rest applies; false: the
         *     batch fails instead
         * @return this builder
         */
        public Builder deadLetters(boolean on) {
            this.deadLetters = on;
            return this;
        }

        /**
         * @param retries how often a batch that failed transiently is tried again before the
         *     failure is thrown; 0 for never; default 8
         * @return this builder
         */
        public Builder retries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative: " + retries);
            }
            this.retries = retries;
            return this;
        }

        /**
         * @param first the pause before the first retry, doubled for each next one; default 200 ms
         * @param max the longest pause; default 10 s
         * @return this builder
         */
        public Builder retryBackoff(Duration first, Duration max) {
            if (first.isNegative() || max.compareTo(first) < 0) {
                throw new IllegalArgumentException("need 0 <= first <= max: " + first + ", " + max);
            }
            this.retryBackoff = first;
            this.maxRetryBackoff = max;
            return this;
        }

        /**
         * @param on true: each batch's COMMIT waits until its WAL is flushed on the database server
         *     ({@code synchronous_commit} as the server has it); false (the default): the session
         *     sets {@code synchronous_commit = off}, except for the transaction that writes a
         *     stream's first checkpoint and for one transaction when the target closes, whose
         *     synchronous COMMIT flushes every batch before it. That is safe for the exactly-once
         *     effect: the checkpoint commits in the same transaction as the rows, so a crash of the
         *     server while the pipeline runs can lose only whole last batches together with their
         *     checkpoints, and they are read and applied again from the source. Other sessions see
         *     a batch as soon as it commits either way. Set true when the source may no longer hold
         *     the last records a moment after they were applied (a Kafka topic with a retention of
         *     seconds)
         * @return this builder
         */
        public Builder synchronousCommit(boolean on) {
            this.synchronousCommit = on;
            return this;
        }

        /**
         * @param wait how long {@link GreenplumTarget#apply} waits, trying again with a doubling
         *     pause, for another session to release the lock of a stream of its batch (an owner
         *     that has not yet seen its stream move away, or a dead session the server has not
         *     yet noticed: the session asks the server to notice a vanished client within about 45 s)
         *     before it refuses the batch; zero tries once; default 60 s
         * @return this builder
         */
        public Builder streamLockWait(Duration wait) {
            if (wait.isNegative()) {
                throw new IllegalArgumentException("negative wait: " + wait);
            }
            this.streamLockWait = wait;
            return this;
        }

        /** For crash tests: called at each {@link Phase}. */
        Builder hook(Hook hook) {
            this.hook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * @return the target; it connects on first use
         * @throws CdcException when neither a data source nor a URL was given
         */
        public GreenplumTarget build() {
            if (dataSource == null && url == null) {
                throw new CdcException("a GreenplumTarget needs a DataSource or a JDBC URL");
            }
            if (dataSource != null && url != null) {
                throw new CdcException("a GreenplumTarget takes a DataSource or a JDBC URL, not both");
            }
            return new GreenplumTarget(this);
        }
    }
}
