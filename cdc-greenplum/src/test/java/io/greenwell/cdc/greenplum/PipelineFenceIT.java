package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.source.FileSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint that moves back under a running pipeline on its very last batch (a server that
 * lost its last asynchronous commits, here played by rewinding the checkpoint row) is handled like
 * one in the middle of a run: the pipeline reads the checkpoints again, goes back in the file and
 * ends with the right tables, instead of failing.
 */
class PipelineFenceIT {

    private static TestDatabase db;

    @BeforeAll
    static void create() throws SQLException {
        db = TestDatabase.create("fence");
    }

    @AfterAll
    static void close() throws SQLException {
        db.close();
    }

    @Test
    void aCheckpointMovedBackBeforeTheLastBatchIsReadAgainAndTheRunEndsRight(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("music.jsonl");
        Files.write(input, Scenarios.resource("/testdata/maxwell/music.maxwell.jsonl"));
        BatchLimits limits = new BatchLimits(5, 64L << 20, true);
        SimpleMeterRegistry plain = new SimpleMeterRegistry();
        int total = run("count", input, limits, null, plain);
        assertThat(plain.get("greenwell.fences").counter().count()).as("no fence without a moved checkpoint").isZero();
        assertThat(total).as("batches of the music stream").isGreaterThan(5);

        // the second run: right after the last-but-one commit, the checkpoint goes back to where the
        // commit before it had left it, so the last batch finds it moved
        db.dropSchemas("music", "greenwell");
        String[] before = new String[2];
        AtomicInteger commits = new AtomicInteger();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        int rewound = run("fenced", input, limits, () -> {
            int n = commits.incrementAndGet();
            try (Connection c = db.connect()) {
                if (n == total - 1) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE greenwell.checkpoint SET \"offset\" = ?, \"position\" = ? WHERE pipeline = 'fenced'")) {
                        ps.setLong(1, Long.parseLong(before[0]));
                        ps.setString(2, before[1]);
                        assertThat(ps.executeUpdate()).isEqualTo(1);
                    }
                    return;
                }
                try (ResultSet rs = c.createStatement().executeQuery(
                        "SELECT \"offset\", \"position\" FROM greenwell.checkpoint WHERE pipeline = 'fenced'")) {
                    if (rs.next()) {
                        before[0] = rs.getString(1);
                        before[1] = rs.getString(2);
                    }
                }
            }
        }, registry);
        assertThat(before[0]).as("a checkpoint was rewound").isNotNull();
        assertThat(registry.get("greenwell.fences").counter().count()).as("the fence counted").isEqualTo(1.0);
        assertThat(rewound).as("batches committed, the last-but-one again after the fence").isGreaterThan(total);
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
        }
    }

    @FunctionalInterface
    private interface AfterCommit {
        void run() throws SQLException;
    }

    /** Replays the file through a pipeline; returns how many batches it committed. */
    private static int run(String pipeline, Path input, BatchLimits limits, AfterCommit afterCommit, MeterRegistry registry) throws Exception {
        AtomicInteger commits = new AtomicInteger();
        try (FileSource source = FileSource.of(input);
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).hook(p -> {
                    if (p == BatchTransaction.Phase.AFTER_COMMIT) {
                        commits.incrementAndGet();
                        if (afterCommit != null) {
                            afterCommit.run();
                        }
                    }
                }).build()) {
            CdcPipeline.builder().name(pipeline).source(source).target(target).batchLimits(limits).meterRegistry(registry).build().run();
        }
        return commits.get();
    }
}
