package io.greenwell.cdc.binlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.greenplum.FlashbackMariadbIT;
import io.greenwell.cdc.greenplum.ArchivedEvent;
import io.greenwell.cdc.greenplum.ChangeArchive;
import io.greenwell.cdc.greenplum.FlashbackScript;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.greenplum.TestDatabase;
import io.greenwell.cdc.pipeline.CdcPipeline;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The flashback round trip: MariaDB ({@link TestBinlogServer}) through the binlog source into a
 * target that keeps the change archive, then the flashback script rendered from that archive run
 * on MariaDB, and its undo carried back to the target by the same pipeline. The tables cover every
 * type family the script writes literals for (integers up to unsigned BIGINT, a key among them,
 * decimals, floats, strings in utf8mb4 and latin1 with non-ASCII characters and backslashes,
 * binary and blob, JSON, the temporal types, BIT, ENUM and SET), a composite key and a table
 * without a key; they are created on MariaDB while the pipeline runs, so the target creates them
 * from the binlog's DDL, with its own types.
 *
 * <p>Tables are compared whole, row for row, each column rendered as text by an expression of each
 * side ({@code {mariadb, postgresql}}); JSON documents are compared as parsed trees, since the
 * target keeps them as {@code jsonb} and the undo writes the archive's text back to MariaDB.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FlashbackRoundTripIT {

    private static final String PIPELINE = "flashback";
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS).enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** A column as each side renders it; a JSON column's text is parsed before it is compared. */
    private record Column(String mariadb, String postgresql, boolean json) {}

    /** A table: its MariaDB DDL ({@code %s} the database) and its columns, the key's first. */
    private record Table(String name, String ddl, List<Column> columns) {}

    private static Column col(String name) {
        return new Column(name, name, false);
    }

    private static Column col(String mariadb, String postgresql) {
        return new Column(mariadb, postgresql, false);
    }

    private static final Table KINDS = new Table("kinds", "CREATE TABLE %s.kinds (id bigint unsigned PRIMARY KEY, ti tinyint,"
            + " si smallint unsigned, iu int unsigned, bs bigint, bu bigint unsigned, de decimal(12,4), dz decimal(20,10), fl float,"
            + " db double, v varchar(40), l1 varchar(20) CHARACTER SET latin1, tx text, bi varbinary(8), bn binary(4), bl blob, js json,"
            + " dt datetime(3), d0 datetime, ts timestamp(6) NULL, da date, tm time(2), yr year, bt bit(10), b64 bit(64),"
            + " e enum('red','green','blue'), st set('x','y','z'))",
            List.of(col("id"), col("ti"), col("si"), col("iu"), col("bs"), col("bu"), col("de"), col("dz"), col("fl"), col("db"),
                    col("v"), col("l1"), col("tx"),
                    col("hex(bi)", "upper(encode(bi, 'hex'))"),
                    // MariaDB pads BINARY(4) with zero bytes; the binlog leaves them out, as Maxwell does
                    col("hex(bn)", "rpad(upper(encode(bn, 'hex')), 8, '0')"),
                    col("hex(bl)", "upper(encode(bl, 'hex'))"),
                    new Column("js", "js", true),
                    col("date_format(dt, '%Y-%m-%d %H:%i:%s.%f')", "to_char(dt, 'YYYY-MM-DD HH24:MI:SS.US')"),
                    col("date_format(d0, '%Y-%m-%d %H:%i:%s')", "to_char(d0, 'YYYY-MM-DD HH24:MI:SS')"),
                    col("date_format(ts, '%Y-%m-%d %H:%i:%s.%f')", "to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"),
                    col("date_format(da, '%Y-%m-%d')", "to_char(da, 'YYYY-MM-DD')"),
                    col("cast(round(time_to_sec(tm) * 1000000) AS signed)", "round(extract(epoch FROM tm) * 1000000)::bigint"),
                    col("cast(yr AS signed)", "yr"),
                    col("lpad(bin(bt + 0), 10, '0')", "bt"),
                    col("lpad(bin(b64 + 0), 64, '0')", "b64"),
                    col("e"),
                    col("st", "array_to_string(st, ',')")));
    private static final Table LINE = new Table("line", "CREATE TABLE %s.line (region varchar(10), n smallint unsigned,"
            + " sku varchar(20) NOT NULL, qty int NOT NULL, price decimal(8,2), PRIMARY KEY (region, n))",
            List.of(col("region"), col("n"), col("sku"), col("qty"), col("price")));
    private static final Table TAGS = new Table("tags", "CREATE TABLE %s.tags (tag varchar(20), weight int)",
            List.of(col("tag"), col("weight")));
    private static final List<Table> TABLES = List.of(KINDS, LINE, TAGS);

    private TestDatabase pg;
    private Connection maria;
    private Statement my;
    private String db;
    private BinlogSource source;
    private GreenplumTarget target;
    private CdcPipeline pipeline;

    @BeforeEach
    void setUp() throws Exception {
        maria = TestBinlogServer.connect();
        my = maria.createStatement();
        TestBinlogServer.awaitNoReader(my); // the reader of a test before has gone, so the one awaited below is this test's
        db = TestBinlogServer.createDatabase(my, "flashback");
        pg = TestDatabase.create("flashback");
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + db);
        }
        source = BinlogSource.builder().host("127.0.0.1").port(TestBinlogServer.port()).user("root")
                .serverId(400_000 + new Random().nextInt(100_000)).databases(List.of(db)).heartbeat(Duration.ofSeconds(1)).build();
        target = GreenplumTarget.builder().jdbcUrl(pg.url()).archive(true).streamLockWait(Duration.ofSeconds(2)).build();
        pipeline = CdcPipeline.builder().name(PIPELINE).source(source).target(target).maxDelay(Duration.ofMillis(200)).build();
        pipeline.start();
        TestBinlogServer.awaitReader(my); // reading before the tables exist: the target creates them from the binlog
    }

    @AfterEach
    void tearDown() throws Exception {
        if (pipeline != null) {
            pipeline.stop();
            try {
                pipeline.await(Duration.ofSeconds(30));
            } catch (CdcException e) {
                // the test looked at it
            }
        }
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
        if (my != null) {
            my.execute("DROP DATABASE IF EXISTS `" + db + "`");
            maria.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void theUndoOfARangeOfTransactionsRunOnMariadbFlowsBackAndBothSidesEqualTheStateBefore() throws Exception {
        createAndLoad();
        awaitSame();
        Map<String, List<String>> before = targetState();
        Instant since = nextSecond(); // the loaded rows' events lie before it

        // 1: every column of a row changed, a row of every family inserted, a row of the composite key deleted
        transaction("UPDATE DB.kinds SET ti = 6, si = 1, iu = 7, bs = 42, bu = 18446744073709551614, de = 0.0001,"
                        + " dz = -1.5000000000, fl = -3.75, db = 0.125, v = 'ünïcödé ✓', l1 = 'Ærø', tx = 'tab\\there', bi = x'7f',"
                        + " bn = x'ffffffff', bl = x'00', js = '{\"a\": {\"deep\": true}, \"n\": 1.50}', dt = '2025-06-07 08:09:10.001',"
                        + " d0 = '2038-01-19 03:14:08', ts = '2038-01-19 03:14:07.999999', da = '2000-01-01', tm = '23:59:59.99',"
                        + " yr = 2155, bt = b'1', b64 = b'1000000000000000000000000000000000000000000000000000000000000000',"
                        + " e = 'blue', st = 'y' WHERE id = 1",
                "INSERT INTO DB.kinds VALUES (4, -128, 2, 3, -1, 9223372036854775808, -0.5000, 12345678.1234567890, 3.5, -1.25,"
                        + " 'neu \"quoted\" ''single''', 'àé', 'back\\\\slash\\nnew line', x'0000', x'01', x'ff00ff00',"
                        + " '{\"k\": [\"ä\", null, -0.5]}', '2001-02-03 04:05:06.007', '2001-02-03 04:05:06', '2001-02-03 04:05:06.000007',"
                        + " '2001-02-03', '01:02:03.04', 1999, b'1111111111', b'101', 'red', 'x,y,z')",
                "DELETE FROM DB.line WHERE region = 'Köln' AND n = 1");
        // 2: a change of an unsigned BIGINT key, to the type's top
        sql("UPDATE DB.kinds SET id = 18446744073709551615, v = 'moved ключ' WHERE id = 3");
        // 3: a row of every family deleted, a composite key changed, a row of NULLs given values
        transaction("DELETE FROM DB.kinds WHERE id = 2",
                "UPDATE DB.line SET n = 3, qty = qty + 1 WHERE region = 'Zürich' AND n = 2",
                "INSERT INTO DB.line VALUES ('Köln', 2, 'SKU-neu', 1, 1.00)",
                "UPDATE DB.kinds SET v = 'was null', js = '[1, \"two\"]', bt = b'1', bl = x'0a', st = 'z', ts = '2020-01-01 00:00:00'"
                        + " WHERE id = 5");
        // 4: a table without a key (one of two equal rows deleted), and one statement that updates two rows
        transaction("DELETE FROM DB.tags WHERE tag = 'a' LIMIT 1",
                "UPDATE DB.tags SET weight = 3 WHERE tag = 'b'",
                "INSERT INTO DB.tags VALUES ('c', NULL)",
                "UPDATE DB.line SET price = price * 2 WHERE region = 'Zürich'");
        awaitSame();
        Map<String, List<String>> changed = targetState();
        for (Table t : TABLES) {
            assertThat(changed.get(t.name())).as("the changes reached %s", t.name()).isNotEqualTo(before.get(t.name()));
        }
        Instant until = nextSecond().minusSeconds(1); // the flashback's own events lie after it

        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(pg.url()).build();
        ChangeArchive.Selection range = new ChangeArchive.Selection(PIPELINE, null, since, until, List.of());
        List<ArchivedEvent> events = archive.events(range);
        List<String> kinds = new ArrayList<>();
        LinkedHashSet<BigInteger> xids = new LinkedHashSet<>();
        for (ArchivedEvent e : events) {
            kinds.add(e.type() + " " + e.table());
            xids.add(e.xid());
        }
        assertThat(kinds).as("the archived events of the range").containsExactly(
                "update kinds", "insert kinds", "delete line",
                "update kinds",
                "delete kinds", "update line", "insert line", "update kinds",
                "delete tags", "update tags", "insert tags", "update line", "update line");
        assertThat(xids).as("one xid per transaction").hasSize(4).doesNotContainNull();

        FlashbackScript script = archive.flashback(range);
        assertThat(script.statements()).isEqualTo(13);
        assertThat(script.guarded()).as("the updates").isEqualTo(7);
        assertThat(runOnMariadb(script)).as("rows changed by each statement of%n%s", script.sql()).hasSize(13).containsOnly(1);
        assertState(mariadbState(), before, "MariaDB after the flashback");

        awaitSame();
        assertState(targetState(), before, "the target after the undo came through the pipeline");
        assertThat(pipeline.progress().deadLetters()).isZero();
    }

    @Test
    void aRowChangedAgainSinceTheTransactionKeepsItsLaterValueOnBothSidesAndTheRestIsUndone() throws Exception {
        createAndLoad();
        awaitSame();
        Map<String, List<String>> before = targetState();
        // the transaction to undo
        transaction("UPDATE DB.kinds SET de = 1.0000, v = 'first' WHERE id = 1",
                "UPDATE DB.line SET qty = 7 WHERE region = 'Zürich' AND n = 1",
                "INSERT INTO DB.tags VALUES ('t', 9)");
        awaitSame();
        // one of its rows changed again after it
        sql("UPDATE DB.kinds SET de = 2.0000 WHERE id = 1");
        awaitSame();
        Map<String, List<String>> later = targetState();

        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(pg.url()).build();
        List<ChangeArchive.RowHistory> history = archive.history(TableId.of(db, "line"), Map.of("region", "Zürich", "n", "1"), null, null);
        assertThat(history).extracting(h -> h.event().type()).containsExactly("insert", "update");
        BigInteger xid = history.get(1).event().xid();
        assertThat(xid).isNotNull();

        FlashbackScript script = archive.flashback(new ChangeArchive.Selection(PIPELINE, xid, null, null, List.of()));
        assertThat(script.statements()).isEqualTo(3);
        assertThat(script.guarded()).isEqualTo(2);
        assertThat(script.sql()).contains("-- 3 statements, 2 of them guarded");
        // newest first: the insert's DELETE, the line's UPDATE, then the kinds UPDATE whose guard finds de = 2.0000
        assertThat(runOnMariadb(script)).as("rows changed by each statement of%n%s", script.sql()).containsExactly(1, 1, 0);

        Map<String, List<String>> want = new TreeMap<>(before);
        want.put(KINDS.name(), replaceRow(before.get(KINDS.name()), later.get(KINDS.name()), "1 | "));
        assertState(mariadbState(), want, "MariaDB after the flashback");
        awaitSame();
        assertState(targetState(), want, "the target after the undo came through the pipeline");
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            String sql = " FROM %s.kinds WHERE id = 1";
            assertThat(SameTables.rows(my, "SELECT de, v" + String.format(sql, "`" + db + "`"))).containsExactly("2.0000 | first");
            assertThat(SameTables.rows(st, "SELECT de, v" + String.format(sql, db))).containsExactly("2.0000 | first");
            assertThat(SameTables.rows(st, "SELECT qty FROM " + db + ".line WHERE region = 'Zürich' AND n = 1")).containsExactly("2");
            assertThat(SameTables.rows(st, "SELECT count(*) FROM " + db + ".tags WHERE tag = 't'")).containsExactly("0");
        }
        assertThat(pipeline.progress().deadLetters()).isZero();
    }

    // ---- MariaDB ----

    /** Creates the tables on MariaDB, so that the target creates its own from the binlog, and loads their rows. */
    private void createAndLoad() throws SQLException {
        for (Table t : TABLES) {
            my.execute(String.format(t.ddl(), "`" + db + "`"));
        }
        sql("INSERT INTO DB.kinds VALUES"
                + " (1, -5, 65535, 4294967295, -9223372036854775808, 18446744073709551615, -12.3450, 0.0000000000, 1.5, 2.25,"
                + " 'café € 😀', 'straße', 'it''s a\\\\b\\nline', x'00ff10', x'0102', x'deadbeef', '{\"a\": [1, 2], \"k\": \"ü\"}',"
                + " '2024-01-02 03:04:05.678', '1000-01-01 00:00:00', '2024-05-06 07:08:09.123456', '2024-12-31', '12:34:56.78', 2024,"
                + " b'1010000001', b'1111111111111111111111111111111111111111111111111111111111111111', 'green', 'x,z'),"
                + " (2, 127, 0, 0, 9223372036854775807, 0, 99999999.9999, 1.0000000001, -0.25, -0.5, '日本語', '', '', x'', x'00', x'',"
                + " '[]', '9999-12-31 23:59:59.999', '2000-02-29 12:00:00', '1970-01-01 00:00:01.000000', '0001-01-01', '00:00:00', 1901,"
                + " b'0', b'0', 'red', ''),"
                + " (3, 1, 1, 1, 1, 1, 1.0000, 1.0000000000, 1, 1, 'three', 'drei', 'three', x'03', x'03', x'03', '{\"n\": 3}',"
                + " '2003-03-03 03:03:03.003', '2003-03-03 03:03:03', '2003-03-03 03:03:03.000003', '2003-03-03', '03:03:03.03', 2003,"
                + " b'11', b'11', 'blue', 'y'),"
                + " (18446744073709551614, 0, 0, 0, 0, 18446744073709551615, 0.0000, 0.0000000000, 0, 0, 'top', 'top', 'top', x'ff',"
                + " x'ff', x'ff', 'true', '2038-01-19 03:14:07.000', '2038-01-19 03:14:07', '2038-01-19 03:14:07.000000', '2038-01-19',"
                + " '00:00:00.01', 2038, b'1000000000', b'1', 'green', 'x')",
                "INSERT INTO DB.kinds (id) VALUES (5)",
                "INSERT INTO DB.line VALUES ('Zürich', 1, 'SKU-1', 2, 9.90), ('Zürich', 2, 'SKU-2', 1, 0.05), ('Köln', 1, 'SKU-ü', 5, NULL)",
                "INSERT INTO DB.tags VALUES ('a', 1), ('a', 1), ('b', 2)");
    }

    private void sql(String... statements) throws SQLException {
        for (String s : statements) {
            my.execute(s.replace("DB.", "`" + db + "`."));
        }
    }

    private void transaction(String... statements) throws SQLException {
        my.execute("START TRANSACTION");
        sql(statements);
        my.execute("COMMIT");
    }

    /**
     * Runs a script on MariaDB in a session of its own, one statement per line as a client reads
     * it, and asserts that no statement raised a warning.
     *
     * @return the rows each statement that undoes an event changed, in the script's order
     */
    private static List<Integer> runOnMariadb(FlashbackScript script) throws SQLException {
        List<Integer> counts = new ArrayList<>();
        try (Connection c = TestBinlogServer.connect()) {
            for (FlashbackMariadbIT.Result r : FlashbackMariadbIT.run(c, script)) {
                assertThat(r.warnings()).as(r.statement()).isEmpty();
                counts.add(r.count());
            }
        }
        return counts;
    }

    // ---- the tables on both sides ----

    /** @return every table of MariaDB, each row rendered as text, rows sorted */
    private Map<String, List<String>> mariadbState() throws SQLException {
        return state(my, true);
    }

    /** @return every table of the target, each row rendered as MariaDB's are, rows sorted */
    private Map<String, List<String>> targetState() throws SQLException {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            return state(st, false);
        }
    }

    private Map<String, List<String>> state(Statement st, boolean mariadb) throws SQLException {
        Map<String, List<String>> out = new TreeMap<>();
        for (Table t : TABLES) {
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < t.columns().size(); i++) {
                Column c = t.columns().get(i);
                sql.append(i == 0 ? "" : ", ");
                if (mariadb) {
                    sql.append("cast(").append(c.mariadb()).append(" AS char)");
                } else {
                    sql.append("(").append(c.postgresql()).append(")::text");
                }
            }
            sql.append(" FROM ").append(mariadb ? "`" + db + "`" : db).append('.').append(t.name());
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(sql.toString())) {
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 0; i < t.columns().size(); i++) {
                        String v = rs.getString(i + 1);
                        row.append(i == 0 ? "" : " | ").append(v == null ? "\\N" : t.columns().get(i).json() ? canonicalJson(v) : v);
                    }
                    rows.add(row.toString());
                }
            }
            Collections.sort(rows);
            out.put(t.name(), rows);
        }
        return out;
    }

    /** @return the document with its members sorted and no whitespace, numbers as written */
    private static String canonicalJson(String text) {
        try {
            return JSON.writeValueAsString(JSON.readValue(text, Object.class));
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static void assertState(Map<String, List<String>> actual, Map<String, List<String>> expected, String what) {
        for (Table t : TABLES) {
            assertThat(actual.get(t.name())).as("%s: %s", what, t.name()).containsExactlyElementsOf(expected.get(t.name()));
        }
    }

    /** @return the rows of {@code into}, with the one that starts with {@code prefix} taken from {@code from} */
    private static List<String> replaceRow(List<String> into, List<String> from, String prefix) {
        List<String> out = new ArrayList<>();
        for (String r : into) {
            if (!r.startsWith(prefix)) {
                out.add(r);
            }
        }
        for (String r : from) {
            if (r.startsWith(prefix)) {
                out.add(r);
            }
        }
        assertThat(out).hasSameSizeAs(into);
        Collections.sort(out);
        return out;
    }

    /**
     * Waits until every table of the target equals MariaDB's: the pipeline has applied every change
     * committed before the call. Fails when the pipeline ends, or after 90 s with the difference.
     */
    private void awaitSame() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            assertThat(pipeline.await(Duration.ofMillis(100))).as("the pipeline ended early").isNull();
            Map<String, List<String>> want = mariadbState();
            Map<String, List<String>> got;
            try {
                got = targetState();
            } catch (SQLException e) {
                got = null; // the target has not created the tables yet
            }
            if (want.equals(got)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                assertThat(got).as("the target's tables (waited 90 s; progress %s)", pipeline.progress()).isNotNull();
                assertState(got, want, "the target against MariaDB");
            }
        }
    }

    /**
     * Sleeps into the next second of the clock. Events carry whole seconds ({@code ts}), so the
     * events of statements run before the call are earlier than the second returned, and those run
     * after it are at it or later.
     *
     * @return the second just begun
     */
    private static Instant nextSecond() throws InterruptedException {
        Instant now = Instant.now();
        Instant next = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        Thread.sleep(Duration.between(now, next).toMillis() + 50);
        return next;
    }
}
