package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.TableId;
import java.util.List;
import java.util.Objects;

/**
 * The net changes of one table between two barriers of a batch. A target applies them in this
 * order, together with those of the other tables of the same {@link NetBatch.Changes} step: read
 * the sources of the {@link #moves()}; delete the keys of {@link #deletes()}, {@link #upserts()}
 * and {@link #moves()} and the {@link #keylessDeletes()}, for every table; then insert the
 * upserts, the moved rows and the {@link #keylessInserts()}, and apply the {@link #partials()}.
 * Each key appears in at most one list.
 *
 * @param table the table, never null
 * @param snapshot true when these are rows of a bootstrap, for the table's shadow copy rather
 *     than the table itself
 * @param keyColumns the primary-key columns; empty for a table without a key; never null
 * @param upserts keys whose row is replaced by a full image, never null
 * @param deletes keys whose row is deleted, never null
 * @param partials keys whose row gets some columns set, grouped by column set, never null
 * @param moves keys that get a copy of another key's row (key changes with partial images), never null
 * @param keylessInserts rows inserted n times (tables without a key), never null
 * @param keylessDeletes rows deleted n times (tables without a key), never null
 */
public record TableChanges(
        TableId table,
        boolean snapshot,
        List<String> keyColumns,
        List<NetChange.Upsert> upserts,
        List<NetChange.Delete> deletes,
        List<PartialGroup> partials,
        List<NetChange.Move> moves,
        List<NetChange.KeylessDelta> keylessInserts,
        List<NetChange.KeylessDelta> keylessDeletes) {

    /** Validates and copies. */
    public TableChanges {
        Objects.requireNonNull(table, "table");
        keyColumns = List.copyOf(keyColumns);
        upserts = List.copyOf(upserts);
        deletes = List.copyOf(deletes);
        partials = List.copyOf(partials);
        moves = List.copyOf(moves);
        keylessInserts = List.copyOf(keylessInserts);
        keylessDeletes = List.copyOf(keylessDeletes);
    }

    /** @return how many net changes: one per key, one per copy of a keyless row */
    public long size() {
        long n = (long) upserts.size() + deletes.size() + moves.size();
        for (PartialGroup g : partials) {
            n += g.rows().size();
        }
        for (NetChange.KeylessDelta d : keylessInserts) {
            n += d.count();
        }
        for (NetChange.KeylessDelta d : keylessDeletes) {
            n += d.count();
        }
        return n;
    }

    /** @return true when the table has no net change */
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Partial updates that set the same columns, to be applied with one statement.
     *
     * @param columns the columns set, sorted by name, never empty
     * @param rows the keys and values, never null
     */
    public record PartialGroup(List<String> columns, List<NetChange.Partial> rows) {
        /** Validates and copies. */
        public PartialGroup {
            columns = List.copyOf(columns);
            rows = List.copyOf(rows);
        }
    }
}
