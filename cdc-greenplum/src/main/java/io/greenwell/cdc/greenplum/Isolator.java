package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.compact.NetChange;
import io.greenwell.cdc.compact.TableChanges;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a {@code Changes} step so that net changes the database refuses (bad values, values out
 * of range, constraint violations) do not stop the rest. The step is applied under a savepoint;
 * when it fails on data, it is rolled back to the savepoint and split in halves, each applied
 * under its own savepoint, recursively, until every refused net change stands alone. Those are
 * returned for the dead letters; everything else is applied, still set-based, in the same
 * transaction. A unit is one net change, or all the key moves of a table together with the deletes
 * of the keys they move from (a move reads its source row before the batch deletes it, and one
 * move's destination may be another's source). Splitting keeps the result: a key appears in at
 * most one net change of a step, so the other units touch different keys.
 */
final class Isolator {

    /** A net change (or a move with its source's delete) the database refused, and why. */
    record Poisoned(ChangesApplier.Resolved unit, ApplyException error) {}

    private final ChangesApplier changes;

    Isolator(ChangesApplier changes) {
        this.changes = changes;
    }

    /**
     * @param poisoned receives the refused units
     * @return the net changes applied
     * @throws ApplyException for a failure that is not about data (it is not isolated)
     */
    long apply(Connection c, List<ChangesApplier.Resolved> tables, List<Poisoned> poisoned) throws SQLException {
        changes.prepare(c, tables);
        Savepoint sp = c.setSavepoint();
        try {
            long n = changes.apply(c, tables);
            c.releaseSavepoint(sp);
            return n;
        } catch (ApplyException e) {
            if (!isDataError(e)) {
                throw e;
            }
            c.rollback(sp);
        }
        List<ChangesApplier.Resolved> units = new ArrayList<>();
        for (ChangesApplier.Resolved r : tables) {
            units.addAll(units(r));
        }
        return isolate(c, units, poisoned);
    }

    private long isolate(Connection c, List<ChangesApplier.Resolved> units, List<Poisoned> poisoned) throws SQLException {
        int half = units.size() / 2;
        return attempt(c, units.subList(0, half), poisoned) + attempt(c, units.subList(half, units.size()), poisoned);
    }

    private long attempt(Connection c, List<ChangesApplier.Resolved> units, List<Poisoned> poisoned) throws SQLException {
        if (units.isEmpty()) {
            return 0;
        }
        Savepoint sp = c.setSavepoint();
        try {
            long n = changes.apply(c, merge(units));
            c.releaseSavepoint(sp);
            return n;
        } catch (ApplyException e) {
            if (!isDataError(e)) {
                throw e;
            }
            c.rollback(sp);
            if (units.size() == 1) {
                poisoned.add(new Poisoned(units.get(0), e));
                return 0;
            }
            return isolate(c, units, poisoned);
        }
    }

    /**
     * @return true for a failure caused by the values of a row: SQLSTATE class 22 (data
     *     exception), 23 (integrity constraint), 54 (a value too large for an index), or a value
     *     the target refused before sending it (no SQLSTATE, sources named)
     */
    static boolean isDataError(ApplyException e) {
        String s = e.sqlState();
        if (s == null) {
            return e.sources().length > 0;
        }
        return s.startsWith("22") || s.startsWith("23") || s.startsWith("54");
    }

