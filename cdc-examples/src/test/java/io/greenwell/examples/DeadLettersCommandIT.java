package io.greenwell.examples;

import static io.greenwell.cdc.greenplum.MaxwellStream.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.MaxwellStream;
import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code greenwell dead-letters retry}: a replay leaves dead letters of three causes, two are
 * fixed, the retry applies exactly those (into the mapped schema), and a second retry changes
 * nothing; usage and failure statuses.
 */
class DeadLettersCommandIT {

    private static final List<String> PK = List.of("id");
    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("retrycli");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }


    @Test
    void retryAppliesTheFixedLettersAndKeepsTheOther() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS replica CASCADE");
            st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
        }
        Cli.Result nothing = Cli.run("dead-letters", "retry", "--jdbc-url", db.url());
        assertThat(nothing.status()).as(nothing.err()).isZero();
        assertThat(nothing.lastLine()).as("nothing to retry").isEqualTo("retried=0 applied=0 still_failing=0");
        assertThat(rows("SELECT count(*), 0 FROM pg_catalog.pg_namespace WHERE nspname = 'greenwell'")).containsExactly("0|0");

        MaxwellStream s = new MaxwellStream().createDatabase("shop")
                .createTable("shop", "t", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar")), PK,
                        "CREATE TABLE t (id int PRIMARY KEY, v varchar(5))")
                .createTable("shop", "small", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("n", "smallint")), PK,
                        "CREATE TABLE small (id int PRIMARY KEY, n smallint)")
                .begin()
                .insert("shop", "t", PK, row("id", 1, "v", "ok"))
                .insert("shop", "t", PK, row("id", 2, "v", "much too long"))
                .insert("shop", "small", PK, row("id", 1, "n", 70000))
                .insert("shop", "late", PK, row("id", 1, "name", "first"))
                .commit()
                .update("shop", "late", PK, row("id", 1, "name", "second"), row("name", "first"));
        Path input = dir.resolve("shop.jsonl");
        Files.write(input, bytes(s.records()));
        Cli.Result replay = Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--schema-map", "shop=replica",
                "--quiet");
        assertThat(replay.status()).as(replay.err()).isZero();
        assertThat(replay.lastLine()).contains(" dead_letters=4 ");
        assertThat(rows("SELECT id, v FROM replica.t ORDER BY id")).containsExactly("1|ok");

        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE replica.t ALTER COLUMN v TYPE varchar(20)");
            st.execute("CREATE TABLE replica.late (id integer PRIMARY KEY, name text)");
        }
        Cli.Result excluded = Cli.run("dead-letters", "retry", "--jdbc-url", db.url(), "--pipeline", "default", "--schema-map", "shop=replica",
                "--exclude", "shop.t,shop.late");
        assertThat(excluded.status()).as(excluded.err()).isZero();
        assertThat(excluded.out().strip()).as("the excluded tables' letters stay").isEqualTo("retried=4 applied=0 still_failing=4");
        assertThat(rows("SELECT id, v FROM replica.t ORDER BY id")).containsExactly("1|ok");
        assertThat(rows("SELECT id, name FROM replica.late ORDER BY id")).isEmpty();
        Cli.Result retry = Cli.run("dead-letters", "retry", "--jdbc-url", db.url(), "--pipeline", "default", "--schema-map", "shop=replica");
        assertThat(retry.status()).as(retry.err()).isZero();
        assertThat(retry.out().strip()).isEqualTo("retried=4 applied=3 still_failing=1");
        assertThat(rows("SELECT id, v FROM replica.t ORDER BY id")).containsExactly("1|ok", "2|much too long");
        assertThat(rows("SELECT id, name FROM replica.late ORDER BY id")).containsExactly("1|second");
        assertThat(rows("SELECT id, n FROM replica.small ORDER BY id")).isEmpty();
        assertThat(rows("SELECT pipeline, stream, \"offset\", table_name, key, sqlstate FROM greenwell.dead_letter"))
                .containsExactly("default|" + input.toAbsolutePath() + "|" + s.records().get(5).offset() + "|shop.small|id=1|22003");
        assertThat(rows("SELECT count(*), 0 FROM pg_catalog.pg_namespace WHERE nspname = 'shop'")).as("the mapping was followed")
                .containsExactly("0|0");

        Cli.Result again = Cli.run("dead-letters", "retry", "--jdbc-url", db.url(), "--schema-map", "shop=replica");
        assertThat(again.status()).as(again.err()).isZero();
        assertThat(again.lastLine()).isEqualTo("retried=1 applied=0 still_failing=1");
        assertThat(again.err()).contains("1 dead letter(s) stay");
        assertThat(rows("SELECT id, v FROM replica.t ORDER BY id")).containsExactly("1|ok", "2|much too long");
        assertThat(rows("SELECT id, name FROM replica.late ORDER BY id")).containsExactly("1|second");
        assertThat(rows("SELECT pipeline, \"offset\", sqlstate FROM greenwell.dead_letter"))
                .containsExactly("default|" + s.records().get(5).offset() + "|22003");

        Cli.Result list = Cli.run("dead-letters", "list", "--jdbc-url", db.url());
        assertThat(list.status()).isZero();
        assertThat(list.out()).contains("shop.small\tid=1\t22003");
    }

    @Test
    void badUsageIsStatusTwoAndFailureIsStatusOne() {
        assertThat(Cli.run("dead-letters", "bogus", "--jdbc-url", db.url()).status()).isEqualTo(2);
        assertThat(Cli.run("dead-letters", "retry").status()).isEqualTo(2);
        assertThat(Cli.run("dead-letters", "retry", "--jdbc-url", db.url(), "--schema-map", "nonsense").status()).isEqualTo(2);
        Cli.Result help = Cli.run("dead-letters", "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("retry:", "--schema-map");
        Cli.Result r = Cli.run("dead-letters", "retry", "--jdbc-url", TestDatabase.withDatabase(db.url(), "no_such_database_here"));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("no_such_database_here");
    }

    private static byte[] bytes(List<Scenarios.Record> records) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Scenarios.Record r : records) {
            out.writeBytes(r.bytes());
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static List<String> rows(String query) throws SQLException {
        return db.rows(query);
    }
}
