package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.source.FileSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database server itself killed (SIGKILL of every PostgreSQL process) while batches commit
 * asynchronously, the default: the server recovers without its last commits, each batch lost
 * together with its checkpoint, and the next run applies them again, so that the tables end equal
 * to the one-by-one replay's. Always on an embedded server of its own, which it may kill.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServerCrashIT {

    @Test
    void aKilledServerLosesOnlyWholeBatchesWithTheirCheckpoints(@TempDir Path dir) throws Exception {
        ApplySemanticsIT.Model model = new ApplySemanticsIT.Model();
        MaxwellStream stream = ApplySemanticsIT.generate(new Random(77), model, 20_000);
        Path data = dir.resolve("data");
        EmbeddedPostgres pg = start(data, 0);
        int port = pg.getPort();
        String url = pg.getJdbcUrl("postgres", "postgres");
        AtomicInteger commits = new AtomicInteger();
        long acknowledged;
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(url).retries(0).hook(p -> {
            if (p == BatchTransaction.Phase.AFTER_COMMIT && commits.incrementAndGet() == 150) {
                kill(data);
            }
        }).build()) {
            assertThatThrownBy(() -> Scenarios.replay(target, "p", "s", stream.records(), 40)).isInstanceOf(CdcException.class);
            acknowledged = commits.get();
        }
        assertThat(acknowledged).as("batches committed before the kill").isGreaterThanOrEqualTo(150);
        try {
            pg.close(); // its server is dead already: this only lets go of the data directory
        } catch (IOException e) {
            // pg_ctl stop finds no server
        }

        EmbeddedPostgres again = start(data, port);
        try {
            long recovered;
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT \"offset\" FROM greenwell.checkpoint WHERE pipeline = 'p'")) {
                assertThat(rs.next()).as("the first checkpoint is durable").isTrue();
                recovered = rs.getLong(1);
            }
            try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(url).build()) {
                Scenarios.replay(target, "p", "s", stream.records(), 40);
            }
            try (Connection c = DriverManager.getConnection(url)) {
                assertThat(ApplySemanticsIT.sorted(ApplySemanticsIT.rows(c, "keyed", ApplySemanticsIT.KEYED_COLS)))
                        .as("keyed table").isEqualTo(ApplySemanticsIT.sorted(model.keyedRows()));
                assertThat(ApplySemanticsIT.sorted(ApplySemanticsIT.rows(c, "bag", ApplySemanticsIT.BAG_COLS)))
                        .as("keyless table").isEqualTo(ApplySemanticsIT.sorted(model.bag));
            }
            System.out.printf("server crash: %d batches acknowledged, checkpoint recovered at offset %d%n", acknowledged, recovered);
        } finally {
            again.close();
        }
    }

    /**
     * The same crash under a running pipeline, which rides through it: its retries wait for the
     * restarted server, find the checkpoint older than the batches it saw committed (the server
     * lost them), read the checkpoints again, go back in the file and apply those batches again.
     */
    @Test
    void aRunningPipelineRidesThroughAServerCrashAndRestart(@TempDir Path dir) throws Exception {
        ApplySemanticsIT.Model model = new ApplySemanticsIT.Model();
        MaxwellStream stream = ApplySemanticsIT.generate(new Random(78), model, 20_000);
        Path input = dir.resolve("stream.jsonl");
        try (java.io.OutputStream out = Files.newOutputStream(input)) {
            for (Scenarios.Record r : stream.records()) {
                out.write(r.bytes());
                out.write('\n');
            }
        }
        Path data = dir.resolve("data");
        EmbeddedPostgres pg = start(data, 0);
        int port = pg.getPort();
        String url = pg.getJdbcUrl("postgres", "postgres");
        AtomicInteger commits = new AtomicInteger();
        java.util.concurrent.CountDownLatch killed = new java.util.concurrent.CountDownLatch(1);
        EmbeddedPostgres again = null;
        try (FileSource source = FileSource.of(input);
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(url).retries(60)
                        .retryBackoff(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1)).hook(p -> {
                            if (p == BatchTransaction.Phase.AFTER_COMMIT && commits.incrementAndGet() == 100) {
                                kill(data);
                                killed.countDown();
                            }
                        }).build()) {
            CdcPipeline pipeline = CdcPipeline.builder().name("p").source(source).target(target)
                    .batchLimits(new BatchLimits(40, 64L << 20, true)).build();
            pipeline.start();
            assertThat(killed.await(2, TimeUnit.MINUTES)).as("the server was killed mid-run").isTrue();
            try {
                pg.close();
            } catch (IOException e) {
                // pg_ctl stop finds no server
            }
            again = start(data, port);
            RunSummary summary = pipeline.await(java.time.Duration.ofMinutes(2));
            assertThat(summary).as("the run ended").isNotNull();
            assertThat(commits.get()).as("batches committed after the restart").isGreaterThan(100);
            try (Connection c = DriverManager.getConnection(url)) {
                assertThat(ApplySemanticsIT.sorted(ApplySemanticsIT.rows(c, "keyed", ApplySemanticsIT.KEYED_COLS)))
                        .as("keyed table").isEqualTo(ApplySemanticsIT.sorted(model.keyedRows()));
                assertThat(ApplySemanticsIT.sorted(ApplySemanticsIT.rows(c, "bag", ApplySemanticsIT.BAG_COLS)))
                        .as("keyless table").isEqualTo(ApplySemanticsIT.sorted(model.bag));
            }
        } finally {
            if (again != null) {
                again.close();
            }
        }
    }

    private static EmbeddedPostgres start(Path data, int port) throws IOException {
        Files.createDirectories(data);
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false);
        if (port > 0) {
            b.setPort(port);
        }
        return b.start();
    }

    /** SIGKILL to the server and all its processes, as a power cut would end them. */
    private static void kill(Path data) throws SQLException {
        kill(data, true);
    }

    /**
     * SIGKILL to the postmaster of the server in a data directory (this machine's), and to all its
     * processes when asked, as a crash would end them; returns once they are dead.
     */
    static void kill(Path datadir, boolean everyProcess) throws SQLException {
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(datadir.resolve("postmaster.pid")).get(0).strip());
        } catch (IOException e) {
            throw new SQLException("cannot read the pid of the server in " + datadir + " (it must run on this machine)", e);
        }
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        java.util.List<ProcessHandle> all = everyProcess ? new java.util.ArrayList<>(postmaster.descendants().toList()) : java.util.List.of();
        postmaster.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((postmaster.isAlive() || all.stream().anyMatch(ProcessHandle::isAlive)) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(postmaster.isAlive()).as("the server is dead").isFalse();
    }
}
