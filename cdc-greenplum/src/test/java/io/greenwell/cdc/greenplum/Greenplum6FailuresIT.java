package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.source.FileSource;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a Greenplum cluster can do to a running pipeline: a segment's postmaster killed with
 * SIGKILL (without mirrors, the cluster cannot write until it is back), and the coordinator and
 * all its processes killed, while batches commit asynchronously through Greenplum's two-phase
 * distributed commit. The pipeline retries through the outage, names the cause, and ends with
 * tables equal to the one-by-one replay's: nothing lost, nothing doubled (the keyless table would
 * show a double).
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
        Assumptions.assumeTrue(ctl() != null, "SKIPPED: set GREENWELL_TEST_GREENPLUM_CTL to a command whose 'start' starts the"
                + " cluster's stopped instances, to kill and restart them");
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
        ridesThrough(dir, 91, "content = 0", false);
    }

    @Test
    void aRunningPipelineRidesThroughAKilledCoordinator(@TempDir Path dir) throws Exception {
        ridesThrough(dir, 92, "content = -1", true);
    }

    /**
     * Replays a generated stream with a pipeline whose 60th commit kills an instance; the instance
     * is started again two seconds later, and the run must end with the reference state.
     *
     * @param which the instance, as a condition on {@code gp_segment_configuration}
     * @param everyProcess whether to kill the instance's every process (a coordinator's crash) or
     *     only its postmaster (a segment's, whose backends then exit)
     */
    private void ridesThrough(Path dir, long seed, String which, boolean everyProcess) throws Exception {
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
        List<Long> retried = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (FileSource source = FileSource.of(input);
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).retries(60)
                        .retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(2)).hook(p -> {
                            if (p == BatchTransaction.Phase.AFTER_COMMIT && commits.incrementAndGet() == 60) {
                                ServerCrashIT.kill(Path.of(datadir), everyProcess);
                                killed.countDown();
                            }
                        }).build()) {
            CdcPipeline pipeline = CdcPipeline.builder().name("p").source(source).target(target)
                    .batchLimits(new BatchLimits(40, 64L << 20, true))
                    .listener(r -> retried.add(r.retries())).build();
            pipeline.start();
            assertThat(killed.await(3, TimeUnit.MINUTES)).as("the instance was killed mid-run").isTrue();
            Thread.sleep(2000);
            startCluster();
            RunSummary summary = pipeline.await(Duration.ofMinutes(4));
            assertThat(summary).as("the run ended").isNotNull();
            assertThat(commits.get()).as("batches committed after the restart").isGreaterThan(60);
            assertThat(retried.stream().mapToLong(Long::longValue).sum()).as("attempts retried through the outage").isPositive();
        }
        try (Connection c = db.connect()) {
            assertThat(ApplySemanticsIT.sorted(ApplySemanticsIT.rows(c, "keyed", ApplySemanticsIT.KEYED_COLS)))
                    .as("keyed table").isEqualTo(ApplySemanticsIT.sorted(model.keyedRows()));
            assertThat(ApplySemanticsIT.sorted(ApplySemanticsIT.rows(c, "bag", ApplySemanticsIT.BAG_COLS)))
                    .as("keyless table").isEqualTo(ApplySemanticsIT.sorted(model.bag));
        }
    }

    private static void startCluster() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(ctl(), "start").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("the cluster started in time").isTrue();
        assertThat(p.exitValue()).as(ctl() + " start").isZero();
    }
}
