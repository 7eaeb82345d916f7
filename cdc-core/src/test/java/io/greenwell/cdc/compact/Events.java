package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.BootstrapMarker;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.EventMeta;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.SourcePosition;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import java.util.ArrayList;
import java.util.List;

/** Builds events for tests. */
final class Events {

    static final TableId T = TableId.of("db", "t");
    static final List<String> ID = List.of("id");

    private Events() {}

    static RowChange insert(TableId t, List<String> pk, Row data) {
        return new RowChange(t, Op.INSERT, data, Row.EMPTY, pk, null, EventMeta.NONE);
    }

    static RowChange update(TableId t, List<String> pk, Row data, Row old) {
        return new RowChange(t, Op.UPDATE, data, old, pk, null, EventMeta.NONE);
    }

    static RowChange delete(TableId t, List<String> pk, Row data) {
        return new RowChange(t, Op.DELETE, data, Row.EMPTY, pk, null, EventMeta.NONE);
    }

    static RowChange bootstrapRow(TableId t, List<String> pk, Row data) {
        return new RowChange(t, Op.BOOTSTRAP_INSERT, data, Row.EMPTY, pk, null, EventMeta.NONE);
    }

    static BootstrapMarker bootstrap(TableId t, BootstrapMarker.Kind kind) {
        return new BootstrapMarker(kind, t, EventMeta.NONE);
    }

    static SchemaChange noOpAlter(TableId t, List<String> columns, List<String> pk, SourcePosition p) {
        List<ColumnDef> cols = new ArrayList<>();
        for (String c : columns) {
            cols.add(ColumnDef.of(c, "int"));
        }
        TableDef def = new TableDef(t.database(), t.table(), null, cols, pk);
        return new SchemaChange(SchemaChange.Kind.TABLE_ALTER, t.database(), t, def, def, null,
                "ALTER TABLE " + t.table() + " COMMENT 'x'", meta(p, null, -1, false, 1L));
    }

    static SchemaChange create(TableId t, List<String> columns, List<String> pk) {
        List<ColumnDef> cols = new ArrayList<>();
        for (String c : columns) {
            cols.add(ColumnDef.of(c, "int"));
        }
        return new SchemaChange(SchemaChange.Kind.TABLE_CREATE, t.database(), t, new TableDef(t.database(), t.table(), null, cols, pk),
                null, null, "CREATE TABLE ...", EventMeta.NONE);
    }

    static EventMeta meta(SourcePosition p, Long xid, int xoffset, boolean commit, Long serverId) {
        return new EventMeta(1000L, xid, xoffset, commit, p, null, serverId, null, null, null, null, null);
    }

    static RowChange withMeta(RowChange r, EventMeta m) {
        return new RowChange(r.table(), r.op(), r.data(), r.old(), r.primaryKeyColumns(), r.primaryKey(), m);
    }

    static RowChange tx(RowChange r, long xid, int xoffset, boolean commit, long offset) {
        SourcePosition p = new SourcePosition("mysql-bin.000001", offset, commit ? -1 : xoffset, commit, null);
        return withMeta(r, meta(p, xid, commit ? -1 : xoffset, commit, 1L));
    }
}
