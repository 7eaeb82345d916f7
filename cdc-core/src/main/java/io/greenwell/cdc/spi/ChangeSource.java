package io.greenwell.cdc.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where raw change records come from: a file, standard input, memory, Kafka.
 *
 * <h2>Lifecycle</h2>
 * All methods are called from one thread, the pipeline's reader thread, in this order:
 * <ol>
 *   <li>{@link #open} once, with the listener of assignment changes.</li>
 *   <li>{@link #seek} with the checkpoints the target holds: each stream resumes after the
 *       offset stored for it, and a stream without a checkpoint starts from its beginning (or
 *       where the source's own start option says). Called again from within {@link #poll} when
 *       a source that assigns streams (Kafka) reports new ones to the listener, which reads their
 *       checkpoints and seeks.</li>
 *   <li>{@link #poll} repeatedly; {@link #pause} and {@link #resume} between polls when the
 *       pipeline cannot take more records (a paused source keeps its membership alive but returns
 *       no records); {@link #committed} after each batch the target committed, on this thread,
 *       in commit order, and for every batch committed before {@link io.greenwell.cdc.pipeline.CdcPipeline#run}
 *       returns normally (after {@code stop()} too), so that a source that acknowledges after
 *       commit (a RabbitMQ queue) can acknowledge everything applied before it is closed.</li>
 *   <li>{@link #close} once.</li>
 * </ol>
 *
 * <h2>Failures</h2>
 * A {@link io.greenwell.cdc.CdcException} from {@link #poll} stops the pipeline. A source that
 * can recover from a transient failure (a broker restart) does so inside {@link #poll}. A record
 * the source cannot even frame is returned as it is; the decoder rejects it and it ends in the
 * dead letters.
 */
public interface ChangeSource extends AutoCloseable {

    /** Told of the streams a source starts or stops serving. Called on the reader thread. */
    interface Listener {
        /**
         * New streams; the listener reads their checkpoints and calls {@link ChangeSource#seek}.
         *
         * @param streams the stream ids, never null
         */
        void assigned(Collection<String> streams);

        /**
         * Streams this instance no longer serves; records of them not yet applied are dropped.
         *
         * @param streams the stream ids, never null
         */
        void revoked(Collection<String> streams);
    }

    /**
     * @param listener the pipeline's listener, never null
     */
    void open(Listener listener);

    /**
     * Positions streams after their last applied records.
     *
     * @param lastApplied the offset of the last applied record, per stream id; never null
     */
    void seek(Map<String, Long> lastApplied);

    /**
     * @param timeout how long to wait when no record is ready, never null
     * @return the next records in stream order per stream; empty when none came in time; never null
     * @throws InterruptedException when the reader thread is interrupted
     */
    List<SourceRecord> poll(Duration timeout) throws InterruptedException;

    /**
     * @return true when the source is finite and every record was returned (end of a file); the
     *     pipeline then applies what it holds and stops
     */
    boolean isFinished();

    /** Stops returning records until {@link #resume}; polling goes on. */
    default void pause() {}

    /** Returns records again after {@link #pause}. */
    default void resume() {}

    /**
     * A batch up to these offsets is committed in the target (a Kafka source commits them to Kafka,
     * for monitoring only: the target's checkpoint is what counts; a RabbitMQ classic or quorum
     * queue acknowledges the messages up to them). Never called for a batch that did not commit.
     *
     * @param lastOffsets the offset of the last record applied, per stream id; never null
     */
    default void committed(Map<String, Long> lastOffsets) {}

    /** Releases the source. */
    @Override
    void close();
}
