package io.greenwell.cdc.pipeline;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.DecodeException;
import io.greenwell.cdc.FencedException;
import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.compact.Batcher;
import io.greenwell.cdc.compact.Compactor;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.Rejected;
import io.greenwell.cdc.compact.Sequencer;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import io.greenwell.cdc.spi.ApplyResult;
import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.spi.Checkpoint;
import io.greenwell.cdc.spi.KeyResolver;
import io.greenwell.cdc.spi.RecordDecoder;
import io.greenwell.cdc.spi.SourceRecord;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running replication: records from a {@link ChangeSource}, decoded, filtered, sequenced and
 * compacted into transaction-consistent batches, each applied by a {@link ChangeTarget} together
 * with its checkpoint.
 *
 * <p>Two threads: the reader (the caller of {@link #run()}, or the thread {@link #start()} makes)
 * polls, decodes and compacts the next batch while the applier thread applies the current one,
 * so both cores work. At most one closed batch waits between them; while it waits the source is
 * paused (a paused source keeps polling without returning records), so memory stays bounded by
 * the batch limits. {@link #stop()} ends a run after the batch being applied: the batch still
 * being read is dropped and read again by the next run, so nothing unapplied is ever recorded as
 * applied.
 *
 * <pre>{@code
 * CdcPipeline p = CdcPipeline.builder()
 *         .name("orders")
 *         .source(FileSource.of(Path.of("maxwell.jsonl")))
 *         .target(GreenplumTarget.builder().jdbcUrl(url).build())
 *         .build();
 * RunSummary s = p.run(); // until the end of the file
 * }</pre>
 */
public final class CdcPipeline {

    private static final Logger log = LoggerFactory.getLogger(CdcPipeline.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);

    private final String name;
    private final ChangeSource source;
    private final RecordDecoder decoder;
    private final ChangeTarget target;
    private final BatchLimits limits;
    private final Duration maxDelay;
    private final Duration caughtUpDelay;
    private final ErrorPolicy errorPolicy;
    private final PipelineListener listener;
    private final KeyResolver keyResolver;
    /** Null without a meter registry: then nothing of Micrometer is loaded. */
    private final PipelineMetrics metrics;
    private final Duration healthThreshold;

    private volatile boolean stopping;
    private final AtomicReference<Thread> runner = new AtomicReference<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile RunSummary lastSummary;
    private volatile Throwable failure;
    private volatile Applier applier;
    /** When the reader began reading the checkpoints ({@link System#nanoTime()}); 0 when it is not. */
    private volatile long loadingSince;

    // sums of applied batches, written by the applier
    private volatile long events;
    private volatile long applied;
    private volatile long duplicates;
    private volatile long filtered;
    private volatile long deadLetters;
    private volatile long netChanges;
    private volatile long batches;

    private CdcPipeline(Builder b) {
        this.name = b.name;
        this.source = b.source;
        this.decoder = b.decoder;
        this.target = b.target;
        this.limits = b.limits;
        this.maxDelay = b.maxDelay;
        this.caughtUpDelay = b.caughtUpDelay.compareTo(b.maxDelay) < 0 ? b.caughtUpDelay : b.maxDelay;
        this.errorPolicy = b.errorPolicy;
        this.listener = b.listener;
        this.keyResolver = b.keyResolver != null ? b.keyResolver : b.target.keyResolver();
        this.metrics = b.registry != null ? new PipelineMetrics(b.registry, name) : null;
        this.healthThreshold = b.healthThreshold;
    }

    /** @return a new builder, never null; methods can be chained */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs on the calling thread until the source is finished (its last batch applied) or
     * {@link #stop()} is called. Does not close the source or the target.
     *
     * @return what the run applied, never null
     * @throws CdcException when the run failed; batches committed before stay committed
     */
    public RunSummary run() {
        if (!runner.compareAndSet(null, Thread.currentThread())) {
            throw new IllegalStateException("a pipeline runs once");
        }
        long t0 = System.nanoTime();
        Applier applier = new Applier();
        this.applier = applier;
        try {
            read(applier);
            applier.finish();
            if (applier.failure != null) {
                throw applier.failure;
            }
            // the batches committed while the run ended are told too (a queue acknowledges them)
            Map<String, Long> committed;
            while ((committed = applier.committed.poll()) != null) {
                source.committed(committed);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            applier.abort();
            failure = e;
            throw new CdcException("the pipeline was interrupted", e);
        } catch (CdcException e) {
            applier.abort();
            failure = e;
            throw e;
        } catch (RuntimeException | Error e) {
            applier.abort();
            failure = e;
            throw new CdcException("the pipeline failed: " + e, e);
        } finally {
            lastSummary = summary(System.nanoTime() - t0);
            done.countDown();
        }
        return lastSummary;
    }

    /** Runs on a new thread ({@code greenwell-<name>}); see {@link #run()}. */
    public void start() {
        Thread t = new Thread(() -> {
            try {
                run();
            } catch (RuntimeException e) {
                log.error("pipeline {} failed", name, e);
            }
        }, "greenwell-" + name);
        t.start();
    }

    /** Asks the run to end after the batch being applied; returns at once. Idempotent. */
    public void stop() {
        stopping = true;
    }

    /**
     * Waits for the run to end.
     *
     * @param timeout how long to wait, never null
     * @return the run's summary, or null when it has not ended in time
     * @throws CdcException when the run failed
     * @throws InterruptedException when interrupted while waiting
     */
    public RunSummary await(Duration timeout) throws InterruptedException {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return null;
        }
        if (failure != null) {
            throw failure instanceof CdcException ? (CdcException) failure : new CdcException("the pipeline failed: " + failure, failure);
        }
        return lastSummary;
    }

    /** @return the sums of the batches applied so far in this run, never null */
    public RunSummary progress() {
        return summary(0);
    }

    /**
     * Whether the pipeline is well, for a health check; may be called from any thread.
     *
     * @return up while the pipeline runs and its last batch committed, or it is idle, or it ended
     *     normally; down while a batch has not committed, or the checkpoints have not been read,
     *     for longer than {@link Builder#healthThreshold} (the target retrying, or a database that
     *     does not answer), while it is fenced, and once it stopped on a failure; never null
     */
    public Health health() {
        Throwable f = failure;
        if (f != null) {
            return new Health(false, "stopped by a failure: " + f.getMessage());
        }
        Applier a = applier;
        if (a != null && a.fenced) {
            return new Health(false, "fenced: another instance moved a checkpoint; reading the checkpoints again");
        }
        long since = a == null ? 0 : a.applyingSince;
        if (since != 0) {
            long waited = System.nanoTime() - since;
            if (waited > healthThreshold.toNanos()) {
                return new Health(false, "a batch has not committed for " + TimeUnit.NANOSECONDS.toSeconds(waited)
                        + " s (the target is retrying, or the database does not answer)");
            }
        }
        long loading = loadingSince;
        if (loading != 0 && System.nanoTime() - loading > healthThreshold.toNanos()) {
            return new Health(false, "the checkpoints have not been read for " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - loading)
                    + " s (the target is retrying, or the database does not answer)");
        }
        return new Health(true, done.getCount() == 0 ? "finished" : a == null ? "starting" : "running");
    }

    private RunSummary summary(long nanos) {
        return new RunSummary(events, applied, duplicates, filtered, deadLetters, netChanges, batches, nanos);
    }

    /**
     * A closed batch with what the reader knows of it.
     *
     * @param tally the records per stream and table, null without metrics
     * @param bytes the bytes of its records
     * @param retained the bytes the batch holds until it commits
     */
    private record Work(NetBatch batch, long skipped, long readNanos, long newestMillis, BatchTally tally, long bytes, long retained) {}

    private void read(Applier applier) throws InterruptedException {
        new Reader(applier).run();
    }

    /**
     * The reader thread's state: the open batch, the records polled but not yet offered, the closed
     * batch waiting for the applier. An assignment change or a fenced checkpoint resets it: the
     * batches not yet applied are dropped, the checkpoints read again, and the source sought to
     * them, so that every stream continues right after what the target holds.
     */
    private final class Reader implements ChangeSource.Listener {
        private final Applier applier;
        private final Deque<SourceRecord> buffer = new ArrayDeque<>();
        private final RecordArena arena = new RecordArena();
        private Batcher batcher;
        private Work pending;
        private boolean paused;
        private boolean finishing;
        private long skipped;
        private long readNanos;
        private long newest = -1;
        /** When the open batch took its first record ({@link System#nanoTime()}). */
        private long openedAt;
        /** How long the reader waited in the source's poll since the open batch's first record. */
        private long waitedNanos;
        private BatchTally tally = metrics != null ? new BatchTally() : null;
        private long bytes;

        Reader(Applier applier) {
            this.applier = applier;
        }

        void run() throws InterruptedException {
            if (metrics != null) {
                metrics.bind(source);
                metrics.bind(target);
            }
            source.open(this);
            load();
            applier.start();
            while (!stopping) {
                applier.check();
                if (applier.fenced) {
                    log.warn("pipeline {}: a checkpoint moved (another instance, or a server that lost its last commits);"
                            + " reading the checkpoints again", name);
                    reset();
                    load();
                    applier.fenced = false;
                }
                Map<String, Long> committed;
                while ((committed = applier.committed.poll()) != null) {
                    source.committed(committed);
                }
                if (pending != null) {
                    if (!applier.offer(pending)) {
                        if (!paused) {
                            source.pause();
                            paused = true;
                        }
                        buffer.addAll(source.poll(Duration.ZERO));
                        continue;
                    }
                    pending = null;
                    if (paused) {
                        source.resume();
                        paused = false;
                    }
                }
                if (buffer.isEmpty()) {
                    if (finishing) {
                        // the run ends once its last batches are applied; a fence on one of them is
                        // handled like any other: the checkpoints are read again and reading goes on
                        applier.awaitIdle();
                        applier.check();
                        if (applier.fenced) {
                            continue;
                        }
                        break;
                    }
                    if (source.isFinished()) {
                        NetBatch last = batcher.flush();
                        finishing = true;
                        if (last != null) {
                            close(last, 0);
                        }
                        continue;
                    }
                    long wait = IDLE_POLL.toMillis();
                    if (batcher.size() > 0) {
                        long age = System.nanoTime() - openedAt;
                        long due = age < caughtUpDelay.toNanos() ? caughtUpDelay.toNanos() : maxDelay.toNanos();
                        wait = Math.max(0, Math.min(wait, TimeUnit.NANOSECONDS.toMillis(due - age + 999_999)));
                    }
                    long p0 = System.nanoTime();
                    buffer.addAll(source.poll(Duration.ofMillis(wait)));
                    if (batcher.size() > 0) {
                        waitedNanos += System.nanoTime() - p0;
                    }
                }
                long t0 = System.nanoTime();
                while (!buffer.isEmpty() && pending == null) {
                    offer(buffer.pollFirst());
                }
                readNanos += System.nanoTime() - t0;
                if (metrics != null) {
                    metrics.openBytes.set(batcher.retainedBytes());
                }
                if (pending == null && batcher.size() > 0 && due()) {
                    NetBatch b = batcher.flush();
                    if (b != null) {
                        close(b, 0);
                    }
                }
            }
            if (stopping) {
                log.info("pipeline {} stopping: the batch being read is dropped and read again next time", name);
            }
        }

        /**
         * Whether the open batch is due: at {@link #maxDelay} after its first record, or already at
         * {@link #caughtUpDelay} when the source is caught up, the reader having waited on it for at least
         * three quarters of that time. Under a backlog the reader never waits, so batches keep growing to
         * their limits (or the longer delay), which keeps the compaction; at a steady rate it mostly
         * waits, so records wait less.
         */
        private boolean due() {
            long age = System.nanoTime() - openedAt;
            return age >= maxDelay.toNanos() || (age >= caughtUpDelay.toNanos() && waitedNanos > 0 && waitedNanos >= age / 4 * 3);
        }

        private void offer(SourceRecord r) {
            long t0 = System.nanoTime();
            if (batcher.size() == 0) {
                openedAt = System.nanoTime();
                waitedNanos = 0;
            }
            if (r.isMark()) {
                NetBatch closed = batcher.mark(r.stream(), r.offset());
                if (closed != null) {
                    close(closed, System.nanoTime() - t0);
                }
                return;
            }
            NetBatch closed;
            ChangeEvent e;
            arena.add(r.bytes());
            byte[] buf = arena.buffer;
            int off = arena.offset;
            int len = r.bytes().length;
            bytes += len;
            BatchTally.Stream counted = null;
            if (tally != null) {
                counted = tally.stream(r.stream());
                counted.records++;
            }
            try {
                e = decoder.decode(buf, off, len, r.stream(), r.offset());
            } catch (DecodeException ex) {
                if (errorPolicy == ErrorPolicy.FAIL) {
                    throw ex;
                }
                arena.dropLast(); // the dead letter keeps the record's own array
                closed = batcher.offerUndecodable(r.stream(), r.offset(), r.bytes(), ex.getMessage());
                if (closed != null) {
                    close(closed, System.nanoTime() - t0);
                }
                return;
            }
            long ts = e.meta().timestampMillis();
            if (ts > newest) {
                newest = ts;
            }
            if (e instanceof RowChange && !target.includes(((RowChange) e).table())) {
                skipped++;
                if (counted != null) {
                    counted.skipped++;
                }
                closed = batcher.skip(r.stream(), r.offset(), e);
                arena.dropLast(); // nothing keeps the event of a skipped record
            } else {
                closed = batcher.offer(r.stream(), r.offset(), e, buf, off, len);
                if (batcher.droppedLast()) {
                    arena.dropLast();
                    if (counted != null) {
                        counted.duplicates++;
                    }
                } else if (counted != null && ts >= 0) {
                    if (ts > counted.newestMillis) {
                        counted.newestMillis = ts;
                    }
                    if (e instanceof RowChange) {
                        tally.table(((RowChange) e).table(), ts);
                    }
                }
            }
            if (closed != null) {
                close(closed, System.nanoTime() - t0);
            }
        }

        private void close(NetBatch b, long extraNanos) {
            long retained = metrics != null ? batcher.closedBytes() : 0;
            pending = work(b, skipped, readNanos + extraNanos, newest, tally, bytes, retained);
            if (metrics != null) {
                metrics.closedBytes.addAndGet(retained);
                metrics.openBytes.set(batcher.retainedBytes());
                tally = new BatchTally();
            }
            skipped = 0;
            readNanos = -extraNanos;
            newest = -1;
            bytes = 0;
            if (batcher.size() > 0) { // the record that closed the batch opened the next one
                openedAt = System.nanoTime();
                waitedNanos = 0;
            }
        }

        /** Reads the checkpoints, restores the watermarks and seeks the source. The applier must be idle. */
        private void load() {
            loadingSince = System.nanoTime();
            Map<String, Checkpoint> cps;
            try {
                cps = target.loadCheckpoints(name);
            } finally {
                loadingSince = 0;
            }
            batcher = new Batcher(Compactor.builder().keyResolver(keyResolver).build(), new Sequencer(Checkpoint.watermarks(cps.values())),
                    limits);
            source.seek(offsets(cps));
        }

        /** Drops every batch not yet applied, after the one being applied has ended. */
        private void reset() {
            applier.drain();
            released(pending);
            pending = null;
            buffer.clear();
            skipped = readNanos = 0;
            newest = -1;
            bytes = 0;
            if (metrics != null) {
                tally = new BatchTally();
            }
            finishing = false;
            if (paused) {
                source.resume();
                paused = false;
            }
        }

        @Override
        public void assigned(Collection<String> streams) {
            log.info("pipeline {}: streams assigned {}", name, streams);
            reset();
            load();
        }

        @Override
        public void revoked(Collection<String> streams) {
            log.info("pipeline {}: streams revoked {}", name, streams);
            // the batch being applied ends before the streams move on; nothing else of them is applied:
            // the open batch goes too, and the streams that stay are sought back to their checkpoints
            reset();
            load();
        }
    }

    /** A closed batch is gone: committed, or dropped to be read again. */
    private void released(Work w) {
        if (metrics != null && w != null) {
            metrics.closedBytes.addAndGet(-w.retained());
        }
    }

    private Work work(NetBatch b, long skipped, long readNanos, long newest, BatchTally tally, long bytes, long retained) {
        if (errorPolicy == ErrorPolicy.FAIL && !b.rejected().isEmpty()) {
            Rejected r = b.rejected().get(0);
            throw new CdcException("record at offset " + b.origins().offset(r.source()) + " of " + b.origins().stream(r.source())
                    + " cannot be applied: " + r.message());
        }
        return new Work(b, skipped, readNanos, newest, tally, bytes, retained);
    }

    private static Map<String, Long> offsets(Map<String, Checkpoint> cps) {
        Map<String, Long> out = new HashMap<>();
        cps.forEach((stream, c) -> out.put(stream, c.offset()));
        return out;
    }

    /** The applier thread: applies batches in order, reports them, and hands committed offsets back. */
    private final class Applier implements Runnable {
        final BlockingQueue<Work> queue = new ArrayBlockingQueue<>(1);
        final ConcurrentLinkedQueue<Map<String, Long>> committed = new ConcurrentLinkedQueue<>();
        private final Thread thread = new Thread(this, "greenwell-" + name + "-applier");
        private final java.util.concurrent.atomic.AtomicInteger outstanding = new java.util.concurrent.atomic.AtomicInteger();
        private volatile boolean finishing;
        private volatile RuntimeException failure;
        volatile boolean fenced;
        /** When the batch being applied was handed to the target ({@link System#nanoTime()}); 0 when none is. */
        volatile long applyingSince;
        private static final int IDLE = 50;

        /** Hands a batch over; false when the slot stayed taken for a while. */
        boolean offer(Work w) throws InterruptedException {
            outstanding.incrementAndGet();
            if (queue.offer(w, 50, TimeUnit.MILLISECONDS)) {
                return true;
            }
            outstanding.decrementAndGet();
            return false;
        }

        /** Drops the queued batch and waits for the one being applied. */
        void drain() {
            java.util.List<Work> dropped = new java.util.ArrayList<>();
            queue.drainTo(dropped);
            outstanding.addAndGet(-dropped.size());
            dropped.forEach(CdcPipeline.this::released);
            awaitIdle();
        }

        /** Waits until every batch handed over has been applied (or the applier failed). */
        void awaitIdle() {
            boolean interrupted = false;
            while (outstanding.get() > 0 && failure == null && thread.isAlive()) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    // the target is not thread-safe: keep waiting for the batch being applied
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        void start() {
            thread.start();
        }

        /** Throws the applier's failure on the reader thread. */
        void check() {
            if (failure != null) {
                throw failure;
            }
            if (thread.getState() == Thread.State.TERMINATED && !finishing) {
                throw new CdcException("the applier thread has stopped");
            }
        }

        /** Applies what is queued, then ends. */
        void finish() throws InterruptedException {
            finishing = true;
            if (thread.isAlive() || thread.getState() != Thread.State.NEW) {
                thread.join();
            }
        }

        void abort() {
            finishing = true;
            queue.clear();
            try {
                if (thread.getState() != Thread.State.NEW) {
                    thread.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Work w = queue.poll(IDLE, TimeUnit.MILLISECONDS);
                    if (w == null) {
                        if (finishing) {
                            return;
                        }
                        continue;
                    }
                    try {
                        if (fenced) {
                            // fenced: nothing more is applied until the reader has read the checkpoints again
                            continue;
                        }
                        apply(w);
                    } catch (FencedException e) {
                        // another instance moved the checkpoint: the reader reads it again and goes on from there
                        log.warn("pipeline {}: {}", name, e.getMessage());
                        java.util.List<Work> dropped = new java.util.ArrayList<>();
                        queue.drainTo(dropped);
                        outstanding.addAndGet(-dropped.size());
                        dropped.forEach(CdcPipeline.this::released);
                        if (metrics != null) {
                            metrics.fenced();
                        }
                        fenced = true;
                    } finally {
                        applyingSince = 0;
                        released(w);
                        outstanding.decrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (!finishing) {
                    failure = new CdcException("the applier thread was interrupted", e);
                }
            } catch (RuntimeException e) {
                failure = e;
            } catch (Error e) {
                failure = new CdcException("the applier thread failed: " + e, e);
                throw e;
            }
        }

        private void apply(Work w) {
            NetBatch b = w.batch();
            long t0 = System.nanoTime();
            applyingSince = t0;
            ApplyResult r = target.apply(b);
            long applyNanos = System.nanoTime() - t0;
            long records = b.stats().events() + w.skipped();
            long dups = b.stats().duplicates();
            long filt = w.skipped() + r.filtered();
            long dead = r.deadLetters();
            long ok = records - dups - filt - dead;
            BatchReport report = new BatchReport(records, ok, dups, filt, dead, r.netChanges(), r.retries(), r.alreadyApplied(),
                    w.readNanos(), r.stageNanos(), r.applyNanos(), r.commitNanos(),
                    w.newestMillis() < 0 ? -1 : Math.max(0, System.currentTimeMillis() - w.newestMillis()));
            events += records;
            applied += ok;
            duplicates += dups;
            filtered += filt;
            deadLetters += dead;
            netChanges += r.netChanges();
            batches++;
            committed.add(b.lastOffsets());
            if (metrics != null) {
                metrics.committed(w.tally(), w.bytes(), w.readNanos(), r, applyNanos);
            }
            try {
                listener.batchApplied(report);
            } catch (RuntimeException e) {
                log.warn("the pipeline listener failed", e);
            }
        }
    }

    /** Builds a {@link CdcPipeline}. Source and target are required. Not thread-safe. */
    public static final class Builder {
        private String name = "default";
        private ChangeSource source;
        private RecordDecoder decoder = MaxwellDecoder.create();
        private ChangeTarget target;
        private BatchLimits limits = BatchLimits.DEFAULT;
        private Duration maxDelay = Duration.ofSeconds(1);
        private Duration caughtUpDelay = Duration.ofMillis(400);
        private ErrorPolicy errorPolicy = ErrorPolicy.DEAD_LETTER;
        private PipelineListener listener = PipelineListener.NONE;
        private KeyResolver keyResolver;
        private MeterRegistry registry;
        private Duration healthThreshold = Duration.ofSeconds(30);

        private Builder() {}

        /**
         * @param name the pipeline's name, under which the target keeps its checkpoints; default {@code default}
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * @param source where records come from, never null
         * @return this builder
         */
        public Builder source(ChangeSource source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * @param decoder turns records into events; default a {@link MaxwellDecoder} without secret key
         * @return this builder
         */
        public Builder decoder(RecordDecoder decoder) {
            this.decoder = Objects.requireNonNull(decoder, "decoder");
            return this;
        }

        /**
         * @param target where batches go, never null
         * @return this builder
         */
        public Builder target(ChangeTarget target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * @param limits when a batch closes (at the next transaction boundary); default {@link BatchLimits#DEFAULT}
         * @return this builder
         */
        public Builder batchLimits(BatchLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * @param maxDelay the longest a record waits in an open batch before the batch is applied; default 1 s
         * @return this builder
         */
        public Builder maxDelay(Duration maxDelay) {
            if (maxDelay.isNegative()) {
                throw new IllegalArgumentException("negative delay: " + maxDelay);
            }
            this.maxDelay = maxDelay;
            return this;
        }

        /**
         * @param caughtUpDelay the longest a record waits in an open batch while the source is caught up (the reader waited
         *     on it for three quarters of the batch's age), at most {@link #maxDelay}; default 400 ms. A backlog keeps
         *     batches open to {@code maxDelay} or their limits; a steady rate closes them at this delay.
         * @return this builder
         */
        public Builder caughtUpDelay(Duration caughtUpDelay) {
            if (caughtUpDelay.isNegative()) {
                throw new IllegalArgumentException("negative delay: " + caughtUpDelay);
            }
            this.caughtUpDelay = caughtUpDelay;
            return this;
        }

        /**
         * @param policy what to do with records that cannot be used; default {@link ErrorPolicy#DEAD_LETTER}
         * @return this builder
         */
        public Builder errorPolicy(ErrorPolicy policy) {
            this.errorPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param listener told of every applied batch; default none
         * @return this builder
         */
        public Builder listener(PipelineListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param resolver the keys and columns of tables the stream does not describe; default
         *     the target's ({@link ChangeTarget#keyResolver()})
         * @return this builder
         */
        public Builder keyResolver(KeyResolver resolver) {
            this.keyResolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * @param registry where the pipeline's meters go (and the source's and target's, when they
         *     are {@link io.greenwell.cdc.spi.Instrumented}), never null; default none, and then
         *     Micrometer need not be on the class path
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * @param threshold how long a batch may take to commit before {@link CdcPipeline#health()}
         *     reports the pipeline down; default 30 s (a target retrying with its default backoff
         *     gives up after about that long)
         * @return this builder
         */
        public Builder healthThreshold(Duration threshold) {
            if (threshold.isNegative() || threshold.isZero()) {
                throw new IllegalArgumentException("the health threshold must be positive: " + threshold);
            }
            this.healthThreshold = threshold;
            return this;
        }

        /**
         * @return the pipeline
         * @throws CdcException when the source or the target is missing
         */
        public CdcPipeline build() {
            StringBuilder problems = new StringBuilder();
            if (source == null) {
                problems.append(" a source is required;");
            }
            if (target == null) {
                problems.append(" a target is required;");
            }
            if (problems.length() > 0) {
                throw new CdcException("cannot build the pipeline:" + problems);
            }
            return new CdcPipeline(this);
        }
    }
}
