package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.pipeline.BatchReport;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.source.FileSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a Greenplum cluster can do to a running pipeline: a segment's postmaster killed with
 * SIGKILL (without mirrors, the cluster cannot write until it is back), and the coordinator and
 * all its processes killed, while batches commit asynchronously through Greenplum's two-phase
 * distributed commit. The pipeline retries through the outage and ends with tables equal to the
 * one-by-one replay's: nothing lost, nothing doubled (the keyless table would show a double). The
 * failures its retries saw, as the target logs them ({@link CapturedLog}), must name the cause,
 * and the coordinator's kill must have lost the batch in flight, which is applied again.
 *
 * <p>The instances are killed by their {@code postmaster.pid} (so the cluster must run on this
 * machine) and started again by {@code GREENWELL_TEST_GREENPLUM_CTL start}, a command that starts
 * whichever instance of the cluster is not running (the {@code gp6} script, for example).
 */
@OnServer(TestDatabase.ServerKind.GREENPLUM_6)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class Greenplum6FailuresIT {

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        if (ctl() == null) {
            NotRun.abort(NotRun.class, "set GREENWELL_TEST_GREENPLUM_CTL to a command whose 'start' starts the cluster's stopped"
                    + " instances, to kill and restart them");
        }
        db = TestDatabase.create("gpfail");
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        if (db != null) {
            startCluster();
            db.close();
        }
    }

    private static String ctl() {
        String c = System.getenv("GREENWELL_TEST_GREENPLUM_CTL");
        return c == null || c.isBlank() ? null : c;
    }

    @Test
    void aRunningPipelineRidesThroughAKilledSegment(@TempDir Path dir) throws Exception {
        try (CapturedLog log = new CapturedLog()) {
            ridesThrough(dir, 91, "content = 0", false, log);
        }
    }

    @Test
    void aRunningPipelineRidesThroughAKilledCoordinator(@TempDir Path dir) throws Exception {
        try (CapturedLog log = new CapturedLog()) {
            ridesThrough(dir, 92, "content = -1", true, log);
        }
    }

    /**
     * Replays a generated stream with a pipeline that kills an instance after 60 commits: a
     * segment right after the 60th, the coordinator while the 61st batch is about to commit (its
     * checkpoint written, the COMMIT not yet sent); the instance is started again two seconds
     * later, and the run must end with the reference state, after retries whose failures name the
     * cause: a lost connection (SQLSTATE class 08) or a segment that does not answer (58M01), each
     * of which ends the session, so that the target opens a new one.
     *
     * <p>The coordinator's kill holds the pipeline until the cluster is back and the checkpoint the
     * coordinator recovered is read. That must be the 60th batch's, acknowledged before the kill:
     * not the 61st's (that batch was lost with the coordinator), and not an older one either, or
     * else the pipeline must have been fenced by it and read the lost batches again (asynchronous
     * commits lost in the crash, as on PostgreSQL). The 61st batch, whose commit was in doubt,
     * must then be applied again on the new session rather than taken for committed.
     *
     * @param which the instance, as a condition on {@code gp_segment_configuration}
     * @param coordinator whether the coordinator is killed, with its every process (a crash of its
     *     host), or a segment, only its postmaster (whose backends then exit)
     */
    private void ridesThrough(Path dir, long seed, String which, boolean coordinator, CapturedLog log) throws Exception {
        db.dropSchemas(ApplySemanticsIT.DB, "greenwell");
        ApplySemanticsIT.Model model = new ApplySemanticsIT.Model();
        MaxwellStream stream = ApplySemanticsIT.generate(new Random(seed), model, 6_000);
        Path input = dir.resolve("stream.jsonl");
        try (java.io.OutputStream out = Files.newOutputStream(input)) {
            for (Scenarios.Record r : stream.records()) {
                out.write(r.bytes());
                out.write('\n');
            }
        }
        String datadir = db.rows("SELECT datadir FROM gp_segment_configuration WHERE role = 'p' AND " + which).get(0);
        AtomicInteger commits = new AtomicInteger();
        CountDownLatch killed = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        AtomicLong acknowledged = new AtomicLong(-1);
        AtomicInteger reportsBefore = new AtomicInteger();
        AtomicBoolean fired = new AtomicBoolean();
        List<BatchReport> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (FileSource source = FileSource.of(input);
                // a statement whose segment died can wait for it for ever (a motion's receiver): the
                // driver's socketTimeout drops such a session, and the batch is retried on a new one
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url() + (db.url().contains("?") ? "&" : "?")
                        + "socketTimeout=30").retries(60)
                        .retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(2)).hook(p -> {
                            if (p == BatchTransaction.Phase.AFTER_COMMIT) {
                                commits.incrementAndGet();
                            }
                            if (commits.get() == 60 && p == (coordinator ? BatchTransaction.Phase.BEFORE_COMMIT
                                    : BatchTransaction.Phase.AFTER_COMMIT) && fired.compareAndSet(false, true)) {
                                if (coordinator) {
                                    acknowledged.set(checkpoint());
                                    reportsBefore.set(reports.size());
                                }
                                ServerCrashIT.kill(Path.of(datadir), coordinator);
                                killed.countDown();
                                if (coordinator) {
                                    await(resume);
                                }
                            }
                        }).build()) {
            CdcPipeline pipeline = CdcPipeline.builder().name("p").source(source).target(target)
                    .batchLimits(new BatchLimits(40, 64L << 20, true)).meterRegistry(registry)
                    .listener(reports::add).build();
            pipeline.start();
            long recovered = -1;
            try {
                assertThat(killed.await(3, TimeUnit.MINUTES)).as("the instance was killed mid-run").isTrue();
                Thread.sleep(2000);
                startCluster();
                if (coordinator) {
                    recovered = checkpoint();
                }
            } finally {
                resume.countDown();
            }
            RunSummary summary = pipeline.await(Duration.ofMinutes(4));
            assertThat(summary).as("the run ended").isNotNull();
            assertThat(commits.get()).as("batches committed after the restart").isGreaterThan(60);
            assertThat(reports.stream().mapToLong(BatchReport::retries).sum()).as("attempts retried through the outage").isPositive();
            List<CapturedLog.Retry> causes = log.retries();
            System.out.println("failures retried: " + causes);
            assertThat(causes).as("the failures the retries saw").isNotEmpty()
                    .anySatisfy(f -> assertThat(ApplyException.isSessionLost(f.sqlState()))
                            .as("SQLSTATE %s (%s) names a lost connection or a segment that does not answer", f.sqlState(), f.message())
                            .isTrue());
            assertThat(registry.get("greenwell.sessions.lost").functionCounter().count()).as("sessions lost and replaced").isPositive();
            if (coordinator) {
                assertThat(causes).as("the coordinator's kill is seen as a lost connection")
                        .anySatisfy(f -> assertThat(f.sqlState()).startsWith("08"));
            }
            if (coordinator) {
                double fences = registry.get("greenwell.fences").counter().count();
                BatchReport inDoubt = reports.get(reportsBefore.get());
                System.out.printf("coordinator crash: checkpoint acknowledged at offset %d, recovered at %d, fences %.0f;"
                        + " the batch in flight: %s%n", acknowledged.get(), recovered, fences, inDoubt);
                assertThat(recovered).as("the checkpoint the restarted coordinator recovered").isPositive()
                        .isLessThanOrEqualTo(acknowledged.get());
                if (recovered < acknowledged.get()) {
                    assertThat(fences).as("the lost batches fenced the pipeline, which read them again").isPositive();
                    assertThat(log.lines()).as("the pipeline said why it read the checkpoints again")
                            .anyMatch(l -> l.contains("a server that lost its last commits"));
                } else {
                    assertThat(inDoubt.retries()).as("the batch in flight at the kill was tried again").isPositive();
                    assertThat(inDoubt.alreadyApplied()).as("the batch in flight at the kill was lost, so it was applied again")
                            .isFalse();
                    assertThat(inDoubt.applied()).as("events of the batch applied again").isPositive();
                }
            }
        }
        try (Connection c = db.connect()) {
            assertThat(ApplySemanticsIT.sorted(ApplySemanticsIT.rows(c, "keyed", ApplySemanticsIT.KEYED_COLS)))
                    .as("keyed table").isEqualTo(ApplySemanticsIT.sorted(model.keyedRows()));
            assertThat(ApplySemanticsIT.sorted(ApplySemanticsIT.rows(c, "bag", ApplySemanticsIT.BAG_COLS)))
                    .as("keyless table").isEqualTo(ApplySemanticsIT.sorted(model.bag));
        }
    }

    /** @return the offset of the pipeline's checkpoint, read on a connection of its own */
    private static long checkpoint() throws SQLException {
        List<String> rows = db.rows("SELECT \"offset\" FROM greenwell.checkpoint WHERE pipeline = 'p'");
        assertThat(rows).as("the pipeline's one stream has a checkpoint").hasSize(1);
        return Long.parseLong(rows.get(0));
    }

    private static void await(CountDownLatch latch) throws SQLException {
        try {
            if (!latch.await(3, TimeUnit.MINUTES)) {
                throw new SQLException("the test did not let the pipeline go on");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        }
    }

    private static void startCluster() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(ctl(), "start").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("the cluster started in time").isTrue();
        assertThat(p.exitValue()).as(ctl() + " start").isZero();
    }
}
