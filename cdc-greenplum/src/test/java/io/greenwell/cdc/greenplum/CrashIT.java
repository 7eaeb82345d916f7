package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.FencedException;
import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.compact.Batcher;
import io.greenwell.cdc.compact.Compactor;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.Sequencer;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import io.greenwell.cdc.spi.ApplyResult;
import io.greenwell.cdc.spi.Checkpoint;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Failures in the middle of a batch: the connection killed after the COPY or just before COMMIT
 * leaves the tables and the checkpoint exactly as before the batch, and the same batch applied
 * again reaches the expected state; an instance that lost its session while the stream moved to
 * another is fenced when it comes back (the stream lock keeps a second instance out only while the
 * first's session lives).
 */
class CrashIT {

    private static TestDatabase db;
    private List<NetBatch> batches;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("crash");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @BeforeEach
    void emptyTarget() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS music CASCADE");
            st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
        }
        // the music stream in two batches: the DDL and the first rows, then the rest
        List<Scenarios.Record> records = Scenarios.records("music");
        Batcher batcher = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(20, 64L << 20, true));
        MaxwellDecoder decoder = MaxwellDecoder.create();
        batches = new ArrayList<>();
        for (Scenarios.Record r : records) {
            NetBatch b = batcher.offer("music", r.offset(), decoder.decode(r.bytes(), "music", r.offset()));
            if (b != null) {
                batches.add(b);
            }
        }
        NetBatch last = batcher.flush();
        if (last != null) {
            batches.add(last);
        }
        assertThat(batches).hasSizeGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(value = BatchTransaction.Phase.class, names = {"STAGED", "BEFORE_COMMIT"})
    void aConnectionKilledBeforeCommitChangesNothing(BatchTransaction.Phase phase) throws SQLException {
        AtomicReference<GreenplumTarget> self = new AtomicReference<>();
        AtomicReference<Boolean> armed = new AtomicReference<>(false);
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).retries(0).hook(p -> {
            if (p == phase && armed.get()) {
                armed.set(false);
                db.terminate(Sessions.backendPid(self.get()));
            }
        }).build()) {
            self.set(target);
            target.loadCheckpoints("p");
            target.apply(batches.get(0));
            String tablesBefore = dump("SELECT * FROM music.album ORDER BY id");
            String checkpointBefore = dump("SELECT pipeline, stream, \"offset\", position FROM greenwell.checkpoint");

            armed.set(true);
            assertThatThrownBy(() -> target.apply(batches.get(1)))
                    .isInstanceOf(ApplyException.class)
                    .matches(e -> ((ApplyException) e).isTransient(), "a lost connection is transient");
            assertThat(dump("SELECT * FROM music.album ORDER BY id")).isEqualTo(tablesBefore);
            assertThat(dump("SELECT pipeline, stream, \"offset\", position FROM greenwell.checkpoint")).isEqualTo(checkpointBefore);

            // the same batch again: the target reconnects, finds the checkpoint unchanged, applies it
            for (int i = 1; i < batches.size(); i++) {
                ApplyResult r = target.apply(batches.get(i));
                assertThat(r.alreadyApplied()).isFalse();
            }
        }
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
        }
    }

    @Test
    void aBatchWhoseCommitWasInDoubtIsNotAppliedTwice() throws SQLException {
        AtomicReference<Boolean> armed = new AtomicReference<>(false);
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).retries(0).hook(p -> {
            if (p == BatchTransaction.Phase.AFTER_COMMIT && armed.get()) {
                // the COMMIT went through, and its answer is lost with the connection
                armed.set(false);
                throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
            }
        }).build()) {
            target.loadCheckpoints("p");
            target.apply(batches.get(0));
            armed.set(true);
            assertThatThrownBy(() -> target.apply(batches.get(1))).isInstanceOf(ApplyException.class);
            String after = dump("SELECT * FROM music.album ORDER BY id");
            ApplyResult r = target.apply(batches.get(1));
            assertThat(r.alreadyApplied()).isTrue();
            assertThat(dump("SELECT * FROM music.album ORDER BY id")).isEqualTo(after);
            for (int i = 2; i < batches.size(); i++) {
                target.apply(batches.get(i));
            }
        }
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(value = BatchTransaction.Phase.class)
    void aKeylessTableIsNeverDoubledWhenTheConnectionDiesMidBatch(BatchTransaction.Phase phase) throws SQLException {
        List<String> none = List.of();
        MaxwellStream s = new MaxwellStream().createDatabase("music").createTable("music", "bag",
                List.of(new MaxwellStream.Col("x", "int"), new MaxwellStream.Col("y", "varchar")), none,
                "CREATE TABLE bag (x int, y varchar(10))");
        s.begin();
        for (int i = 0; i < 300; i++) {
            s.insert("music", "bag", none, Map.of("x", i % 7, "y", "v" + (i % 3)));
        }
        s.commit().begin();
        for (int i = 0; i < 200; i++) {
            s.insert("music", "bag", none, Map.of("x", i % 5, "y", "v" + (i % 2)));
        }
        for (int i = 0; i < 50; i++) {
            s.delete("music", "bag", none, Map.of("x", i % 7, "y", "v" + (i % 3)));
        }
        s.commit();
        List<Scenarios.Record> records = s.records();
        int firstBatch = 2 + 300; // the DDL and the first transaction
        AtomicReference<GreenplumTarget> self = new AtomicReference<>();
        AtomicReference<Integer> kills = new AtomicReference<>(0);
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).retryBackoff(java.time.Duration.ofMillis(10),
                java.time.Duration.ofMillis(50)).hook(p -> {
                    if (p == phase && kills.get() == 1) {
                        kills.set(2);
                        if (p == BatchTransaction.Phase.AFTER_COMMIT) {
                            throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                        }
                        db.terminate(Sessions.backendPid(self.get()));
                    }
                }).build()) {
            self.set(target);
            Map<String, Checkpoint> cps = target.loadCheckpoints("bag");
            assertThat(cps).isEmpty();
            Batcher batcher = new Batcher(Compactor.create(), new Sequencer(), new BatchLimits(firstBatch, 64L << 20, true));
            MaxwellDecoder decoder = MaxwellDecoder.create();
            List<NetBatch> bs = new ArrayList<>();
            for (Scenarios.Record r : records) {
                NetBatch b = batcher.offer("bag", r.offset(), decoder.decode(r.bytes(), "bag", r.offset()), r.bytes());
                if (b != null) {
                    bs.add(b);
                }
            }
            NetBatch last = batcher.flush();
            if (last != null) {
                bs.add(last);
            }
            assertThat(bs).hasSize(2);
            target.apply(bs.get(0));
            kills.set(1);
            ApplyResult r = target.apply(bs.get(1));
            assertThat(kills.get()).as("the connection was killed").isEqualTo(2);
            assertThat(r.retries()).isEqualTo(1);
            assertThat(r.alreadyApplied()).isEqualTo(phase == BatchTransaction.Phase.AFTER_COMMIT);
        }
        // the multiset: 300 + 200 - 50 rows, each image as often as the events say
        Map<String, Integer> expected = new java.util.TreeMap<>();
        for (int i = 0; i < 300; i++) {
            expected.merge((i % 7) + "|v" + (i % 3), 1, Integer::sum);
        }
        for (int i = 0; i < 200; i++) {
            expected.merge((i % 5) + "|v" + (i % 2), 1, Integer::sum);
        }
        for (int i = 0; i < 50; i++) {
            expected.merge((i % 7) + "|v" + (i % 3), -1, Integer::sum);
        }
        StringBuilder want = new StringBuilder();
        expected.forEach((k, n) -> want.append(k).append('|').append(n).append("|\n"));
        assertThat(dump("SELECT x || '|' || y, count(*) FROM music.bag GROUP BY 1 ORDER BY 1").replace("||", "|"))
                .isEqualTo(want.toString());
    }

    @Test
    void aSecondInstanceFencesTheFirst() throws SQLException {
        try (GreenplumTarget first = GreenplumTarget.builder().jdbcUrl(db.url()).build();
                GreenplumTarget second = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            first.loadCheckpoints("p");
            first.apply(batches.get(0));
            // the first's session is lost, and it does not know yet: its stream lock went with it
            db.terminate(Sessions.backendPid(first));
            Map<String, Checkpoint> read = second.loadCheckpoints("p");
            assertThat(read.get("music").offset()).isEqualTo(batches.get(0).lastOffsets().get("music"));
            second.apply(batches.get(1));
            // the stream moves on again (the second lets its lock go), and the first comes back
            second.loadCheckpoints("p");
            String state = dump("SELECT * FROM music.album ORDER BY id");
            String checkpoint = dump("SELECT \"offset\", position FROM greenwell.checkpoint");
            assertThatThrownBy(() -> first.apply(batches.get(1)))
                    .isInstanceOf(FencedException.class)
                    .hasMessageContaining("stream 'music'");
            assertThat(dump("SELECT * FROM music.album ORDER BY id")).isEqualTo(state);
            assertThat(dump("SELECT \"offset\", position FROM greenwell.checkpoint")).isEqualTo(checkpoint);
            // reading the checkpoint again lets it go on from where the other one stopped
            first.loadCheckpoints("p");
            for (int i = 2; i < batches.size(); i++) {
                first.apply(batches.get(i));
            }
        }
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
        }
    }

    @Test
    void aNewStreamInsertedByAnotherInstanceFencesToo() throws SQLException {
        try (GreenplumTarget first = GreenplumTarget.builder().jdbcUrl(db.url()).build();
                GreenplumTarget second = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            first.loadCheckpoints("p");
            second.loadCheckpoints("p");
            second.apply(batches.get(0));
            // the second lets the stream go; the first has not read the checkpoint the second inserted
            second.loadCheckpoints("p");
            assertThatThrownBy(() -> first.apply(batches.get(0))).isInstanceOf(FencedException.class);
        }
    }

    private static String dump(String query) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    sb.append(rs.getString(i)).append('|');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
