package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;

/**
 * Two {@code greenwell replay} of one file under one pipeline at the same time: while one holds
 * the file's stream (here a plain session holding the lock, computed as the README describes, so
 * that the test is deterministic), the other exits with 1 and names the pipeline, the stream and
 * the holder on standard error, having applied nothing; once the lock is free the replay runs.
 */
class ReplayLockIT {

    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("replaylock");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    /** The lock key: SHA-256 of the namespaced control schema, pipeline and stream, its first 8 bytes. */
    private static long key(String pipeline, String stream) throws Exception {
        byte[] text = ("greenwell-stream-lock\0greenwell\0" + pipeline + "\0" + stream + "\0").getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(text), 0, 8).getLong();
    }

    @Test
    void aSecondReplayOfTheSameStreamAndPipelineIsRefused() throws Exception {
        db.dropSchemas("music", "music_copy", "greenwell");
        Path input = Cli.file(dir, "/testdata/maxwell/music.maxwell.jsonl");
        String stream = input.toAbsolutePath().normalize().toString();
        try (Connection holder = db.connect()) {
            try (PreparedStatement ps = holder.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, key("default", stream));
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next() && rs.getBoolean(1)).isTrue();
                }
            }
            int pid = holder.unwrap(PGConnection.class).getBackendPID();

            long t0 = System.nanoTime();
            Cli.Result refused = Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--lock-wait", "1", "--quiet");
            assertThat(refused.status()).as(refused.err()).isEqualTo(1);
            assertThat(refused.err()).contains("pipeline 'default'", "stream '" + stream + "'", "pid " + pid);
            assertThat(System.nanoTime() - t0).as("it waited --lock-wait first").isGreaterThanOrEqualTo(1_000_000_000L);
            assertThat(tables()).as("nothing applied").isEmpty();

            Cli.Result otherPipeline = Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--pipeline", "copy",
                    "--schema-map", "music=music_copy", "--lock-wait", "0", "--quiet");
            assertThat(otherPipeline.status()).as("another pipeline is another lock: %s", otherPipeline.err()).isZero();
        }
        Cli.Result alone = Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--quiet");
        assertThat(alone.status()).as(alone.err()).isZero();
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
        }
        assertThat(db.rows("SELECT * FROM music_copy.album ORDER BY id")).as("the other pipeline's copy, row for row")
                .isEqualTo(db.rows("SELECT * FROM music.album ORDER BY id"));
        assertThat(Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--lock-wait", "-1").status()).isEqualTo(2);
    }

    private static List<String> tables() throws SQLException {
        return db.rows("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'music'");
    }
}