    /** Splits a table's changes into units of one net change each. */
    static List<ChangesApplier.Resolved> units(ChangesApplier.Resolved r) {
        TableChanges tc = r.changes();
        List<ChangesApplier.Resolved> out = new ArrayList<>();
        Map<NetChange.Delete, Boolean> bound = new IdentityHashMap<>();
        if (!tc.moves().isEmpty()) {
            // every move of the table and the deletes of their source keys form one unit: one move's
            // destination can be another's source (2→3, then 1→2), and apart they would read rows
            // the other already changed
            List<NetChange.Delete> froms = new ArrayList<>();
            for (NetChange.Move m : tc.moves()) {
                for (NetChange.Delete d : tc.deletes()) {
                    if (!bound.containsKey(d) && d.key().equals(m.fromKey())) {
                        froms.add(d);
                        bound.put(d, Boolean.TRUE);
                        break;
                    }
                }
            }
            out.add(unit(r, List.of(), froms, List.of(), tc.moves(), List.of(), List.of()));
        }
        for (NetChange.Upsert u : tc.upserts()) {
            out.add(unit(r, List.of(u), List.of(), List.of(), List.of(), List.of(), List.of()));
        }
        for (NetChange.Delete d : tc.deletes()) {
            if (!bound.containsKey(d)) {
                out.add(unit(r, List.of(), List.of(d), List.of(), List.of(), List.of(), List.of()));
            }
        }
        for (TableChanges.PartialGroup g : tc.partials()) {
            for (NetChange.Partial p : g.rows()) {
                out.add(unit(r, List.of(), List.of(), List.of(new TableChanges.PartialGroup(g.columns(), List.of(p))), List.of(),
                        List.of(), List.of()));
            }
        }
        for (NetChange.KeylessDelta d : tc.keylessInserts()) {
            out.add(unit(r, List.of(), List.of(), List.of(), List.of(), List.of(d), List.of()));
        }
        for (NetChange.KeylessDelta d : tc.keylessDeletes()) {
            out.add(unit(r, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(d)));
        }
        return out;
    }

    private static ChangesApplier.Resolved unit(ChangesApplier.Resolved r, List<NetChange.Upsert> upserts, List<NetChange.Delete> deletes,
            List<TableChanges.PartialGroup> partials, List<NetChange.Move> moves, List<NetChange.KeylessDelta> inserts,
            List<NetChange.KeylessDelta> keylessDeletes) {
        TableChanges tc = r.changes();
        return new ChangesApplier.Resolved(new TableChanges(tc.table(), tc.snapshot(), tc.keyColumns(), upserts, deletes, partials, moves,
                inserts, keylessDeletes), r.table());
    }

    /** Joins units of the same tables back into one change set per table. */
    static List<ChangesApplier.Resolved> merge(List<ChangesApplier.Resolved> units) {
        Map<TargetTable, List<TableChanges>> byTable = new LinkedHashMap<>();
        for (ChangesApplier.Resolved u : units) {
            byTable.computeIfAbsent(u.table(), t -> new ArrayList<>()).add(u.changes());
        }
        List<ChangesApplier.Resolved> out = new ArrayList<>();
        for (Map.Entry<TargetTable, List<TableChanges>> e : byTable.entrySet()) {
            List<TableChanges> parts = e.getValue();
            TableChanges first = parts.get(0);
            List<NetChange.Upsert> upserts = new ArrayList<>();
            List<NetChange.Delete> deletes = new ArrayList<>();
            Map<List<String>, List<NetChange.Partial>> partials = new LinkedHashMap<>();
            List<NetChange.Move> moves = new ArrayList<>();
            List<NetChange.KeylessDelta> inserts = new ArrayList<>();
            List<NetChange.KeylessDelta> keylessDeletes = new ArrayList<>();
            for (TableChanges p : parts) {
                upserts.addAll(p.upserts());
                deletes.addAll(p.deletes());
                for (TableChanges.PartialGroup g : p.partials()) {
                    partials.computeIfAbsent(g.columns(), k -> new ArrayList<>()).addAll(g.rows());
                }
                moves.addAll(p.moves());
                inserts.addAll(p.keylessInserts());
                keylessDeletes.addAll(p.keylessDeletes());
            }
            List<TableChanges.PartialGroup> groups = new ArrayList<>();
            partials.forEach((cols, rows) -> groups.add(new TableChanges.PartialGroup(cols, rows)));
            out.add(new ChangesApplier.Resolved(new TableChanges(first.table(), first.snapshot(), first.keyColumns(), upserts, deletes, groups,
                    moves, inserts, keylessDeletes), e.getKey()));
        }
        return out;
    }
}
