package io.greenwell.cdc.pipeline;

import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.spi.ApplyResult;
import io.greenwell.cdc.spi.Instrumented;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pipeline's meters (the README lists them with their units and tags). Only this class and
 * {@link Instrumented} refer to Micrometer, which is optional: the pipeline loads this class only
 * when it was given a registry. Updated on the applier thread once per committed batch; the
 * gauges are read on whatever thread scrapes the registry.
 */
final class PipelineMetrics {

    private final MeterRegistry registry;
    private final Tags tags;
    private final Map<String, Counter[]> outcomes = new ConcurrentHashMap<>();
    /** The MySQL commit time of the last applied event, per stream and per table. */
    private final Map<String, AtomicLong> streamTimes = new ConcurrentHashMap<>();
    private final Map<TableId, AtomicLong> tableTimes = new ConcurrentHashMap<>();
    private final Counter netChanges;
    private final Counter batches;
    private final Counter retries;
    private final Counter fences;
    private final DistributionSummary batchEvents;
    private final DistributionSummary batchBytes;
    private final DistributionSummary compaction;
    private final Timer read;
    private final Timer copy;
    private final Timer statements;
    private final Timer commit;
    private final Timer batch;
    /** The bytes the open batch keeps, and those of the closed batches not yet committed. */
    final AtomicLong openBytes = new AtomicLong();
    final AtomicLong closedBytes = new AtomicLong();

    PipelineMetrics(MeterRegistry registry, String pipeline) {
        this.registry = registry;
        this.tags = Tags.of("pipeline", pipeline);
        netChanges = Counter.builder("greenwell.net.changes").description("net changes written").tags(tags).register(registry);
        batches = Counter.builder("greenwell.batches").description("batches committed").tags(tags).register(registry);
        retries = Counter.builder("greenwell.retries").description("attempts of batches tried again after transient failures")
                .tags(tags).register(registry);
        fences = Counter.builder("greenwell.fences")
                .description("times a checkpoint moved under the pipeline (another instance) and the checkpoints were read again")
                .tags(tags).register(registry);
        batchEvents = DistributionSummary.builder("greenwell.batch.events").description("records per batch").baseUnit("events")
                .tags(tags).register(registry);
        batchBytes = DistributionSummary.builder("greenwell.batch.bytes").description("bytes of the records of a batch")
                .baseUnit("bytes").tags(tags).register(registry);
        compaction = DistributionSummary.builder("greenwell.batch.compaction")
                .description("records in per net change out, per batch").tags(tags).register(registry);
        read = phase("read", "reading, decoding and compacting a batch (overlaps the apply of the one before)");
        copy = phase("copy", "streaming a batch's rows into staging (COPY)");
        statements = phase("statements", "a batch's set-based statements and DDL");
        commit = phase("commit", "writing a batch's checkpoints and committing");
        batch = Timer.builder("greenwell.batch.duration").description("applying a batch, from the call to the commit, retries included")
                .tags(tags).register(registry);
        Gauge.builder("greenwell.open.bytes", openBytes, AtomicLong::get).description("bytes the open batch holds").baseUnit("bytes")
                .tags(tags).register(registry);
        Gauge.builder("greenwell.pending.bytes", closedBytes, AtomicLong::get)
                .description("bytes the closed batches hold until they commit").baseUnit("bytes").tags(tags).register(registry);
    }

    private Timer phase(String phase, String description) {
        return Timer.builder("greenwell.phase").description(description).tags(tags).tag("phase", phase).register(registry);
    }

    /** Lets the source and the target register their own meters. */
    void bind(Object component) {
        if (component instanceof Instrumented) {
            ((Instrumented) component).bindMetrics(registry, tags);
        }
    }

    void fenced() {
        fences.increment();
    }

    /**
     * A batch committed.
     *
     * @param tally what the reader counted of it
     * @param r what the target did
     * @param applyNanos the wall time of the target's apply
     */
    void committed(BatchTally tally, long bytes, long readNanos, ApplyResult r, long applyNanos) {
        long records = 0;
        long duplicates = 0;
        long filtered = 0;
        for (Map.Entry<String, BatchTally.Stream> e : tally.streams.entrySet()) {
            String stream = e.getKey();
            BatchTally.Stream s = e.getValue();
            long targetFiltered = r.filteredByStream().getOrDefault(stream, 0L);
            long dead = r.deadLettersByStream().getOrDefault(stream, 0L);
            Counter[] c = outcomes(stream);
            c[0].increment(Math.max(0, s.records - s.duplicates - s.skipped - targetFiltered - dead));
            c[1].increment(s.duplicates);
            c[2].increment(s.skipped + targetFiltered);
            c[3].increment(dead);
            records += s.records;
            duplicates += s.duplicates;
            filtered += s.skipped + targetFiltered;
            if (s.newestMillis >= 0) {
                streamTime(stream).accumulateAndGet(s.newestMillis, Math::max);
            }
        }
        for (Map.Entry<TableId, long[]> e : tally.tables.entrySet()) {
            if (e.getValue()[0] >= 0) {
                tableTime(e.getKey()).accumulateAndGet(e.getValue()[0], Math::max);
            }
        }
        netChanges.increment(r.netChanges());
        batches.increment();
        retries.increment(r.retries());
        batchEvents.record(records);
        batchBytes.record(bytes);
        if (r.netChanges() > 0) {
            compaction.record((double) (records - duplicates - filtered - r.deadLetters()) / r.netChanges());
        }
        read.record(readNanos, TimeUnit.NANOSECONDS);
        copy.record(r.stageNanos(), TimeUnit.NANOSECONDS);
        statements.record(r.applyNanos(), TimeUnit.NANOSECONDS);
        commit.record(r.commitNanos(), TimeUnit.NANOSECONDS);
        batch.record(applyNanos, TimeUnit.NANOSECONDS);
    }

    /** The counters of a stream's outcomes: applied, duplicate, filtered, dead letter. */
    private Counter[] outcomes(String stream) {
        return outcomes.computeIfAbsent(stream, s -> new Counter[] {outcome(s, "applied"), outcome(s, "duplicate"),
            outcome(s, "filtered"), outcome(s, "dead_letter")});
    }

    private Counter outcome(String stream, String outcome) {
        return Counter.builder("greenwell.events").description("records by what became of them").tags(tags).tag("stream", stream)
                .tag("outcome", outcome).register(registry);
    }

    private AtomicLong streamTime(String stream) {
        return streamTimes.computeIfAbsent(stream, s -> lag("greenwell.lag", new AtomicLong(-1),
                "now minus the MySQL commit time of the stream's last applied event", Tags.of("stream", s)));
    }

    private AtomicLong tableTime(TableId table) {
        return tableTimes.computeIfAbsent(table, t -> lag("greenwell.table.lag", new AtomicLong(-1),
                "now minus the MySQL commit time of the table's last applied event", Tags.of("table", t.toString())));
    }

    private AtomicLong lag(String name, AtomicLong time, String description, Tags more) {
        TimeGauge.builder(name, time, TimeUnit.MILLISECONDS, t -> t.get() < 0 ? Double.NaN : System.currentTimeMillis() - t.get())
                .description(description).tags(tags).tags(more).register(registry);
        return time;
    }
}
