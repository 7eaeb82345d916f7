package io.greenwell.cdc.spi;

import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.event.TableId;
import java.util.Map;

/**
 * Where net batches go: a database that applies each batch, and the checkpoint reached with it,
 * in one transaction, so that nothing is lost or applied twice.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>{@link #loadCheckpoints} once before the first batch, and again whenever the streams
 *       assigned to this instance change (a Kafka rebalance). A later {@link #apply} writes a
 *       stream's checkpoint only if it is still the one read (or written by this instance since);
 *       otherwise it throws {@link io.greenwell.cdc.FencedException}, having written no checkpoint.
 *       A transactional target also fences on reading (an older reader's next apply fails and
 *       rolls back); a target without transactions may fence only on writing, and then must make
 *       an older owner's last batch, landing after the new owner read, harmless (the search
 *       index does it with versions).</li>
 *   <li>{@link #apply} for each batch, in order, one at a time. It returns after COMMIT. The
 *       checkpoint written is, per stream of the batch, its {@link NetBatch#lastOffsets() last
 *       offset} and its {@link NetBatch#watermarks() watermarks}.</li>
 *   <li>{@link #close} once; it releases the connection. An uncommitted batch is rolled back.</li>
 * </ol>
 *
 * <p>A target is used by one thread at a time (the pipeline's applier thread); it need not be
 * thread-safe. {@link #includes} may be called from another thread and must be.
 *
 * <h2>Failures</h2>
 * {@link io.greenwell.cdc.ApplyException} means the batch was not applied (rolled back). When
 * {@link io.greenwell.cdc.ApplyException#isTransient()} is true, the caller may call
 * {@link #apply} again with the same batch after a pause: if the earlier attempt did commit (the
 * connection was lost during COMMIT), the target finds its checkpoint and returns
 * {@link ApplyResult#ALREADY_APPLIED} without writing anything. Any other exception means the
 * target cannot go on with this batch.
 */
public interface ChangeTarget extends AutoCloseable {

    /**
     * Reads the checkpoints of a pipeline, creating the checkpoint table on first use, and fences
     * every stream read.
     *
     * @param pipeline the pipeline's name, never null
     * @return the checkpoint of every stream the pipeline has applied, by stream id; never null
     * @throws io.greenwell.cdc.ApplyException when the database cannot be read
     */
    Map<String, Checkpoint> loadCheckpoints(String pipeline);

    /**
     * Applies a batch and its checkpoints atomically. {@link #loadCheckpoints} must have been
     * called.
     *
     * @param batch the batch, never null
     * @return what was done, never null
     * @throws io.greenwell.cdc.ApplyException when the batch could not be applied; nothing of it
     *     was committed
     * @throws io.greenwell.cdc.FencedException when another instance took over one of the
     *     batch's streams; nothing was committed
     */
    ApplyResult apply(NetBatch batch);

    /**
     * Whether the target replicates a table at all, so that a pipeline can drop the events of
     * other tables before compacting them. Thread-safe.
     *
     * @param table a MySQL table, never null
     * @return true when its changes are applied, false when they are filtered out
     */
    default boolean includes(TableId table) {
        return true;
    }

    /**
     * The shapes (key and columns) of the target's tables, for rows whose stream does not
     * describe their table: a pipeline resumed after the table's DDL knows its key from the rows'
     * {@code primary_key_columns}, but not its columns, and without them a MINIMAL image (only
     * the changed columns) cannot be told from a full one. The pipeline uses it unless it was
     * given a resolver of its own. Called on the pipeline's reader thread while {@link #apply}
     * runs on the applier thread: the resolver must be thread-safe towards the target.
     *
     * @return the resolver, never null; default {@link KeyResolver#NONE}
     */
    default KeyResolver keyResolver() {
        return KeyResolver.NONE;
    }

    /** Releases the target's resources; an uncommitted batch is rolled back. Idempotent. */
    @Override
    void close();
}
