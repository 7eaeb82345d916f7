package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.compact.Batcher;
import io.greenwell.cdc.compact.Compactor;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.Sequencer;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One instance per (pipeline, stream): a second target of the same pipeline on the same stream is
 * refused with an error naming the pipeline, the stream and the holder, while the first goes on;
 * other streams of the pipeline run side by side; the lock goes with a closed target, a dead
 * connection and a new reading of the checkpoints, and is taken again after a reconnect.
 */
class StreamLockIT {

    private static final List<String> PK = List.of("id");
    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("locks");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @BeforeEach
    void empty() throws SQLException {
        db.dropSchemas("shop", "shop2", "greenwell");
    }

    /** A database's DDL, then four one-row transactions: one batch per record. */
    private static List<NetBatch> batches(String database, String stream) {
        MaxwellStream s = new MaxwellStream().createDatabase(database).createTable(database, "t",
                List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar")), PK,
                "CREATE TABLE t (id int PRIMARY KEY, v varchar(20))");
        for (int id = 1; id <= 4; id++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", id);
            r.put("v", "v" + id);
            s.insert(database, "t", PK, r);
        }
        Batcher batcher = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(1, 64L << 20, true));
        MaxwellDecoder decoder = MaxwellDecoder.create();
        List<NetBatch> out = new ArrayList<>();
        for (Scenarios.Record r : s.records()) {
            NetBatch b = batcher.offer(stream, r.offset(), decoder.decode(r.bytes(), stream, r.offset()), r.bytes());
            if (b != null) {
                out.add(b);
            }
        }
        NetBatch last = batcher.flush();
        if (last != null) {
            out.add(last);
        }
        assertThat(out).hasSize(6);
        return out;
    }

    private static GreenplumTarget target(Duration lockWait) {
        return GreenplumTarget.builder().jdbcUrl(db.url()).streamLockWait(lockWait).retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .build();
    }

    @Test
    void aSecondInstanceOnTheSameStreamIsRefusedClearlyAndTheFirstGoesOn() throws SQLException {
        List<NetBatch> b = batches("shop", "s");
        try (GreenplumTarget first = target(Duration.ZERO); GreenplumTarget second = target(Duration.ofMillis(300))) {
            first.loadCheckpoints("p");
            first.apply(b.get(0));
            first.apply(b.get(1));
            first.apply(b.get(2));
            second.loadCheckpoints("p");
            List<String> before = rows("SELECT id, v FROM shop.t ORDER BY id");
            List<String> checkpoint = rows("SELECT pipeline, stream, \"offset\" FROM greenwell.checkpoint");
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> second.apply(b.get(3)))
                    .isInstanceOf(ApplyException.class)
                    .satisfies(e -> {
                        ApplyException a = (ApplyException) e;
                        assertThat(a.isTransient()).isFalse();
                        assertThat(a.sqlState()).isEqualTo("55P03");
                        assertThat(a.getMessage()).contains("pipeline 'p'", "stream 's'", "pid " + Sessions.backendPid(first),
                                "application_name 'greenwell'", "client " + clientOf(Sessions.backendPid(first)));
                    });
            assertThat(System.nanoTime() - t0).as("it waited before refusing").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
            assertThat(rows("SELECT id, v FROM shop.t ORDER BY id")).isEqualTo(before);
            assertThat(rows("SELECT pipeline, stream, \"offset\" FROM greenwell.checkpoint")).isEqualTo(checkpoint);

            first.apply(b.get(3));
            first.apply(b.get(4));
            first.apply(b.get(5));
            assertThat(rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|v1", "2|v2", "3|v3", "4|v4");
        }
    }

    @Test
    void otherStreamsOfThePipelineRunSideBySide() throws SQLException {
        List<NetBatch> s = batches("shop", "s");
        List<NetBatch> s2 = batches("shop2", "s2");
        try (GreenplumTarget first = target(Duration.ZERO); GreenplumTarget second = target(Duration.ZERO)) {
            first.loadCheckpoints("p");
            second.loadCheckpoints("p");
            for (int i = 0; i < s.size(); i++) {
                first.apply(s.get(i));
                second.apply(s2.get(i));
            }
            assertThat(Sessions.heldStreamLocks(first)).containsExactly("s");
            assertThat(Sessions.heldStreamLocks(second)).containsExactly("s2");
            assertThat(holder(StreamLocks.key("greenwell", "p", "s"))).isEqualTo(Sessions.backendPid(first));
            assertThat(holder(StreamLocks.key("greenwell", "p", "s2"))).isEqualTo(Sessions.backendPid(second));
        }
        assertThat(rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|v1", "2|v2", "3|v3", "4|v4");
        assertThat(rows("SELECT id, v FROM shop2.t ORDER BY id")).containsExactly("1|v1", "2|v2", "3|v3", "4|v4");
        assertThat(rows("SELECT stream, \"offset\" FROM greenwell.checkpoint ORDER BY stream"))
                .containsExactly("s|" + s.get(5).lastOffsets().get("s"), "s2|" + s2.get(5).lastOffsets().get("s2"));
    }

    @Test
    void theSecondProceedsOnceTheFirstIsClosed() throws SQLException {
        List<NetBatch> b = batches("shop", "s");
        try (GreenplumTarget second = target(Duration.ZERO)) {
            try (GreenplumTarget first = target(Duration.ZERO)) {
                first.loadCheckpoints("p");
                first.apply(b.get(0));
                first.apply(b.get(1));
                second.loadCheckpoints("p");
                assertThatThrownBy(() -> second.apply(b.get(2))).hasMessageContaining("already applying stream 's'");
            }
            awaitReleased(StreamLocks.key("greenwell", "p", "s"));
            for (int i = 2; i < b.size(); i++) {
                second.apply(b.get(i));
            }
        }
        assertThat(rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|v1", "2|v2", "3|v3", "4|v4");
    }

    @Test
    void theSecondProceedsOnceTheFirstsConnectionDiesAndTheFirstIsThenRefused() throws SQLException {
        List<NetBatch> b = batches("shop", "s");
        try (GreenplumTarget first = target(Duration.ZERO); GreenplumTarget second = target(Duration.ZERO)) {
            first.loadCheckpoints("p");
            first.apply(b.get(0));
            first.apply(b.get(1));
            second.loadCheckpoints("p");
            assertThatThrownBy(() -> second.apply(b.get(2))).hasMessageContaining("already applying stream 's'");
            db.terminate(Sessions.backendPid(first));
            awaitReleased(StreamLocks.key("greenwell", "p", "s"));
            second.apply(b.get(2));
            second.apply(b.get(3));
            // the first reconnects: its lock went with its session, and the second holds it now
            assertThatThrownBy(() -> first.apply(b.get(2)))
                    .isInstanceOf(ApplyException.class)
                    .hasMessageContaining("pid " + Sessions.backendPid(second));
        }
        assertThat(rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|v1", "2|v2");
    }

    @Test
    void aNewOwnerWaitsForALockReleasedWithinItsWait() throws Exception {
        List<NetBatch> b = batches("shop", "s");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (GreenplumTarget second = target(Duration.ofSeconds(60))) {
            second.bindMetrics(registry, Tags.of("pipeline", "p"));
            CompletableFuture<Void> applied;
            try (GreenplumTarget first = target(Duration.ZERO)) {
                first.loadCheckpoints("p");
                first.apply(b.get(0));
                first.apply(b.get(1));
                second.loadCheckpoints("p");
                applied = CompletableFuture.runAsync(() -> second.apply(b.get(2)));
                Thread.sleep(700);
                assertThat(applied).as("still waiting for the lock").isNotDone();
            }
            applied.get(30, TimeUnit.SECONDS);
            second.apply(b.get(3));
            assertThat(registry.get("greenwell.stream.lock.waits").functionCounter().count()).as("the wait counted").isEqualTo(1.0);
        }
        assertThat(rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|v1", "2|v2");
    }

    @Test
    void readingTheCheckpointsAgainReleasesTheLocks() throws SQLException {
        List<NetBatch> b = batches("shop", "s");
        try (GreenplumTarget first = target(Duration.ZERO); GreenplumTarget second = target(Duration.ZERO)) {
            first.loadCheckpoints("p");
            first.apply(b.get(0));
            first.apply(b.get(1));
            assertThat(Sessions.heldStreamLocks(first)).containsExactly("s");
            // a rebalance moved the stream away: the first reads its checkpoints again and lets it go
            first.loadCheckpoints("p");
            assertThat(Sessions.heldStreamLocks(first)).isEmpty();
            assertThat(holder(StreamLocks.key("greenwell", "p", "s"))).isNull();
            second.loadCheckpoints("p");
            second.apply(b.get(2));
            assertThatThrownBy(() -> first.apply(b.get(3))).hasMessageContaining("pid " + Sessions.backendPid(second));
        }
        assertThat(rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|v1");
    }

    @Test
    void theLockIsTakenAgainAfterAReconnect() throws SQLException {
        List<NetBatch> b = batches("shop", "s");
        long key = StreamLocks.key("greenwell", "p", "s");
        try (GreenplumTarget first = target(Duration.ZERO); GreenplumTarget second = target(Duration.ZERO)) {
            first.loadCheckpoints("p");
            first.apply(b.get(0));
            int old = Sessions.backendPid(first);
            assertThat(holder(key)).isEqualTo(old);
            db.terminate(old);
            awaitReleased(key);
            first.apply(b.get(1));
            int now = Sessions.backendPid(first);
            assertThat(now).isNotEqualTo(old);
            assertThat(holder(key)).isEqualTo(now);
            second.loadCheckpoints("p");
            assertThatThrownBy(() -> second.apply(b.get(2))).hasMessageContaining("pid " + now);
            for (int i = 2; i < b.size(); i++) {
                first.apply(b.get(i));
            }
        }
        assertThat(rows("SELECT id, v FROM shop.t ORDER BY id")).containsExactly("1|v1", "2|v2", "3|v3", "4|v4");
    }

    /** The server ends a closed or killed session soon, not at once. */
    private static void awaitReleased(long key) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (holder(key) != null) {
            assertThat(System.nanoTime()).as("the lock is released").isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static String clientOf(int pid) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT host(client_addr) FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1) == null ? "local or not visible" : rs.getString(1);
            }
        }
    }

    /** @return the pid of the session holding the advisory lock of this key, or null */
    private static Integer holder(long key) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(new Sql(TestDatabase.serverKind().dialect()).streamLockHolder())) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xFFFF_FFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    private static List<String> rows(String query) throws SQLException {
        return db.rows(query);
    }
}
