package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import io.greenwell.cdc.greenplum.TestMariadb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code history}, {@code as-of} and {@code flashback} through the command line, after
 * {@code greenwell replay --archive}: a table as of a binlog position in the middle of 200,000
 * seeded events (with Maxwell's replays) equals the replay of the stream up to it, row for row;
 * the flashback of a recorded transaction is SQL that MariaDB runs.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ArchiveCommandsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestDatabase db;
    private static TestDatabase prefix;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabases() throws SQLException {
        db = TestDatabase.create("archcli");
        prefix = TestDatabase.create("archclip");
    }

    @AfterAll
    static void dropDatabases() throws SQLException {
        db.close();
        prefix.close();
    }

    @Test
    void asOfAPositionInTheMiddleIsTheReplayUpToIt() throws Exception {
        Workload w = new Workload(44, List.of("arch"), true, 200_000);
        try (Connection c = db.connect()) {
            w.dropSchemas(c);
        }
        try (Connection c = prefix.connect()) {
            w.dropSchemas(c);
        }
        List<Scenarios.Record> records = w.stream().records();
        Path all = dir.resolve("all.jsonl");
        write(all, records);
        Cli.Result replay = Cli.run("replay", "--input", all.toString(), "--jdbc-url", db.url(), "--archive", "--quiet");
        assertThat(replay.status()).as(replay.err()).isZero();
        // the middle record's position, and every record at or before it (Maxwell's replays of earlier ones included)
        String middle = position(records.get(records.size() / 2));
        List<Scenarios.Record> upTo = records.stream().filter(r -> compare(position(r), middle) <= 0).toList();
        assertThat(upTo.size()).isBetween(records.size() / 3, records.size() * 2 / 3);
        Path head = dir.resolve("head.jsonl");
        write(head, upTo);
        Cli.Result partial = Cli.run("replay", "--input", head.toString(), "--jdbc-url", prefix.url(), "--quiet");
        assertThat(partial.status()).as(partial.err()).isZero();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA past");
        }
        for (String table : Workload.TABLES) {
            Cli.Result asOf = Cli.run("as-of", "--jdbc-url", db.url(), "--table", "arch." + table, "--at", middle, "--into", "past." + table);
            assertThat(asOf.status()).as(asOf.err()).isZero();
            assertThat(asOf.lastLine()).startsWith("created \"past\".\"" + table + "\": ").contains(" rows as of " + middle + " (");
            assertThat(Workload.dump(db, "SELECT * FROM past." + table)).as("%s as of %s", table, middle)
                    .isEqualTo(Workload.dump(prefix, "SELECT * FROM arch." + table)).isNotEmpty();
        }
        Cli.Result again = Cli.run("as-of", "--jdbc-url", db.url(), "--table", "arch.accounts", "--at", middle, "--into", "past.accounts");
        assertThat(again.status()).as("the table exists: %s", again.err()).isEqualTo(1);
        assertThat(again.err()).contains("past").contains("already exists");
    }

    @Test
    void historyAndFlashbackOfARecordedTransaction() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS music CASCADE");
            st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
        }
        Path input = Cli.file(dir, "/testdata/maxwell/music.maxwell.jsonl");
        Cli.Result replay = Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--archive", "--batch-events", "5", "--quiet");
        assertThat(replay.status()).as(replay.err()).isZero();
        List<Scenarios.Record> records = Scenarios.records("music");
        JsonNode last = JSON.readTree(records.get(records.size() - 1).bytes());
        String xid = last.get("xid").asText();
        Cli.Result flashback = Cli.run("flashback", "--jdbc-url", db.url(), "--xid", xid);
        assertThat(flashback.status()).as(flashback.err()).isZero();
        String sql = flashback.out();
        assertThat(sql).contains("START TRANSACTION;").contains("COMMIT;").contains("`music`.`album`");
        assertThat(flashback.err()).containsPattern("greenwell flashback: [1-9]\\d* statements");
        String id = last.get("data").get("id").asText();
        Cli.Result history = Cli.run("history", "--jdbc-url", db.url(), "--table", "music.album", "--key", "id=" + id);
        assertThat(history.status()).as(history.err()).isZero();
        assertThat(history.out().lines().skip(1).toList()).as(history.out()).isNotEmpty()
                .allMatch(l -> l.split("\t").length == 5).anyMatch(l -> l.contains("\t" + xid + "\t"));
        // MariaDB runs the script against the scenario's tables
        try (Connection maria = TestMariadb.connect("STRICT_TRANS_TABLES", "+00:00")) {
            String name = TestMariadb.createDatabase(maria, "flashcli");
            try (Statement st = maria.createStatement()) {
                st.execute("USE `" + name + "`");
                String schema = new String(Scenarios.resource("/testdata/maxwell/music.schema.sql"), StandardCharsets.UTF_8);
                for (String statement : schema.split(";\n")) {
                    String s = statement.replaceAll("(?m)^--.*$", "").trim();
                    if (!s.isEmpty() && !s.startsWith("CREATE DATABASE")) {
                        st.execute(s);
                    }
                }
                int run = 0;
                for (String statement : sql.replace("`music`.", "`" + name + "`.").split(";\n")) {
                    String s = statement.replaceAll("(?m)^--.*$", "").trim();
                    if (!s.isEmpty()) {
                        st.execute(s);
                        run++;
                    }
                }
                assertThat(run).as("statements MariaDB ran").isGreaterThan(3);
            } finally {
                TestMariadb.dropDatabase(maria, name);
            }
        }
    }

    private static void write(Path file, List<Scenarios.Record> records) throws java.io.IOException {
        try (var out = Files.newOutputStream(file)) {
            for (Scenarios.Record r : records) {
                out.write(r.bytes());
                out.write('\n');
            }
        }
    }

    private static String position(Scenarios.Record r) {
        try {
            return JSON.readTree(r.bytes()).get("position").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int compare(String a, String b) {
        String[] x = a.split(":");
        String[] y = b.split(":");
        int f = x[0].compareTo(y[0]);
        return f != 0 ? f : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }
}
