package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.compact.NetChange;
import io.greenwell.cdc.compact.TableChanges;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.event.Value;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one {@code Changes} step of a batch set-based. On PostgreSQL, for every table with a
 * primary key, the full images of keys the batch created ({@link NetChange.Upsert#created}) are
 * first streamed by COPY straight into the table under a savepoint: nothing can be in their way,
 * and the key says so when something is after all (a replay over a snapshot, a table changed by
 * hand), in which case the savepoint is rolled back and they go the usual way with the rest
 * (on Greenplum only a bootstrap's: {@link Sql#copiesCreatedRows}). The rest of a table's net changes are
 * streamed by COPY into the table's session staging table (created once per session,
 * {@code LIKE} the target, NOT NULL dropped, rows gone at every commit), each row tagged with an
 * op code and a batch-local sequence number. Then, as one JDBC batch: the rows that key changes
 * copy are read; the keys to delete, replace or move into are deleted, and the copies of keyless
 * rows, for every table; then the images are inserted (grouped by column set when some rows lack
 * columns, so that absent columns take their defaults), moved rows inserted, and partial rows
 * updated per column set. The caller owns the transaction.
 */
final class ChangesApplier {

    /** A table's change set with the target table it goes to. */
    record Resolved(TableChanges changes, TargetTable table) {}

    /** A session staging table. */
    private static final class Staging {
        /** The table as last read from the catalog; replaced by an equal definition read again. */
        TargetTable table;
        final String name;
        final Sql.Extras extras;
        final String copySql;
        boolean used;

        Staging(TargetTable table, String name, Sql.Extras extras, String copySql) {
            this.table = table;
            this.name = name;
            this.extras = extras;
            this.copySql = copySql;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ChangesApplier.class);
    private static final String SAVEPOINT = "gw_created";

    private final Sql sql;
    private final TargetStats stats;
    private final CopyBuffer buf = new CopyBuffer();
    /** Tables whose created rows once went the usual way, logged once each. */
    private final Set<String> fellBack = new HashSet<>();
    /** Whether the savepoint of created rows is open: released with the next one, or with the statements. */
    private boolean savepoint;
    private final Map<List<String>, Staging> stagings = new HashMap<>();
    private final List<List<String>> createdInTx = new ArrayList<>();
    private final List<Staging> usedInTx = new ArrayList<>();
    private int counter;
    private Value[] slots = new Value[16];

    long stageNanos;
    long applyNanos;

    ChangesApplier(Sql sql, TargetStats stats) {
        this.sql = sql;
        this.stats = stats;
    }

    /** @return the net changes applied */
    long apply(Connection c, List<Resolved> tables) throws SQLException {
        long t0 = System.nanoTime();
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        List<String> reads = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        List<String> writes = new ArrayList<>();
        List<TableId> readTables = new ArrayList<>();
        List<TableId> deleteTables = new ArrayList<>();
        List<TableId> writeTables = new ArrayList<>();
        long changes = 0;
        savepoint = false;
        for (Resolved r : tables) {
            TableChanges tc = r.changes();
            TargetTable t = r.table();
            List<String> keys = targetKeys(tc, t);
            changes += tc.size();
            if (sql.copiesCreatedRows(tc.snapshot()) && t.plainKeyed && keys.containsAll(t.primaryKey)) {
                tc = insertCreated(c, copy, tc, t);
                if (tc.isEmpty()) {
                    continue;
                }
            }
            Staging st = staging(c, t, keys);
            Plan plan = new Plan(t, keys, st.extras);
            CopyIn in = copy.copyIn(st.copySql);
            try {
                buf.start(in::writeToCopy);
                stage(tc, plan);
                buf.flush();
                in.endCopy();
            } catch (SQLException e) {
                // the staging table has the target's types: a value the target refuses fails here
                throw new ApplyException("staging " + tc.table() + " failed: " + e.getMessage(), tc.table(), null, e.getSQLState(), null,
                        e);
            } finally {
                if (in.isActive()) {
                    in.cancelCopy();
                }
            }
            String target = t.qualified;
            if (!tc.moves().isEmpty()) {
                reads.add(sql.copyMoveSources(st.name, target, t.columnNames, keys, st.extras));
                readTables.add(tc.table());
            }
            if (!tc.upserts().isEmpty() || !tc.deletes().isEmpty() || !tc.moves().isEmpty()) {
                deletes.add(sql.deleteKeys(st.name, target, keys, st.extras));
                deleteTables.add(tc.table());
            }
            if (!tc.keylessDeletes().isEmpty()) {
                deletes.add(sql.deleteKeyless(st.name, target, t.columns, st.extras));
                deleteTables.add(tc.table());
            }
            for (Group g : plan.images) {
                writes.add(sql.insertImages(st.name, target, g.columns, st.extras, g.range()));
                writeTables.add(tc.table());
            }
            for (Group g : plan.moves) {
                writes.add(sql.insertMoves(st.name, target, t.columnNames, new HashSet<>(g.columns), st.extras, g.range()));
                writeTables.add(tc.table());
            }
            for (Group g : plan.partials) {
                writes.add(sql.updatePartials(st.name, target, g.columns, keys, st.extras, g.range()));
                writeTables.add(tc.table());
            }
        }
        long t1 = System.nanoTime();
        stageNanos += t1 - t0;
        List<String> all = new ArrayList<>(reads.size() + deletes.size() + writes.size() + 1);
        List<TableId> owners = new ArrayList<>(all.size());
        if (savepoint) {
            all.add(Sql.releaseSavepoint(SAVEPOINT));
            owners.add(tables.get(tables.size() - 1).changes().table());
            savepoint = false;
        }
        all.addAll(reads);
        all.addAll(deletes);
        all.addAll(writes);
        owners.addAll(readTables);
        owners.addAll(deleteTables);
        owners.addAll(writeTables);
        execute(c, all, owners);
        applyNanos += System.nanoTime() - t1;
        return changes;
    }

    /**
     * Copies the full images of the keys the batch created straight into the table, under a
     * savepoint; when the table refuses them (a key already there, or anything else), rolls back
     * to the savepoint and leaves them to the usual way.
     *
     * @return the changes still to apply the usual way
     */
    private TableChanges insertCreated(Connection c, CopyManager copy, TableChanges tc, TargetTable t) throws SQLException {
        int n = 0;
        for (NetChange.Upsert u : tc.upserts()) {
            if (u.created() && t.covers(u.image())) {
                n++;
            }
        }
        if (n == 0) {
            return tc;
        }
        List<NetChange.Upsert> rest = new ArrayList<>(tc.upserts().size() - n);
        run(c, savepoint ? Sql.releaseSavepoint(SAVEPOINT) + "; " + Sql.savepoint(SAVEPOINT) : Sql.savepoint(SAVEPOINT));
        savepoint = true;
        CopyIn in = null;
        try {
            in = copy.copyIn(sql.copyInto(t.qualified, t.columnNames));
            buf.start(in::writeToCopy);
            for (NetChange.Upsert u : tc.upserts()) {
                if (u.created() && t.covers(u.image())) {
                    values(tc, t, u.image(), null, u.sources(), tc.keyColumns());
                    buf.endRow();
                } else {
                    rest.add(u);
                }
            }
            buf.flush();
            in.endCopy();
        } catch (SQLException | RuntimeException e) {
            if (in != null && in.isActive()) {
                try {
                    in.cancelCopy();
                } catch (SQLException ignored) {
                    // the server ends it with an error, which the rollback below clears
                }
            }
            try {
                run(c, Sql.rollbackToSavepoint(SAVEPOINT));
            } catch (SQLException lost) {
                lost.addSuppressed(e);
                throw lost;
            }
            String state = e instanceof SQLException ? ((SQLException) e).getSQLState() : null;
            if (state != null && (state.startsWith("40") || state.equals("57014"))) {
                throw (SQLException) e; // a deadlock, a conflict or a cancel: the batch is tried again, not staged instead
            }
            stats.createdFallbacks++;
            if (fellBack.add(t.qualified)) {
                // the SQLSTATE only: a message may hold the row's values
                log.info("rows created in the batch could not be copied straight into {} ({}); its changes go by staging when"
                        + " that happens (logged once per table)", t.qualified, "23505".equals(state) ? "a key was already there"
                                : state != null ? "SQLSTATE " + state : e.getClass().getSimpleName());
            }
            return tc;
        }
        stats.createdRows += n;
        return new TableChanges(tc.table(), tc.snapshot(), tc.keyColumns(), rest, tc.deletes(), tc.partials(), tc.moves(),
                tc.keylessInserts(), tc.keylessDeletes());
    }

    /** The transaction ended: staging rows are gone; on rollback, tables created in it are too. */
    void endTransaction(boolean committed) {
        for (Staging s : usedInTx) {
            s.used = false;
        }
        usedInTx.clear();
        if (!committed) {
            for (List<String> k : createdInTx) {
                stagings.remove(k);
            }
        }
        createdInTx.clear();
    }

    /** @return how many staging tables this applier has created, over every session; they churn the catalog */
    int stagingsCreated() {
        return counter;
    }

    /** The session is gone, and its temporary tables with it. */
    void reset() {
        savepoint = false;
        stagings.clear();
        createdInTx.clear();
        usedInTx.clear();
    }

    // ---- staging ----

    /**
     * Creates the staging tables of these tables now, in the open transaction, so that a savepoint
     * rolled back later cannot take them with it.
     */
    void prepare(Connection c, List<Resolved> tables) throws SQLException {
        for (Resolved r : tables) {
            created(c, r.table(), targetKeys(r.changes(), r.table()));
        }
    }

    private Staging staging(Connection c, TargetTable t, List<String> keys) throws SQLException {
        Staging s = created(c, t, keys);
        if (s.used) {
            run(c, sql.truncate(s.name));
        } else {
            s.used = true;
            usedInTx.add(s);
        }
        return s;
    }

    private Staging created(Connection c, TargetTable t, List<String> keys) throws SQLException {
        List<String> k = List.of(t.schema, t.name);
        Staging s = stagings.get(k);
        if (s != null && s.table != t) {
            if (s.table.sameDefinition(t)) {
                s.table = t; // read again (after refused rows, a retry), but unchanged: the staging table stays
            } else {
                // the table changed: its staging table must change with it
                run(c, sql.dropStaging(s.name));
                stagings.remove(k);
                s = null;
            }
        }
        if (s == null) {
            String name = "gw_stage_" + (++counter);
            List<String> cols = t.columnNames;
            Sql.Extras x = Sql.Extras.avoiding(cols);
            run(c, sql.createStaging(name, t.qualified, x, keys));
            List<String> nullable = new ArrayList<>();
            for (TargetTable.Column col : t.columns) {
                if (col.notNull() && !keys.contains(col.name())) {
                    nullable.add(col.name());
                }
            }
            if (!nullable.isEmpty()) {
                run(c, sql.dropNotNull(name, nullable));
            }
            s = new Staging(t, name, x, sql.copy(name, cols, x));
            stagings.put(k, s);
            createdInTx.add(k);
        }
        return s;
    }

    /** A column-set group of staged rows: their columns and their sequence range. */
    private static final class Group {
        final List<String> columns;
        int from = -1;
        int to = -1;
        final boolean ranged;

        Group(List<String> columns, boolean ranged) {
            this.columns = columns;
            this.ranged = ranged;
        }

        int[] range() {
            return ranged ? new int[] {from, to} : null;
        }
    }

    /** What staging one table's changes produced. */
    private static final class Plan {
        final TargetTable table;
        final List<String> keys;
        final Sql.Extras extras;
        final List<Group> images = new ArrayList<>();
        final List<Group> moves = new ArrayList<>();
        final List<Group> partials = new ArrayList<>();
        int seq;

        Plan(TargetTable table, List<String> keys, Sql.Extras extras) {
            this.table = table;
            this.keys = keys;
            this.extras = extras;
        }
    }

    private void stage(TableChanges tc, Plan p) throws SQLException {
        TargetTable t = p.table;
        if (slots.length < t.columns.size()) {
            slots = new Value[t.columns.size()];
        }
        List<String> mysqlKeys = tc.keyColumns();
        // images: upserts, then copies of keyless rows
        boolean full = true;
        for (NetChange.Upsert u : tc.upserts()) {
            full &= t.covers(u.image());
        }
        for (NetChange.KeylessDelta d : tc.keylessInserts()) {
            full &= t.covers(d.image());
        }
        if (full) {
            if (!tc.upserts().isEmpty() || !tc.keylessInserts().isEmpty()) {
                p.images.add(new Group(t.columnNames, false));
            }
            for (NetChange.Upsert u : tc.upserts()) {
                image(tc, p, u.image(), Sql.UPSERT, 1, u.sources(), mysqlKeys);
            }
            for (NetChange.KeylessDelta d : tc.keylessInserts()) {
                for (int i = 0; i < d.count(); i++) {
                    image(tc, p, d.image(), Sql.UPSERT, 1, d.sources(), mysqlKeys);
                }
            }
        } else {
            Map<BitSet, List<Row>> groups = new LinkedHashMap<>();
            Map<Row, int[]> sources = new HashMap<>();
            for (NetChange.Upsert u : tc.upserts()) {
                groups.computeIfAbsent(present(tc, t, u.image(), u.sources()), b -> new ArrayList<>()).add(u.image());
                sources.put(u.image(), u.sources());
            }
            for (NetChange.KeylessDelta d : tc.keylessInserts()) {
                List<Row> g = groups.computeIfAbsent(present(tc, t, d.image(), d.sources()), b -> new ArrayList<>());
                for (int i = 0; i < d.count(); i++) {
                    g.add(d.image());
                }
                sources.put(d.image(), d.sources());
            }
            for (Map.Entry<BitSet, List<Row>> e : groups.entrySet()) {
                Group g = new Group(t.columnNames(e.getKey()), true);
                g.from = p.seq;
                for (Row r : e.getValue()) {
                    image(tc, p, r, Sql.UPSERT, 1, sources.get(r), mysqlKeys);
                }
                g.to = p.seq - 1;
                p.images.add(g);
            }
        }
        for (NetChange.Delete d : tc.deletes()) {
            image(tc, p, d.key(), Sql.DELETE, 1, d.sources(), mysqlKeys);
        }
        for (NetChange.KeylessDelta d : tc.keylessDeletes()) {
            image(tc, p, d.image(), Sql.KEYLESS_DELETE, d.count(), d.sources(), mysqlKeys);
        }
        if (!tc.moves().isEmpty()) {
            Map<BitSet, List<NetChange.Move>> groups = new LinkedHashMap<>();
            for (NetChange.Move m : tc.moves()) {
                BitSet b = present(tc, t, m.overlay(), m.sources());
                b.or(present(tc, t, m.key(), m.sources()));
                groups.computeIfAbsent(b, x -> new ArrayList<>()).add(m);
            }
            for (Map.Entry<BitSet, List<NetChange.Move>> e : groups.entrySet()) {
                Group g = new Group(t.columnNames(e.getKey()), true);
                g.from = p.seq;
                for (NetChange.Move m : e.getValue()) {
                    int seq = p.seq++;
                    row(tc, p, m.fromKey(), null, Sql.MOVE_FROM, seq, 1, m.sources(), mysqlKeys);
                    row(tc, p, m.key(), m.overlay(), Sql.MOVE_TO, seq, 1, m.sources(), mysqlKeys);
                }
                g.to = p.seq - 1;
                p.moves.add(g);
            }
        }
        for (TableChanges.PartialGroup pg : tc.partials()) {
            List<String> cols = new ArrayList<>(pg.columns().size());
            for (String col : pg.columns()) {
                int pos = t.position(col);
                if (pos < 0) {
                    throw missingColumn(tc, col, pg.rows().isEmpty() ? null : pg.rows().get(0).sources());
                }
                cols.add(t.columns.get(pos).name());
            }
            Group g = new Group(cols, true);
            g.from = p.seq;
            for (NetChange.Partial r : pg.rows()) {
                row(tc, p, r.key(), r.values(), Sql.PARTIAL, p.seq++, 1, r.sources(), mysqlKeys);
            }
            g.to = p.seq - 1;
            p.partials.add(g);
        }
    }

    private void image(TableChanges tc, Plan p, Row r, char op, int n, int[] sources, List<String> keys) throws SQLException {
        row(tc, p, r, null, op, p.seq++, n, sources, keys);
    }

    /** Stages one row made of {@code a} and, when not null, {@code b}. */
    private void row(TableChanges tc, Plan p, Row a, Row b, char op, int seq, int n, int[] sources, List<String> keys)
            throws SQLException {
        values(tc, p.table, a, b, sources, keys);
        buf.tab();
        buf.ascii(op);
        buf.tab();
        buf.ascii(Integer.toString(seq));
        buf.tab();
        buf.ascii(Integer.toString(n));
        buf.endRow();
    }

    /** Writes the columns of a row made of {@code a} and, when not null, {@code b}, in table order. */
    private void values(TableChanges tc, TargetTable t, Row a, Row b, int[] sources, List<String> keys) throws SQLException {
        if (slots.length < t.columns.size()) {
            slots = new Value[t.columns.size()];
        }
        int cols = t.columns.size();
        Arrays.fill(slots, 0, cols, null);
        place(tc, t, a, sources);
        if (b != null) {
            place(tc, t, b, sources);
        }
        for (int j = 0; j < cols; j++) {
            if (j > 0) {
                buf.tab();
            }
            Value v = slots[j];
            if (v == null || v.isNull()) {
                buf.nullValue();
            } else {
                TargetTable.Column col = t.columns.get(j);
                try {
                    col.writer().write(v, buf);
                } catch (ValueException e) {
                    throw new ApplyException("cannot write " + tc.table() + " column " + col.name() + " (" + col.type() + "): "
                            + e.getMessage(), tc.table(), keyText(a, keys), null, sources, e);
                }
            }
        }
    }

    private void place(TableChanges tc, TargetTable t, Row r, int[] sources) {
        int[] m = t.map(r);
        for (int i = 0; i < m.length; i++) {
            if (m[i] < 0) {
                throw missingColumn(tc, r.name(i), sources);
            }
            slots[m[i]] = r.value(i);
        }
    }

    private BitSet present(TableChanges tc, TargetTable t, Row r, int[] sources) {
        BitSet b = new BitSet(t.columns.size());
        int[] m = t.map(r);
        for (int i = 0; i < m.length; i++) {
            if (m[i] < 0) {
                throw missingColumn(tc, r.name(i), sources);
            }
            b.set(m[i]);
        }
        return b;
    }

    private static List<String> targetKeys(TableChanges tc, TargetTable t) {
        List<String> keys = new ArrayList<>(tc.keyColumns().size());
        for (String k : tc.keyColumns()) {
            int p = t.position(k);
            if (p < 0) {
                throw new ApplyException("table " + t.qualified + " has no column for the key column " + k + " of " + tc.table(),
                        tc.table(), null, null, null, null);
            }
            keys.add(t.columns.get(p).name());
        }
        return keys;
    }

    private static ApplyException missingColumn(TableChanges tc, String column, int[] sources) {
        return new ApplyException("table " + tc.table() + " has no column " + column + " in the target", tc.table(), null, null,
                sources, null);
    }

    /** @return the key of a row as {@code col=value, ...}, for messages */
    static String keyText(Row r, List<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            Value v = r.get(k);
            sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v == null ? "?" : String.valueOf(v.asText()));
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static void run(Connection c, String statement) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static void execute(Connection c, List<String> statements, List<TableId> owners) throws SQLException {
        if (statements.isEmpty()) {
            return;
        }
        try (Statement st = c.createStatement()) {
            if (statements.size() == 1) {
                st.executeUpdate(statements.get(0));
                return;
            }
            for (String s : statements) {
                st.addBatch(s);
            }
            st.executeBatch();
        } catch (BatchUpdateException e) {
            int failed = Math.min(e.getUpdateCounts().length, statements.size() - 1);
            SQLException cause = e.getNextException() != null ? e.getNextException() : e;
            throw new ApplyException("applying " + owners.get(failed) + " failed: " + cause.getMessage(), owners.get(failed), null,
                    cause.getSQLState(), null, cause);
        } catch (SQLException e) {
            throw new ApplyException("applying " + owners.get(0) + " failed: " + e.getMessage(), owners.get(0), null, e.getSQLState(),
                    null, e);
        }
    }
}
