package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.pipeline.BatchReport;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * When a batch closes by time: at {@code caughtUpDelay} while the source is caught up (the reader
 * waits on it), at {@code maxDelay} under a backlog (the reader never waits), so that a steady
 * rate gets short delays and a backlog keeps its large, well-compacted batches. The margins are
 * wide on purpose: each assertion fails only when the wrong delay is used, not when the machine
 * is slow.
 */
class BatchDelayIT {

    private static TestDatabase db;

    @BeforeAll
    static void create() throws SQLException {
        db = TestDatabase.create("delay");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA paced");
            st.execute("CREATE TABLE paced.t (id bigint PRIMARY KEY, v text)");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        db.close();
    }

    @Test
    void aCaughtUpSourceHasItsBatchesClosedAtTheShortDelay() throws Exception {
        List<Long> commits = new CopyOnWriteArrayList<>();
        // one record every 20 ms: the reader waits for nearly all of each batch's age
        Records steady = new Records("steady", 20, 1);
        List<BatchReport> reports = run("steady", steady, Duration.ofSeconds(60), Duration.ofMillis(300), commits, Duration.ofSeconds(4));
        assertThat(reports).as("batches committed in 4 s with a maxDelay of 60 s").hasSizeGreaterThanOrEqualTo(3);
        assertThat(TimeUnit.NANOSECONDS.toMillis(commits.get(0) - steady.firstAt)).as("the first commit, ms after the first record")
                .isLessThan(3_000);
        assertTableHasEvery("steady");
    }

    @Test
    void aBacklogKeepsItsBatchesOpenToTheLongDelay() throws Exception {
        List<Long> commits = new CopyOnWriteArrayList<>();
        Records backlog = new Records("backlog", 0, 500); // 500 records at every poll, at once
        List<BatchReport> reports = run("backlog", backlog, Duration.ofMillis(1500), Duration.ofMillis(100), commits, Duration.ofSeconds(4));
        assertThat(reports).isNotEmpty();
        // the batch opens with the first record and closes no earlier than maxDelay after it
        assertThat(TimeUnit.NANOSECONDS.toMillis(commits.get(0) - backlog.firstAt)).as("the first commit, ms after the first record")
                .isGreaterThanOrEqualTo(1_500);
        assertTableHasEvery("backlog");
    }

    private static List<BatchReport> run(String name, Records source, Duration maxDelay, Duration caughtUpDelay, List<Long> commits,
            Duration runFor) throws Exception {
        List<BatchReport> reports = new CopyOnWriteArrayList<>();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            CdcPipeline p = CdcPipeline.builder().name(name).source(source).target(target).maxDelay(maxDelay).caughtUpDelay(caughtUpDelay)
                    .batchLimits(new BatchLimits(50_000_000, 1L << 30, true)).listener(r -> {
                        commits.add(System.nanoTime());
                        reports.add(r);
                    }).build();
            p.start();
            Thread.sleep(runFor.toMillis());
            p.stop();
            assertThat(p.await(Duration.ofSeconds(60))).as("the pipeline's end").isNotNull();
        }
        return reports;
    }

    /** Every committed record is in the table: the batches closed early lost nothing. */
    private static void assertTableHasEvery(String pipeline) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT (SELECT \"offset\" FROM greenwell.checkpoint WHERE pipeline = '" + pipeline + "'),"
                        + " (SELECT count(*) FROM paced.t WHERE v = '" + pipeline + "')")) {
            rs.next();
            assertThat(rs.getLong(2)).isEqualTo(rs.getLong(1) + 1).isPositive();
        }
    }

    /** Inserts of new keys into {@code paced.t}, one record per offset from 0, {@code perPoll} at a time every {@code everyMillis}. */
    private static final class Records implements ChangeSource {
        private static long nextId = 1;
        private final long everyMillis;
        private final int perPoll;
        private long next;
        private long last;
        private final String pipeline;
        /** When the first record was handed over ({@link System#nanoTime()}), 0 before. */
        volatile long firstAt;
        private volatile boolean paused;

        Records(String pipeline, long everyMillis, int perPoll) {
            this.pipeline = pipeline;
            this.everyMillis = everyMillis;
            this.perPoll = perPoll;
        }

        @Override
        public void open(Listener listener) {}

        @Override
        public void seek(Map<String, Long> lastApplied) {
            next = lastApplied.getOrDefault("s", -1L) + 1;
        }

        @Override
        public void pause() {
            paused = true;
        }

        @Override
        public void resume() {
            paused = false;
        }

        @Override
        public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
            if (paused) {
                TimeUnit.NANOSECONDS.sleep(timeout.toNanos());
                return List.of();
            }
            long wait = last + TimeUnit.MILLISECONDS.toNanos(everyMillis) - System.nanoTime();
            if (wait > 0) {
                if (wait > timeout.toNanos()) {
                    TimeUnit.NANOSECONDS.sleep(timeout.toNanos());
                    return List.of();
                }
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            last = System.nanoTime();
            if (firstAt == 0) {
                firstAt = last;
            }
            List<SourceRecord> out = new ArrayList<>(perPoll);
            for (int i = 0; i < perPoll; i++) {
                long id;
                synchronized (Records.class) {
                    id = nextId++;
                }
                String json = "{\"database\":\"paced\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1795461549,\"xid\":" + next
                        + ",\"commit\":true,\"data\":{\"id\":" + id + ",\"v\":\"" + pipeline + "\"},\"primary_key_columns\":[\"id\"]}";
                out.add(new SourceRecord("s", next++, json.getBytes(StandardCharsets.UTF_8)));
            }
            return out;
        }

        @Override
        public boolean isFinished() {
            return false;
        }

        @Override
        public void close() {}
    }
}
