package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --config FILE} against a database: the file's options apply, the command line's win. */
class ConfigFileIT {

    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("configfile");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @BeforeEach
    void dropSchemas() throws SQLException {
        db.dropSchemas("music", "greenwell");
    }

    private Path config(String... lines) throws IOException {
        Path f = dir.resolve("greenwell.properties");
        Files.write(f, List.of(lines));
        return f;
    }

    private static List<String> pipelines() throws SQLException {
        return db.rows("SELECT pipeline FROM greenwell.checkpoint ORDER BY pipeline");
    }

    private static void assertMusicReplicated() throws SQLException {
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
        }
    }

    @Test
    void aReplayTakesItsOptionsFromTheFile() throws Exception {
        Path input = Cli.file(dir, "/testdata/maxwell/music.maxwell.jsonl");
        Path f = config("# the target", "jdbc-url = " + db.url(), "pipeline=from-file", "batch-events=7", "include=music, types", "quiet=true");
        Cli.Result r = Cli.run("--config", f.toString(), "replay", "--input", input.toString());
        assertThat(r.status()).as(r.err()).isZero();
        long[] c = ReplayCommandIT.counts(r.lastLine());
        assertThat(c[0]).isEqualTo(Scenarios.records("music").size());
        assertThat(c[3]).as("filtered").isZero();
        assertThat(r.err()).doesNotContain("events/s");
        assertMusicReplicated();
        assertThat(pipelines()).containsExactly("from-file");

        Cli.Result show = Cli.run("checkpoint", "show", "--config", f.toString());
        assertThat(show.status()).as(show.err()).isZero();
        assertThat(show.out()).contains("from-file\t" + input.toAbsolutePath() + "\t");

        // the file's batch size was used: one large batch folds more events into fewer net changes
        db.dropSchemas("music", "greenwell");
        Cli.Result large = Cli.run("--config", f.toString(), "replay", "--input", input.toString(), "--batch-events", "1000000");
        assertThat(large.status()).as(large.err()).isZero();
        assertThat(ReplayCommandIT.counts(large.lastLine())[5]).as("net changes in one batch").isLessThan(c[5]);
        assertMusicReplicated();

        // and so was its include list: a file that includes only another database filters all of music
        db.dropSchemas("music", "greenwell");
        Cli.Result other = Cli.run("--config", config("jdbc-url=" + db.url(), "include=types", "quiet=true").toString(), "replay",
                "--input", input.toString());
        assertThat(other.status()).as(other.err()).isZero();
        assertThat(ReplayCommandIT.counts(other.lastLine())[3]).as("filtered").isEqualTo(Scenarios.records("music").size());
        assertThat(db.rows("SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = 'music'")).isEmpty();
    }

    @Test
    void theCommandLineOverridesTheFile() throws Exception {
        Path input = Cli.file(dir, "/testdata/maxwell/music.maxwell.jsonl");
        Path f = config("jdbc-url=" + db.url(), "pipeline=from-file", "exclude=music", "quiet=true");
        Cli.Result r = Cli.run("replay", "--config", f.toString(), "--input", input.toString(), "--pipeline", "from-command-line",
                "--exclude", "types", "--quiet=false");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(ReplayCommandIT.counts(r.lastLine())[3]).as("filtered").isZero();
        assertThat(r.err()).contains("events/s");
        assertMusicReplicated();
        assertThat(pipelines()).containsExactly("from-command-line");
    }

    @Test
    void oneFileServesKafkaAndTheOperationsCommands() throws Exception {
        Path input = Cli.file(dir, "/testdata/maxwell/music.maxwell.jsonl");
        Path f = config("jdbc-url=" + db.url(), "bootstrap-servers=127.0.0.1:9", "topic=maxwell", "pipeline=shared");
        assertThat(Cli.run("replay", "--config", f.toString(), "--input", input.toString(), "--quiet").status()).isZero();
        Cli.Result show = Cli.run("checkpoint", "show", "--config", f.toString());
        assertThat(show.status()).as(show.err()).isZero();
        assertThat(show.out()).contains("shared\t" + input.toAbsolutePath() + "\t");
        Cli.Result list = Cli.run("dead-letters", "list", "--config", f.toString());
        assertThat(list.status()).as(list.err()).isZero();
        assertThat(list.err()).contains("0 dead letter(s)");
        Cli.Result kafka = Cli.run("kafka", "--config", f.toString());
        assertThat(kafka.status()).isEqualTo(2);
        assertThat(kafka.err()).startsWith("Missing required option: '--group=G'");
        Cli.Result fromFile = Cli.run("checkpoint", "reset", "--config", f.toString());
        assertThat(fromFile.status()).as("a reset never takes its pipeline from the file").isEqualTo(2);
        assertThat(fromFile.err()).contains("--pipeline on the command line");
        Cli.Result reset = Cli.run("checkpoint", "reset", "--config", f.toString(), "--pipeline", "shared");
        assertThat(reset.status()).as(reset.err()).isZero();
        assertThat(reset.out()).startsWith("reset 1 checkpoint(s) of pipeline shared");
        assertThat(pipelines()).isEmpty();
    }
}
