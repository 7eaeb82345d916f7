package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.MaxwellStream;
import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed records of every kind of DESIGN section 9, spliced between good ones: the replay exits
 * with 0, applies every good row, and writes exactly one dead letter per bad record, naming its
 * offset and keeping its bytes.
 */
class BadInputIT {

    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("badinput");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String row(String type, String data) {
        return "{\"database\":\"shop\",\"table\":\"t\",\"type\":\"" + type + "\",\"ts\":1795461549,\"xid\":9,\"commit\":true,"
                + "\"position\":\"mysql-bin.000001:POS\",\"server_id\":1,\"primary_key_columns\":[\"id\"],\"data\":" + data + "}";
    }

    @ParameterizedTest(name = "batches of {0}")
    @ValueSource(ints = {1, 5, 100000})
    void everyBadRecordIsOneDeadLetterAndEveryGoodRowIsApplied(int batchEvents) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS shop CASCADE");
            st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
        }
        MaxwellStream good = new MaxwellStream().createDatabase("shop").createTable("shop", "t",
                List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar")), List.of("id"),
                "CREATE TABLE t (id int PRIMARY KEY, v varchar(5))");
        for (int id = 1; id <= 12; id++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", id);
            r.put("v", "ok" + id);
            good.insert("shop", "t", List.of("id"), r);
        }
        List<Scenarios.Record> goodRecords = good.records();
        byte[] badUtf8 = utf8(row("insert", "{\"id\":100,\"v\":\"XX\"}"));
        int at = new String(badUtf8, StandardCharsets.UTF_8).indexOf("XX");
        badUtf8[at] = (byte) 0xC3;
        badUtf8[at + 1] = (byte) 0x28;
        List<byte[]> bad = new ArrayList<>(List.of(
                utf8("{\"database\":\"shop\",\"table\":\"t\",\"type\":\"insert\","),                 // bad JSON (truncated)
                utf8(row("insert", "{\"id\":101,\"v\":\"a\"}") + " trailing"),                   // trailing garbage
                utf8("[1,2,3]"),                                                                   // not an object
                badUtf8,                                                                           // invalid UTF-8
                utf8("{\"database\":\"shop\",\"table\":\"t\",\"ts\":1,\"data\":{\"id\":102}}"),     // missing type
                utf8("{\"database\":\"shop\",\"table\":\"t\",\"type\":\"insert\",\"ts\":\"x\",\"data\":{\"id\":103}}"), // mistyped ts
                utf8("{\"database\":\"shop\",\"table\":\"t\",\"type\":\"heartbeat\",\"ts\":1,\"data\":{}}"), // unknown type
                utf8(row("insert", "{\"v\":\"nokey\"}")),                                          // missing key value
                utf8(row("insert", "{\"id\":null,\"v\":\"null\"}")),                               // null key value
                utf8(row("insert", "{\"id\":104,\"v\":\"far too long\"}")),                         // a value the database refuses
                utf8(row("insert", "{\"id\":105,\"v\":\"x\"}").replace("\"table\":\"t\"", "\"table\":\"nope\"")))); // unknown table
        // splice: two good records (the DDL) first, then a bad one after every good one
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<Long> badOffsets = new ArrayList<>();
        int b = 0;
        long lastOffset = 0;
        for (int i = 0; i < goodRecords.size(); i++) {
            lastOffset = file.size();
            file.write(goodRecords.get(i).bytes());
            file.write('\n');
            if (i >= 2 && b < bad.size()) {
                // a bad row sits between its neighbours in the binlog too, or the sequencer takes it for a replay
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("mysql-bin.000001:(\\d+)")
                        .matcher(new String(goodRecords.get(i).bytes(), StandardCharsets.UTF_8));
                assertThat(m.find()).isTrue();
                byte[] rec = new String(bad.get(b), StandardCharsets.ISO_8859_1)
                        .replace("POS", String.valueOf(Long.parseLong(m.group(1)) + 50)).getBytes(StandardCharsets.ISO_8859_1);
                bad.set(b++, rec);
                badOffsets.add((long) file.size());
                file.write(rec);
                file.write('\n');
            }
        }
        assertThat(b).isEqualTo(bad.size());
        Path input = dir.resolve("bad.jsonl");
        Files.write(input, file.toByteArray());
        Cli.Result r = Cli.run("replay", "--input", input.toString(), "--jdbc-url", db.url(), "--batch-events", String.valueOf(batchEvents),
                "--quiet");
        assertThat(r.status()).as(r.err()).isZero();
        long[] c = ReplayCommandIT.counts(r.lastLine());
        assertThat(c[0]).isEqualTo(goodRecords.size() + bad.size());
        assertThat(c[4]).as("dead letters").isEqualTo(bad.size());
        try (Connection conn = db.connect(); Statement st = conn.createStatement()) {
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT id, v FROM shop.t ORDER BY id")) {
                while (rs.next()) {
                    rows.add(rs.getInt(1) + "=" + rs.getString(2));
                }
            }
            List<String> want = new ArrayList<>();
            for (int id = 1; id <= 12; id++) {
                want.add(id + "=ok" + id);
            }
            assertThat(rows).isEqualTo(want);
            List<Long> offsets = new ArrayList<>();
            List<byte[]> raws = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT \"offset\", raw_record, stream FROM greenwell.dead_letter ORDER BY \"offset\"")) {
                while (rs.next()) {
                    offsets.add(rs.getLong(1));
                    raws.add(rs.getBytes(2));
                    assertThat(rs.getString(3)).isEqualTo(input.toAbsolutePath().toString());
                }
            }
            assertThat(offsets).isEqualTo(badOffsets);
            for (int i = 0; i < bad.size(); i++) {
                assertThat(raws.get(i)).as("raw bytes of bad record %d", i).isEqualTo(bad.get(i));
            }
        }
        // the operations commands see them
        Cli.Result list = Cli.run("dead-letters", "list", "--jdbc-url", db.url(), "--pipeline", "default");
        assertThat(list.status()).as(list.err()).isZero();
        assertThat(list.out().strip().lines().count()).isEqualTo(1 + bad.size());
        assertThat(list.out()).contains("shop.t\tid=104\t22001");
        Cli.Result show = Cli.run("checkpoint", "show", "--jdbc-url", db.url());
        assertThat(show.out()).contains("default\t" + input.toAbsolutePath() + "\t" + lastOffset + "\t");
        Cli.Result reset = Cli.run("checkpoint", "reset", "--jdbc-url", db.url(), "--pipeline", "default");
        assertThat(reset.out()).startsWith("reset 1 checkpoint(s) of pipeline default");
        assertThat(Cli.run("checkpoint", "show", "--jdbc-url", db.url()).out().strip().lines().count()).isEqualTo(1);
        assertThat(Cli.run("checkpoint", "reset", "--jdbc-url", db.url()).status()).isEqualTo(2);
    }
}
