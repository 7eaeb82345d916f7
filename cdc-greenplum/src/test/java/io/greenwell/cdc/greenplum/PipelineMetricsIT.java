package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.Health;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.source.FileSource;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's and the target's meters against a run whose counts are known from its input, and
 * the health check while the database cannot be reached and after.
 */
class PipelineMetricsIT {

    private static final String MUSIC = "/testdata/maxwell/music.maxwell.jsonl";
    private static final String TYPES = "/testdata/maxwell/types.maxwell.jsonl";
    /** The newest {@code ts} of the music records, in milliseconds. */
    private static final long MUSIC_NEWEST = 1_795_461_549_000L;

    private static TestDatabase db;

    @BeforeAll
    static void create() throws SQLException {
        db = TestDatabase.create("metrics");
    }

    @AfterAll
    static void close() throws SQLException {
        db.close();
    }

    /** A target through the relay that retries for as long as a test needs. */
    private static GreenplumTarget patientTarget(TcpProxy proxy) {
        return GreenplumTarget.builder().jdbcUrl(proxy.url(db.url())).retries(1_000).retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .build();
    }

    /** Waits until the health is down, and checks its reason; brings the relay up, and checks the run ends well. */
    private static void downThenUp(CdcPipeline p, TcpProxy proxy, String... reasons) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.health().up() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Health down = p.health();
        assertThat(down.up()).as("down while the database cannot be reached").isFalse();
        assertThat(java.util.Arrays.stream(reasons).anyMatch(down.reason()::startsWith))
                .as("the reason \"%s\" starts with one of %s", down.reason(), List.of(reasons)).isTrue();
        proxy.up();
        assertThat(p.await(Duration.ofSeconds(60))).as("the run ends once the database is back").isNotNull();
        assertThat(p.health()).isEqualTo(new Health(true, "finished"));
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
        }
    }

    private static double events(MeterRegistry r, String stream, String outcome) {
        return r.get("greenwell.events").tag("pipeline", "m").tag("stream", stream).tag("outcome", outcome).counter().count();
    }

    @Test
    void theMetersCountWhatTheInputHolds(@TempDir Path dir) throws Exception {
        // music (49 records, applied), types (112, of tables the mapping excludes), one record
        // that is not JSON (a dead letter), music again (49 replays, below the watermark)
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(Scenarios.resource(MUSIC));
        all.write(Scenarios.resource(TYPES));
        all.write("this is not a Maxwell record\n".getBytes(StandardCharsets.UTF_8));
        all.write(Scenarios.resource(MUSIC));
        Path input = dir.resolve("in.jsonl");
        Files.write(input, all.toByteArray());
        String stream = input.toAbsolutePath().normalize().toString();
        db.dropSchemas("music", "types", "greenwell");

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicLong held = new AtomicLong();
        RunSummary s;
        CdcPipeline p;
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url())
                .schemaMapping(SchemaMapping.builder().exclude("types.*").build()).build();
                FileSource source = FileSource.of(input)) {
            p = CdcPipeline.builder().name("m").source(source).target(target).batchLimits(new BatchLimits(20, 64L << 20, true))
                    .meterRegistry(registry).listener(r -> held.accumulateAndGet((long) registry.get("greenwell.pending.bytes").gauge().value(), Math::max)).build();
            s = p.run();
            assertThat(registry.get("greenwell.dead.letters.stored").tag("pipeline", "m").gauge().value())
                    .as("the pipeline's rows in dead_letter").isEqualTo(1.0);
        }
        assertThat(s.events()).isEqualTo(49 + 112 + 1 + 49);
        // the mapping filters tables: the types database's CREATE DATABASE applies (its schema is made)
        assertThat(events(registry, stream, "applied")).as("applied").isEqualTo(49 + 1).isEqualTo(s.applied());
        assertThat(events(registry, stream, "filtered")).as("filtered").isEqualTo(112 - 1).isEqualTo(s.filtered());
        assertThat(events(registry, stream, "dead_letter")).as("dead letters").isEqualTo(1).isEqualTo(s.deadLetters());
        assertThat(events(registry, stream, "duplicate")).as("replays").isEqualTo(49).isEqualTo(s.duplicates());
        assertThat(registry.get("greenwell.batches").counter().count()).isEqualTo(s.batches()).isGreaterThan(5);
        assertThat(registry.get("greenwell.net.changes").counter().count()).isEqualTo(s.netChanges());
        DistributionSummary batchEvents = registry.get("greenwell.batch.events").summary();
        assertThat(batchEvents.count()).isEqualTo(s.batches());
        assertThat(batchEvents.totalAmount()).isEqualTo(s.events());
        assertThat(registry.get("greenwell.batch.bytes").summary().totalAmount()).as("the records, without their line ends")
                .isEqualTo(Files.size(input) - s.events());
        for (String phase : List.of("read", "copy", "statements", "commit")) {
            Timer t = registry.get("greenwell.phase").tag("phase", phase).timer();
            assertThat(t.count()).as(phase).isEqualTo(s.batches());
            assertThat(t.totalTime(TimeUnit.NANOSECONDS)).as(phase).isPositive();
        }
        assertThat(registry.get("greenwell.batch.duration").timer().count()).isEqualTo(s.batches());
        long lagMillis = System.currentTimeMillis() - MUSIC_NEWEST;
        TimeGauge lag = registry.get("greenwell.lag").tag("stream", stream).timeGauge();
        assertThat(lag.value(TimeUnit.MILLISECONDS)).as("now minus the last applied event's time").isCloseTo(lagMillis, within(60_000.0));
        TimeGauge tableLag = registry.get("greenwell.table.lag").tag("table", "music.album").timeGauge();
        assertThat(tableLag.value(TimeUnit.MILLISECONDS)).isCloseTo(lagMillis, within(60_000.0));
        assertThat(registry.find("greenwell.table.lag").tag("table", "types.t").gauges()).as("excluded tables have no lag").isEmpty();
        assertThat(registry.get("greenwell.retries").counter().count()).isZero();
        assertThat(registry.get("greenwell.fences").counter().count()).isZero();
        assertThat(registry.get("greenwell.sessions.lost").functionCounter().count()).isZero();
        assertThat(registry.get("greenwell.stream.lock.waits").functionCounter().count()).isZero();
        assertThat(registry.get("greenwell.maintenance.failures").functionCounter().count()).isZero();
        assertThat(held.get()).as("bytes held by the closed batches read ahead, seen after a commit").isPositive()
                .isLessThan(Files.size(input));
        Gauge open = registry.get("greenwell.pending.bytes").gauge();
        assertThat(open.value()).as("nothing held once every batch committed").isZero();
        assertThat(registry.get("greenwell.open.bytes").gauge().value()).isZero();
        assertThat(p.health()).isEqualTo(new Health(true, "finished"));
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
        }
    }

    @Test
    void theCompactionRatioIsTheBatchsRecordsPerNetChange(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("music.jsonl");
        Files.write(input, Scenarios.resource(MUSIC));
        db.dropSchemas("music", "greenwell");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RunSummary s;
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build(); FileSource source = FileSource.of(input)) {
            s = CdcPipeline.builder().name("one").source(source).target(target).batchLimits(new BatchLimits(1_000, 64L << 20, true))
                    .meterRegistry(registry).build().run();
        }
        assertThat(s.batches()).as("the stream in one batch").isEqualTo(1);
        DistributionSummary compaction = registry.get("greenwell.batch.compaction").summary();
        assertThat(compaction.count()).isEqualTo(1);
        assertThat(compaction.totalAmount()).as("records in per net change out").isEqualTo((double) s.applied() / s.netChanges())
                .isGreaterThan(1.0);
    }

    @Test
    void theHealthIsDownWhileTheDatabaseCannotBeReachedAndUpAfter(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("music.jsonl");
        Files.write(input, Scenarios.resource(MUSIC));
        db.dropSchemas("music", "greenwell");
        AtomicInteger batches = new AtomicInteger();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TcpProxy proxy = TcpProxy.to(db.url()); GreenplumTarget target = patientTarget(proxy); FileSource source = FileSource.of(input)) {
            CdcPipeline p = CdcPipeline.builder().name("h").source(source).target(target).batchLimits(new BatchLimits(5, 64L << 20, true))
                    .healthThreshold(Duration.ofMillis(500)).meterRegistry(registry)
                    .listener(r -> {
                        if (batches.incrementAndGet() == 2) {
                            proxy.down();
                        }
                    }).build();
            p.start();
            // where the cut lands decides which wait reports it: a batch being applied, or (once seen
            // on Greenplum, after the applier was fenced) the checkpoints being read again
            downThenUp(p, proxy, "a batch has not committed for", "the checkpoints have not been read for");
        }
        assertThat(registry.get("greenwell.sessions.lost").functionCounter().count()).as("the session the proxy cut").isPositive();
        assertThat(registry.get("greenwell.retries").counter().count()).isPositive();
    }

    @Test
    void theHealthIsDownWhileTheCheckpointsCannotBeRead(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("music.jsonl");
        Files.write(input, Scenarios.resource(MUSIC));
        db.dropSchemas("music", "greenwell");
        try (TcpProxy proxy = TcpProxy.to(db.url()); GreenplumTarget target = patientTarget(proxy); FileSource source = FileSource.of(input)) {
            proxy.down();
            CdcPipeline p = CdcPipeline.builder().name("c").source(source).target(target).healthThreshold(Duration.ofMillis(500)).build();
            p.start();
            downThenUp(p, proxy, "the checkpoints have not been read for");
        }
    }
}
