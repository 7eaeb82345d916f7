package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.Value;
import java.util.Objects;

/**
 * The net effect of a batch on one primary key (or, for a table without a key, on one distinct row
 * image). Every net change names its {@code sources}: the batch-local sequence numbers of the
 * events behind it (see {@link Compactor#add}), so that a change the database refuses can be
 * traced back to its raw records. The arrays are owned by the change; do not modify them.
 */
public sealed interface NetChange permits NetChange.Upsert, NetChange.Delete, NetChange.Partial, NetChange.Move, NetChange.KeylessDelta {

    /** @return the sequence numbers of the events behind this change, in order; never null */
    int[] sources();

    /**
     * Replace the row of its key by {@code image}: delete the key, then insert the image. The key
     * is the image's key columns ({@link TableChanges#keyColumns()}). Columns the image does not
     * hold (a MINIMAL insert omits defaulted columns) take the column default.
     *
     * @param image the full row after the batch, key included, never null
     * @param sources the events behind it, never null
     * @param created true when the batch's own events say the key had no row before the batch
     *     (its first event for the key inserted it, or moved a row to it; MySQL refuses either
     *     over an existing row): a target may insert the image without looking for an old row,
     *     provided a unique key of its own tells it when a row was there after all (a replay over
     *     a snapshot, a table changed by hand)
     */
    record Upsert(Row image, int[] sources, boolean created) implements NetChange {
        /** Validates. */
        public Upsert {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(sources, "sources");
        }

        /**
         * An upsert of a key that may have had a row before the batch.
         *
         * @param image the full row after the batch, key included, never null
         * @param sources the events behind it, never null
         */
        public Upsert(Row image, int[] sources) {
            this(image, sources, false);
        }

        /**
         * @param keyColumns the table's key columns, never null
         * @return the key columns and values of the image, as a new row; never null
         */
        public Row key(java.util.List<String> keyColumns) {
            Row.Builder b = Row.builder();
            for (String k : keyColumns) {
                Value v = image.get(k);
                b.put(k, v == null ? Value.NULL : v);
            }
            return b.build();
        }
    }

    /**
     * Delete the row of this key, if there is one.
     *
     * @param key the key columns and values, never null
     * @param sources the events behind it, never null
     */
    record Delete(Row key, int[] sources) implements NetChange {
        /** Validates. */
        public Delete {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(sources, "sources");
        }
    }

    /**
     * Set some columns of the row of this key, if there is one (MINIMAL row images).
     *
     * @param key the key columns and values, never null
     * @param values the columns to set (no key column), never null, never empty
     * @param sources the events behind it, never null
     */
    record Partial(Row key, Row values, int[] sources) implements NetChange {
        /** Validates. */
        public Partial {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(values, "values");
            Objects.requireNonNull(sources, "sources");
        }
    }

    /**
     * Insert under {@code key} a copy of the target's row at {@code fromKey} as it was before the
     * batch, with the {@code overlay} columns set: what a primary-key change with a partial row
     * image (MINIMAL) leaves when the batch does not hold the full row. The target reads the
     * source rows before it deletes anything, deletes {@code key} with the other deletes, and
     * inserts the copies with the upserts. {@code fromKey} itself is deleted by a separate
     * {@link Delete}.
     *
     * @param fromKey the key whose pre-batch row is copied, never null
     * @param key the new key, never null
     * @param overlay the columns that replace the copied ones (the new key included), never null
     * @param sources the events behind it, never null
     */
    record Move(Row fromKey, Row key, Row overlay, int[] sources) implements NetChange {
        /** Validates. */
        public Move {
            Objects.requireNonNull(fromKey, "fromKey");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(overlay, "overlay");
            Objects.requireNonNull(sources, "sources");
        }
    }

    /**
     * For a table without a primary key: insert, or delete, exactly {@code count} copies of
     * {@code image}.
     *
     * @param image the whole row, never null
     * @param count how many copies, at least 1
     * @param sources the events behind it, never null
     */
    record KeylessDelta(Row image, int count, int[] sources) implements NetChange {
        /** Validates. */
        public KeylessDelta {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(sources, "sources");
            if (count < 1) {
                throw new IllegalArgumentException("count must be at least 1: " + count);
            }
        }
    }
}
