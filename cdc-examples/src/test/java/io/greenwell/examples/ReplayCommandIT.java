package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code greenwell replay} on the three real streams, run twice each; usage and failure statuses. */
class ReplayCommandIT {

    static final Pattern SUMMARY = Pattern.compile(
            "events=(\\d+) applied=(\\d+) duplicates=(\\d+) filtered=(\\d+) dead_letters=(\\d+) net_changes=(\\d+) seconds=\\d+\\.\\d{3}");

    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("replaycli");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    static long[] counts(String line) {
        Matcher m = SUMMARY.matcher(line);
        assertThat(m.matches()).as("summary line: %s", line).isTrue();
        long[] c = new long[6];
        for (int i = 0; i < 6; i++) {
            c[i] = Long.parseLong(m.group(i + 1));
        }
        assertThat(c[0]).as("events = applied + duplicates + filtered + dead_letters").isEqualTo(c[1] + c[2] + c[3] + c[4]);
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {"music", "types", "ddl"})
    void replayGivesTheExpectedTablesAndASecondRunChangesNothing(String scenario) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String s : new String[] {"music", "types", "ddl_db", "ddl_other", "ddl_dropped", "greenwell"}) {
                st.execute("DROP SCHEMA IF EXISTS " + s + " CASCADE");
            }
        }
        Path input = Cli.file(dir, "/testdata/maxwell/" + scenario + ".maxwell.jsonl");
        Cli.Result first = Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--batch-events", "7", "--quiet");
        assertThat(first.status()).as(first.err()).isZero();
        long[] c = counts(first.lastLine());
        assertThat(c[0]).isEqualTo(Scenarios.records(scenario).size());
        assertThat(c[4]).as("dead letters").isZero();
        try (Connection conn = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows(scenario), Scenarios.actualRows(conn, scenario))).isEmpty();
        }
        Cli.Result second = Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--quiet");
        assertThat(second.status()).as(second.err()).isZero();
        assertThat(second.lastLine()).startsWith("events=0 applied=0 duplicates=0 filtered=0 dead_letters=0 net_changes=0 ");
        try (Connection conn = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows(scenario), Scenarios.actualRows(conn, scenario))).isEmpty();
        }
    }

    @Test
    void progressGoesToStandardErrorAndStandardInputWorks() throws Exception {
        Path input = Cli.file(dir, "/testdata/maxwell/music.maxwell.jsonl");
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(java.nio.file.Files.newInputStream(input));
            Cli.Result r = Cli.run("replay", "--input", "-", "--jdbc-url", db.url(), "--pipeline", "from-stdin", "--batch-events", "1",
                    "--schema-map", "music=music_copy");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out().strip().split("\n")).hasSize(1);
            assertThat(r.err()).contains("events/s");
        } finally {
            System.setIn(stdin);
        }
        try (Connection c = db.connect(); Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM music_copy.album")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(27);
        }
    }

    @Test
    void badUsageIsStatusTwoAndFailureIsStatusOne() throws Exception {
        assertThat(Cli.run("replay", "--jdbc-url", db.url()).status()).isEqualTo(2);
        assertThat(Cli.run("replay", "--input", "x", "--jdbc-url", db.url(), "--dialect", "oracle").status()).isEqualTo(2);
        assertThat(Cli.run("replay", "--input", dir.resolve("missing.jsonl").toString(), "--jdbc-url", db.url()).status()).isEqualTo(2);
        assertThat(Cli.run("bogus").status()).isEqualTo(2);
        assertThat(Cli.run("replay", "--help").status()).isZero();
        Path input = Cli.file(dir, "/testdata/maxwell/music.maxwell.jsonl");
        Cli.Result r = Cli.run("replay", "--input", input.toString(), "--jdbc-url", TestDatabase.withDatabase(db.url(), "no_such_database_here"),
                "--quiet");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("no_such_database_here");
        for (String[] command : new String[][] {{"checkpoint", "show"}, {"dead-letters", "list"}, {"dead-letters", "retry"}}) {
            Cli.Result ops = Cli.run(command[0], command[1], "--jdbc-url", TestDatabase.withDatabase(db.url(), "no_such_database_here"));
            assertThat(ops.status()).as(String.join(" ", command)).isEqualTo(1);
            assertThat(ops.err()).as(String.join(" ", command)).contains("failed: ").contains("no_such_database_here")
                    .doesNotContain("\tat ");
        }
    }
}
