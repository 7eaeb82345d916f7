package io.greenwell.cdc.binlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The schema history's chains on a real PostgreSQL: a load finds the latest snapshot at or
 * before its offset and the statements' entries after it, and never a chain across a gap.
 */
class SchemaHistoryIT {

    private static final TableDef T = new TableDef("d", "t", "utf8mb4", List.of(ColumnDef.of("id", "int")), List.of("id"));
    private static final TableDef T2 = new TableDef("d", "t", "utf8mb4", List.of(ColumnDef.of("id", "int"), ColumnDef.of("v", "int")),
            List.of("id"));

    private SchemaHistory history;

    @BeforeEach
    void setUp() throws Exception {
        TestDatabase pg = TestDatabase.create("history");
        history = new SchemaHistory(pg.url(), null, null, "greenwell", "127.0.0.1:3306/7");
        history.open();
    }

    private static SchemaState state(TableDef... defs) {
        SchemaState s = new SchemaState("utf8mb4");
        s.putDatabase("d", "utf8mb4");
        for (TableDef def : defs) {
            s.put(def);
        }
        return s;
    }

    @Test
    void aLoadFollowsTheLatestSnapshotAndTheEntriesAfterItButNeverAcrossAGap() {
        history.snapshot(100, state(T));
        history.changed(150, List.of(new DdlReader.Change(SchemaChange.Kind.TABLE_ALTER, "d", "t", T, T2, null)), db -> db.equals("d"));
        history.gap(200); // a start without the schema of its point: what came between 150 and 200 is not in the history
        history.snapshot(300, state(T));

        assertThat(history.load(99, "utf8mb4")).isNull();
        assertThat(history.load(150, "utf8mb4").peek(new TableId("d", "t"))).isEqualTo(T); // the statement at 150 is not before 150
        assertThat(history.load(152, "utf8mb4").peek(new TableId("d", "t"))).isEqualTo(T2);
        assertThat(history.load(200, "utf8mb4")).isNull();
        assertThat(history.load(250, "utf8mb4")).isNull();
        assertThat(history.load(300, "utf8mb4").peek(new TableId("d", "t"))).isEqualTo(T);
        assertThat(history.load(300, "utf8mb4").databases()).containsEntry("d", "utf8mb4");
    }

    @Test
    void aTableRenamedOutOfTheFollowedDatabasesLeavesOnlyItsDrop() {
        history.snapshot(100, state(T));
        TableDef moved = new TableDef("other", "t", "utf8mb4", T.columns(), T.primaryKey());
        history.changed(150, List.of(new DdlReader.Change(SchemaChange.Kind.TABLE_ALTER, "d", "t", T, moved, null)), db -> db.equals("d"));
        SchemaState after = history.load(200, "utf8mb4");
        assertThat(after.tables()).isEmpty();
    }
}
