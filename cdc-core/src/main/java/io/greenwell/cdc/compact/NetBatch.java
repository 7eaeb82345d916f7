package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableId;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The net changes of one batch, as steps a target applies in order in one transaction: change
 * sets between barriers, and the barriers themselves (DDL, bootstrap start and completion). Also
 * what the target stores with them: the watermarks and the last offset of every stream.
 *
 * @param steps the steps in order, never null
 * @param stats what went in and out, never null
 * @param watermarks the replay watermark of every (stream, server) after this batch, never null
 * @param lastOffsets the offset of the last record of each stream in this batch, never null
 * @param rejected events that could not be used and belong in the dead letters, never null
 * @param origins the stream, offset and raw record of every event, by sequence number; never null
 */
public record NetBatch(
        List<Step> steps,
        BatchStats stats,
        Map<WatermarkKey, Watermark> watermarks,
        Map<String, Long> lastOffsets,
        List<Rejected> rejected,
        Origins origins) {

    /** Validates and copies. */
    public NetBatch {
        steps = List.copyOf(steps);
        Objects.requireNonNull(stats, "stats");
        watermarks = Map.copyOf(watermarks);
        lastOffsets = Map.copyOf(lastOffsets);
        rejected = List.copyOf(rejected);
        Objects.requireNonNull(origins, "origins");
    }

    /** @return true when there is nothing to apply (there may still be offsets to store) */
    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** One step of a batch. */
    public sealed interface Step permits Changes, Schema, BootstrapStart, BootstrapComplete {}

    /**
     * Net changes of several tables, applied together: every delete of every table before any
     * insert (see {@link TableChanges}).
     *
     * @param tables the tables' changes, each table at most once per snapshot flag, never null
     */
    public record Changes(List<TableChanges> tables) implements Step {
        /** Validates and copies. */
        public Changes {
            tables = List.copyOf(tables);
        }
    }

    /**
     * A DDL record, applied after the steps before it and before those after it.
     *
     * @param change the DDL, never null
     * @param source its batch-local sequence number
     */
    public record Schema(SchemaChange change, int source) implements Step {
        /** Validates. */
        public Schema {
            Objects.requireNonNull(change, "change");
        }
    }

    /**
     * A bootstrap of the table begins: its shadow copy is emptied; the snapshot's rows follow as
     * {@link TableChanges} with {@code snapshot} set.
     *
     * @param table the table, never null
     * @param source the marker's batch-local sequence number
     */
    public record BootstrapStart(TableId table, int source) implements Step {
        /** Validates. */
        public BootstrapStart {
            Objects.requireNonNull(table, "table");
        }
    }

    /**
     * A bootstrap of the table is complete: its rows are replaced by its shadow copy's.
     *
     * @param table the table, never null
     * @param source the marker's batch-local sequence number
     */
    public record BootstrapComplete(TableId table, int source) implements Step {
        /** Validates. */
        public BootstrapComplete {
            Objects.requireNonNull(table, "table");
        }
    }
}
