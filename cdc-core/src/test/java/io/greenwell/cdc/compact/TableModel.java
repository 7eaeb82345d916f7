package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.event.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reference target for tests: tables held in memory, changed either one event at a time (the
 * obvious replay, written without any cleverness) or by a {@link NetBatch}, applied the way
 * {@link TableChanges} documents. A property holds when both give equal states.
 */
final class TableModel {

    /** A table's columns and key. */
    record Shape(List<String> columns, List<String> key) {}

    private final Map<TableId, Shape> shapes;
    /** Per table: the rows, each stored with every column (absent ones as NULL). Keyless rows repeat. */
    private final Map<TableId, List<Row>> tables = new LinkedHashMap<>();
    private final Map<TableId, List<Row>> shadows = new HashMap<>();

    TableModel(Map<TableId, Shape> shapes) {
        this.shapes = shapes;
        for (TableId t : shapes.keySet()) {
            tables.put(t, new ArrayList<>());
        }
    }

    TableModel copy() {
        TableModel m = new TableModel(shapes);
        tables.forEach((t, rows) -> m.tables.put(t, new ArrayList<>(rows)));
        shadows.forEach((t, rows) -> m.shadows.put(t, new ArrayList<>(rows)));
        return m;
    }

    List<Row> rows(TableId t) {
        return tables.get(t);
    }

    void put(TableId t, Row row) {
        tables.get(t).add(full(t, row));
    }

    /** The state as a comparable value: per table, each row with its multiplicity. */
    Map<TableId, Map<Row, Integer>> state() {
        Map<TableId, Map<Row, Integer>> out = new LinkedHashMap<>();
        tables.forEach((t, rows) -> {
            Map<Row, Integer> m = new HashMap<>();
            for (Row r : rows) {
                m.merge(r, 1, Integer::sum);
            }
            out.put(t, m);
        });
        return out;
    }

    // ---- one by one ----

    void replay(ChangeEvent e) {
        if (!(e instanceof RowChange)) {
            if (e instanceof io.greenwell.cdc.event.BootstrapMarker) {
                io.greenwell.cdc.event.BootstrapMarker m = (io.greenwell.cdc.event.BootstrapMarker) e;
                if (m.kind() == io.greenwell.cdc.event.BootstrapMarker.Kind.START) {
                    shadows.put(m.table(), new ArrayList<>());
                } else {
                    tables.put(m.table(), shadows.remove(m.table()));
                }
            }
            return; // DDL in these tests changes no rows
        }
        RowChange r = (RowChange) e;
        TableId t = r.table();
        Shape shape = shapes.get(t);
        switch (r.op()) {
            case BOOTSTRAP_INSERT: {
                List<Row> shadow = shadows.get(t);
                if (!shape.key().isEmpty()) {
                    Row k = project(r.data(), shape.key());
                    shadow.removeIf(row -> project(row, shape.key()).equals(k));
                }
                shadow.add(full(t, r.data()));
                break;
            }
            case INSERT:
                tables.get(t).add(full(t, r.data()));
                break;
            case DELETE:
                removeOne(t, r.data());
                break;
            default: {
                Row before = r.before();
                Row existing = find(t, before);
                if (existing == null) {
                    throw new AssertionError("update of a missing row in " + t + ": " + before);
                }
                tables.get(t).remove(existing);
                tables.get(t).add(full(t, Compactor.overlay(existing, r.data())));
                break;
            }
        }
    }

    private Row find(TableId t, Row image) {
        Shape shape = shapes.get(t);
        for (Row row : tables.get(t)) {
            if (shape.key().isEmpty() ? row.equals(full(t, image)) : project(row, shape.key()).equals(project(image, shape.key()))) {
                return row;
            }
        }
        return null;
    }

    private void removeOne(TableId t, Row image) {
        Row row = find(t, image);
        if (row == null) {
            throw new AssertionError("delete of a missing row in " + t + ": " + image);
        }
        tables.get(t).remove(row);
    }

    // ---- set-based, as a target applies a NetBatch ----

    void apply(NetBatch batch) {
        for (NetBatch.Step step : batch.steps()) {
            if (step instanceof NetBatch.Changes) {
                applyChanges(((NetBatch.Changes) step).tables());
            } else if (step instanceof NetBatch.BootstrapStart) {
                shadows.put(((NetBatch.BootstrapStart) step).table(), new ArrayList<>());
            } else if (step instanceof NetBatch.BootstrapComplete) {
                TableId t = ((NetBatch.BootstrapComplete) step).table();
                tables.put(t, shadows.remove(t));
            }
        }
    }

    private void applyChanges(List<TableChanges> changes) {
        // 1. read the sources of moves, before anything is deleted
        Map<NetChange.Move, Row> moved = new HashMap<>();
        for (TableChanges c : changes) {
            for (NetChange.Move m : c.moves()) {
                Row src = byKey(target(c), c.table(), m.fromKey());
                if (src != null) {
                    moved.put(m, Compactor.overlay(src, m.overlay()));
                }
            }
        }
        // 2. every delete of every table
        for (TableChanges c : changes) {
            List<Row> rows = target(c);
            for (NetChange.Delete d : c.deletes()) {
                deleteKey(rows, c.table(), d.key());
            }
            for (NetChange.Upsert u : c.upserts()) {
                deleteKey(rows, c.table(), u.key(c.keyColumns()));
            }
            for (NetChange.Move m : c.moves()) {
                deleteKey(rows, c.table(), m.key());
            }
            for (NetChange.KeylessDelta d : c.keylessDeletes()) {
                Row image = full(c.table(), d.image());
                for (int i = 0; i < d.count(); i++) {
                    rows.remove(image);
                }
            }
        }
        // 3. inserts and partial updates
        for (TableChanges c : changes) {
            List<Row> rows = target(c);
            for (NetChange.Upsert u : c.upserts()) {
                rows.add(full(c.table(), u.image()));
            }
            for (NetChange.Move m : c.moves()) {
                Row r = moved.get(m);
                if (r != null) {
                    rows.add(full(c.table(), r));
                }
            }
            for (NetChange.KeylessDelta d : c.keylessInserts()) {
                for (int i = 0; i < d.count(); i++) {
                    rows.add(full(c.table(), d.image()));
                }
            }
            for (TableChanges.PartialGroup g : c.partials()) {
                for (NetChange.Partial p : g.rows()) {
                    Row existing = byKey(rows, c.table(), p.key());
                    if (existing != null) {
                        rows.remove(existing);
                        rows.add(full(c.table(), Compactor.overlay(existing, p.values())));
                    }
                }
            }
        }
    }

    private List<Row> target(TableChanges c) {
        return c.snapshot() ? shadows.get(c.table()) : tables.get(c.table());
    }

    private Row byKey(List<Row> rows, TableId t, Row key) {
        List<String> k = shapes.get(t).key();
        for (Row row : rows) {
            if (project(row, k).equals(key)) {
                return row;
            }
        }
        return null;
    }

    private void deleteKey(List<Row> rows, TableId t, Row key) {
        Row row = byKey(rows, t, key);
        if (row != null) {
            rows.remove(row);
        }
    }

    Row full(TableId t, Row image) {
        Row.Builder b = Row.builder();
        for (String c : shapes.get(t).columns()) {
            Value v = image.get(c);
            b.put(c, v == null ? Value.NULL : v);
        }
        return b.build();
    }

    static Row project(Row row, List<String> columns) {
        Row.Builder b = Row.builder();
        for (String c : columns) {
            Value v = row.get(c);
            b.put(c, v == null ? Value.NULL : v);
        }
        return b.build();
    }
}
