package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.opensearch.SearchRows;
import io.greenwell.cdc.opensearch.TestEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code greenwell replay --target opensearch}: a recorded scenario from a file into a real
 * OpenSearch node, one index for all tables and one per table; and the usage errors of the option.
 */
class OpenSearchCommandIT {

    @TempDir
    Path dir;

    static Path scenario(Path dir, String name) throws IOException {
        Path f = dir.resolve(name + ".jsonl");
        Files.write(f, Scenarios.resource("/testdata/maxwell/" + name + ".maxwell.jsonl"));
        return f;
    }

    @Test
    void aReplayIntoOneIndexEndsWithTheExpectedDocuments() throws IOException {
        TestEngine.deleteIndices("cli_types");
        Cli.Result r = Cli.run("replay", "--input", scenario(dir, "types").toString(), "--target", "opensearch", "--opensearch-url",
                TestEngine.url(), "--index", "cli_types", "--pipeline", "cli-types", "--quiet");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(SearchRows.differences("types", TestEngine.documents("cli_types"))).isEmpty();
    }

    @Test
    void aReplayIntoAnIndexPerTableEndsWithTheExpectedDocumentsInTheTablesIndices() throws IOException {
        TestEngine.deleteIndices("cli_ddl.*");
        Cli.Result r = Cli.run("replay", "--input", scenario(dir, "ddl").toString(), "--target", "opensearch", "--opensearch-url",
                TestEngine.url(), "--index-per-table", "cli_ddl.{db}.{table}", "--pipeline", "cli-ddl", "--batch-events", "3", "--quiet");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(SearchRows.differences("ddl", TestEngine.documents("cli_ddl.*"))).isEmpty();
        // the renamed and moved table's documents are in the index of its final name, and only there
        assertThat(TestEngine.documents("cli_ddl.ddl_other.events_moved")).isNotEmpty();
        assertThat(TestEngine.documents("cli_ddl.ddl_db.events")).isEmpty();
    }

    @Test
    void includeAndExcludeChooseTheTablesThatAreIndexed() throws IOException {
        TestEngine.deleteIndices("cli_some");
        Cli.Result r = Cli.run("replay", "--input", scenario(dir, "types").toString(), "--target", "opensearch", "--opensearch-url",
                TestEngine.url(), "--index", "cli_some", "--pipeline", "cli-some", "--include", "types.*", "--exclude", "types.json_docs",
                "--quiet");
        assertThat(r.status()).as(r.err()).isZero();
        // every table of the scenario but the excluded one, exactly; none of that one
        assertThat(SearchRows.differences("types", TestEngine.documents("cli_some"), t -> !t.equals("types.json_docs"))).isEmpty();
    }

    @Test
    void searchIndexOptionsAreCheckedAsUsage() throws IOException {
        String input = scenario(dir, "music").toString();
        Cli.Result r = Cli.run("replay", "--input", input, "--target", "opensearch");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("Missing required option: '--opensearch-url=URL'");
        r = Cli.run("replay", "--input", input, "--target", "opensearch", "--opensearch-url", "http://127.0.0.1:1", "--archive");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("--archive applies to --target greenplum only");
        r = Cli.run("replay", "--input", input, "--target", "opensearch", "--opensearch-url", "http://127.0.0.1:1", "--schema-map", "a=b");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("--schema-map applies to --target greenplum only");
        r = Cli.run("replay", "--input", input, "--target", "elastic");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--target must be greenplum or opensearch");
        r = Cli.run("replay", "--input", input);
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("Missing required option: '--jdbc-url=URL'");
        String[] engine = {"replay", "--input", input, "--target", "opensearch", "--opensearch-url", "http://127.0.0.1:1"};
        r = Cli.run(with(engine, "--index", "a", "--index-per-table", "b.{db}.{table}"));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("--index and --index-per-table exclude each other");
        r = Cli.run(with(engine, "--lock-wait", "5"));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("--lock-wait applies to --target greenplum only");
        r = Cli.run(with(engine, "--user", "admin"));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("--user applies to --target greenplum only");
        r = Cli.run(with(engine, "--opensearch-user", "admin"));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("--opensearch-user and --opensearch-password-env go together");
        r = Cli.run(with(engine, "--decimals", "float"));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--decimals must be one of [string, number]");
        r = Cli.run("replay", "--input", input, "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/none", "--versioning", "offset");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("--versioning applies to --target opensearch only");
    }

    @Test
    void aStreamWithoutBinlogPositionsIsIndexedWithOffsetVersions() throws IOException {
        TestEngine.deleteIndices("cli_nopos");
        TestEngine.deleteIndices("cli_nopos_dead");
        Path input = dir.resolve("music-without-positions.jsonl");
        Files.writeString(input, new String(Scenarios.resource("/testdata/maxwell/music.maxwell.jsonl"), StandardCharsets.UTF_8)
                .replaceAll(",?\"position\":\"[^\"]*\"", ""));
        // by default the versions come from the binlog positions, which these records lack: every row is a dead letter
        Cli.Result r = Cli.run("replay", "--input", input.toString(), "--target", "opensearch", "--opensearch-url", TestEngine.url(),
                "--index", "cli_nopos_dead", "--pipeline", "cli-nopos-dead", "--quiet");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(ReplayCommandIT.counts(r.lastLine())[4]).as("dead letters").isPositive();
        r = Cli.run("replay", "--input", input.toString(), "--target", "opensearch", "--opensearch-url", TestEngine.url(),
                "--index", "cli_nopos", "--pipeline", "cli-nopos", "--versioning", "OFFSET", "--quiet");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(ReplayCommandIT.counts(r.lastLine())[4]).as("dead letters").isZero();
        assertThat(SearchRows.differences("music", TestEngine.documents("cli_nopos"))).isEmpty();
    }

    @Test
    void aConfigFileMayHoldTheOptionsOfBothTargets() throws IOException {
        TestEngine.deleteIndices("cli_shared");
        Path config = dir.resolve("shared.properties");
        Files.writeString(config, "jdbc-url=jdbc:postgresql://127.0.0.1:1/none\nlock-wait=30\nuser=loader\npassword-env=NOT_SET_ANYWHERE\n"
                + "index=cli_shared\nversioning=position\n");
        Cli.Result r = Cli.run("replay", "--config", config.toString(), "--input", scenario(dir, "music").toString(), "--target", "opensearch",
                "--opensearch-url", TestEngine.url(), "--pipeline", "cli-shared", "--quiet");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(SearchRows.differences("music", TestEngine.documents("cli_shared"))).isEmpty();
    }

    private static String[] with(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
