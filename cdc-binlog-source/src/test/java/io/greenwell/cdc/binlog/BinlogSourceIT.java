package io.greenwell.cdc.binlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.greenplum.TcpProxy;
import io.greenwell.cdc.greenplum.TestDatabase;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The binlog source against a MariaDB server of its own with the binlog on ({@link TestBinlogServer}),
 * into PostgreSQL (or the server {@code GREENWELL_TEST_JDBC_URL} names): a workload of every type
 * family, keys and key changes, a table without a key, multi-row and rolled-back transactions and
 * one transaction larger than the source holds in memory; the target's tables are then compared
 * with MariaDB's own, row by row, every column rendered as text on both sides. Also: a restart
 * resumes at the checkpoint; the settings the source needs are refused when missing; a purged
 * binlog and statements the source cannot follow stop the pipeline with messages that say what to do;
 * DDL becomes schema changes that the target applies.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BinlogSourceIT {

    /** The family table: MariaDB's DDL, the target's, and each column rendered as text on each side. */
    private static final String TYPES_DDL = "CREATE TABLE %s.types (id int unsigned PRIMARY KEY, ti tinyint, tu tinyint unsigned,"
            + " si smallint unsigned, mi mediumint unsigned, iu int unsigned, bs bigint, bu bigint unsigned, de decimal(10,3),"
            + " dz decimal(20,10), fl float, db double, v1 varchar(10) CHARACTER SET latin1, e enum('a','b','c'), v2 varchar(20),"
            + " st set('x','y','z'), bi varbinary(5), bn binary(3), tx text, bl blob, dt datetime(3), d0 datetime, ts timestamp(6) NULL,"
            + " da date, tm time(2), yr year, bt bit(10), b64 bit(64), js json, ch char(3))";
    private static final String TYPES_PG = "CREATE TABLE %s.types (id bigint PRIMARY KEY, ti smallint, tu smallint, si integer,"
            + " mi integer, iu bigint, bs bigint, bu numeric(20,0), de numeric(10,3), dz numeric(20,10), fl real, db double precision,"
            + " v1 varchar(10), e text, v2 varchar(20), st text[], bi bytea, bn bytea, tx text, bl bytea, dt timestamp(3),"
            + " d0 timestamp(0), ts timestamp(6) with time zone, da date, tm interval, yr smallint, bt bit(10), b64 bit(64), js text,"
            + " ch varchar(3))";
    private static final List<String[]> TYPES_COLUMNS = List.of(
            col("id"), col("ti"), col("tu"), col("si"), col("mi"), col("iu"), col("bs"), col("bu"), col("de"), col("dz"),
            col("fl"), col("db"), col("v1"), col("e"), col("v2"),
            new String[] {"st", "array_to_string(st, ',')"},
            new String[] {"hex(bi)", "upper(encode(bi, 'hex'))"},
            // the binlog leaves out BINARY(n)'s trailing zero bytes, as Maxwell does
            new String[] {"trim(TRAILING '0' FROM hex(bn))", "rtrim(upper(encode(bn, 'hex')), '0')"},
            col("tx"),
            new String[] {"hex(bl)", "upper(encode(bl, 'hex'))"},
            new String[] {"date_format(dt, '%Y-%m-%d %H:%i:%s.%f')", "to_char(dt, 'YYYY-MM-DD HH24:MI:SS.US')"},
            new String[] {"date_format(d0, '%Y-%m-%d %H:%i:%s')", "to_char(d0, 'YYYY-MM-DD HH24:MI:SS')"},
            new String[] {"date_format(ts, '%Y-%m-%d %H:%i:%s.%f')", "to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"},
            new String[] {"date_format(da, '%Y-%m-%d')", "to_char(da, 'YYYY-MM-DD')"},
            new String[] {"cast(round(time_to_sec(tm) * 1000000) AS signed)", "round(extract(epoch FROM tm) * 1000000)::bigint"},
            new String[] {"cast(yr AS signed)", "yr"},
            new String[] {"lpad(bin(bt + 0), 10, '0')", "bt::text"},
            new String[] {"lpad(bin(b64 + 0), 64, '0')", "b64::text"},
            col("js"), col("ch"));

    private TestDatabase pg;
    private Connection maria;
    private Statement my;
    private String db;
    private final List<CdcPipeline> pipelines = new ArrayList<>();
    private final List<BinlogSource> sources = new ArrayList<>();
    private final List<GreenplumTarget> targets = new ArrayList<>();

    private static String[] col(String name) {
        return SameTables.col(name);
    }

    @BeforeEach
    void setUp() throws Exception {
        maria = TestBinlogServer.connect();
        my = maria.createStatement();
        db = TestBinlogServer.createDatabase(my, "binlog");
        pg = TestDatabase.create("binlog");
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + db);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (CdcPipeline p : pipelines) {
            p.stop();
            try {
                p.await(Duration.ofSeconds(30));
            } catch (CdcException e) {
                // the test looked at it
            }
        }
        sources.forEach(BinlogSource::close);
        targets.forEach(GreenplumTarget::close);
        my.execute("DROP DATABASE IF EXISTS `" + db + "`");
        maria.close();
    }

    private BinlogSource.Builder source() {
        return BinlogSource.builder().host("127.0.0.1").port(TestBinlogServer.port()).user("root").serverId(1000 + new Random().nextInt(100_000))
                .databases(List.of(db)).heartbeat(Duration.ofSeconds(1));
    }

    private CdcPipeline start(String name, BinlogSource source) throws Exception {
        CdcPipeline p = startReading(name, source);
        TestBinlogServer.awaitReader(my);
        return p;
    }

    /** Starts a pipeline without waiting for its source to read the binlog (a snapshot comes first). */
    private CdcPipeline startReading(String name, BinlogSource source) throws Exception {
        sources.add(source);
        GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(pg.url()).streamLockWait(Duration.ofSeconds(2)).build();
        targets.add(target);
        CdcPipeline p = CdcPipeline.builder().name(name).source(source).target(target).maxDelay(Duration.ofMillis(200))
                .batchLimits(new BatchLimits(500, 64L << 20, true)).build();
        pipelines.add(p);
        p.start();
        return p;
    }

    /** Stops a pipeline (it may have failed) and closes its source and target, as a process that ends does. */
    private void stop(CdcPipeline p) throws Exception {
        int i = pipelines.indexOf(p);
        p.stop();
        try {
            assertThat(p.await(Duration.ofSeconds(30))).as("the pipeline stopped").isNotNull();
        } catch (CdcException e) {
            // it failed, and the test looked at why
        }
        sources.remove(i).close();
        targets.remove(i).close();
        pipelines.remove(i);
    }

    private void both(String mariaSql, String pgSql) throws SQLException {
        my.execute(String.format(mariaSql, "`" + db + "`"));
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute(String.format(pgSql, db));
        }
    }

    private void createTables() throws SQLException {
        both(TYPES_DDL, TYPES_PG);
        both("CREATE TABLE %s.kv (id bigint PRIMARY KEY, v varchar(40) NOT NULL, n int)", "CREATE TABLE %s.kv (id bigint PRIMARY KEY, v varchar(40) NOT NULL, n integer)");
        both("CREATE TABLE %s.nokey (a int, b varchar(10))", "CREATE TABLE %s.nokey (a integer, b varchar(10))");
        both("CREATE TABLE %s.done (id int PRIMARY KEY)", "CREATE TABLE %s.done (id integer PRIMARY KEY)");
        both("CREATE TABLE %s.coll (id int PRIMARY KEY, s varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci,"
                + " l varchar(20) CHARACTER SET latin1 COLLATE latin1_german2_ci)", "CREATE TABLE %s.coll (id integer PRIMARY KEY, s varchar(20), l varchar(20))");
    }

    private void sql(String... statements) throws SQLException {
        for (String s : statements) {
            my.execute(s.replace("DB.", "`" + db + "`."));
        }
    }

    /** Writes a marker row and waits until the target has it: every change before it is applied. */
    private void caughtUp(CdcPipeline p, int marker) throws Exception {
        sql("INSERT INTO DB.done VALUES (" + marker + ")");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            assertThat(p.await(Duration.ofMillis(50))).as("the pipeline ended early").isNull();
            try (Connection c = pg.connect(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*) FROM " + db + ".done WHERE id = " + marker)) {
                rs.next();
                if (rs.getInt(1) == 1) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("waited too long; progress %s", p.progress()).isLessThan(deadline);
        }
    }

    private void typesWorkload() throws SQLException {
        sql("INSERT INTO DB.types VALUES (4294967295, -5, 250, 65535, 16777215, 4294967295, -9223372036854775808, 18446744073709551615,"
                        + " -12.345, 0.0000000000, 1.5, 2.25, 'café €', 'b', 'héllo 😀', 'x,z', x'00ff', x'0102', 'a\"b\\\\c\\nd\\te', x'0102',"
                        + " '2024-01-02 03:04:05.678', '1000-01-01 00:00:00', '2024-05-06 07:08:09.123456', '2024-12-31', '838:59:58.99', 2024,"
                        + " b'1010000001', b'1111111111111111111111111111111111111111111111111111111111111111', '{\"a\": [1, 2]}', 'ab')",
                "INSERT INTO DB.types (id) VALUES (1)",
                "INSERT INTO DB.types VALUES (2, -128, 0, 0, 0, 0, 9223372036854775807, 0, 0.001, 1.0000000001, -0.25, -0.5, '', 'a', '', '', x'',"
                        + " x'00', '', x'', '9999-12-31 23:59:59.999', '2000-02-29 12:00:00', '1970-01-01 00:00:01.000000', '0001-01-01',"
                        + " '00:00:00', 0, b'0', b'0', '[]', '')",
                "START TRANSACTION",
                "UPDATE DB.types SET tx = 'now set', dt = '2020-02-02 02:02:02.200', tm = '12:34:56.78', st = 'y' WHERE id = 1",
                "UPDATE DB.types SET v2 = NULL, e = 'c', de = 99.999 WHERE id = 4294967295",
                "COMMIT",
                "START TRANSACTION",
                "INSERT INTO DB.types (id, tx) VALUES (3, 'rolled back')",
                "ROLLBACK",
                "DELETE FROM DB.types WHERE id = 2",
                "INSERT INTO DB.types (id, tm, yr) VALUES (2, '25:01:02.5', 1901)");
    }

    private void keyWorkload(long seed, int rounds) throws SQLException {
        Random r = new Random(seed);
        for (int i = 0; i < rounds; i++) {
            my.execute("START TRANSACTION");
            for (int k = 0; k < 1 + r.nextInt(8); k++) {
                int id = r.nextInt(200);
                switch (r.nextInt(4)) {
                    case 0: sql("DELETE FROM DB.kv WHERE id = " + id); break;
                    case 1: sql("UPDATE DB.kv SET n = n + 1, v = concat('u', " + i + ") WHERE id = " + id); break;
                    default: sql("INSERT INTO DB.kv VALUES (" + id + ", 'i" + i + "', " + k + ") ON DUPLICATE KEY UPDATE n = n * 2");
                }
            }
            my.execute("COMMIT");
        }
        sql("UPDATE DB.kv SET id = id + " + seed * 1000 + " WHERE id < 20", // key changes
                "INSERT INTO DB.nokey VALUES (1, 'a'), (1, 'a'), (2, 'b'), (3, NULL)",
                "DELETE FROM DB.nokey WHERE a = 1 LIMIT 1",
                "UPDATE DB.nokey SET b = 'c' WHERE a = 2");
    }

    /** Savepoints inside transactions, released and rolled back to; collations MariaDB 10.10+ lists without an id. */
    private void savepointsAndCollations() throws SQLException {
        my.execute("START TRANSACTION");
        sql("INSERT INTO DB.coll VALUES (1, 'Ä one', 'straße')", "SAVEPOINT sp1", "INSERT INTO DB.coll VALUES (2, 'two', 'ö')",
                "RELEASE SAVEPOINT sp1", "INSERT INTO DB.coll VALUES (3, 'three', NULL)");
        my.execute("COMMIT");
        my.execute("START TRANSACTION");
        sql("INSERT INTO DB.coll VALUES (4, 'kept', 'a')", "SAVEPOINT sp2", "INSERT INTO DB.coll VALUES (5, 'rolled back', 'b')",
                "ROLLBACK TO SAVEPOINT sp2", "UPDATE DB.coll SET s = 'after rollback to' WHERE id = 1");
        my.execute("COMMIT");
    }

    /** One transaction of 3,000 rows (about 300 KiB), with the source holding 64 KiB in memory: the rest in a temporary file. */
    private void largeTransaction() throws SQLException {
        my.execute("START TRANSACTION");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            sb.setLength(0);
            sb.append("INSERT INTO DB.kv VALUES (").append(10_000 + i).append(", '").append("x".repeat(30)).append("', ").append(i)
                    .append(")");
            sql(sb.toString());
        }
        sql("UPDATE DB.kv SET n = -n WHERE id >= 10000");
        my.execute("COMMIT");
    }

    private void assertSameTables() throws SQLException {
        assertSame("types", TYPES_COLUMNS, true);
        assertSame("kv", List.of(col("id"), col("v"), col("n")), true);
        assertSame("nokey", List.of(col("a"), col("b")), false);
    }

    private void assertSame(String table, List<String[]> columns, boolean keyed) throws SQLException {
        try (Connection c = pg.connect()) {
            SameTables.assertSame(my, c, db, table, columns, keyed);
        }
    }

    private static List<String> rows(Statement st, String sql) throws SQLException {
        return SameTables.rows(st, sql);
    }

    @Test
    void everyTypeFamilyKeysAndTransactionsEndEqualToTheSourceTables() throws Exception {
        createTables();
        CdcPipeline p = start("binlog", source().transactionMemoryBytes(64 << 10).build());
        typesWorkload();
        keyWorkload(1, 300);
        savepointsAndCollations();
        largeTransaction();
        caughtUp(p, 1);
        assertSameTables();
        assertSame("coll", List.of(col("id"), col("s"), col("l")), true);
        RunSummary s = p.progress();
        assertThat(s.deadLetters()).isZero();
    }

    @Test
    void aRestartResumesAtTheCheckpointAndChangesWhileStoppedArrive() throws Exception {
        createTables();
        CdcPipeline first = start("resume", source().build());
        keyWorkload(2, 100);
        caughtUp(first, 1);
        stop(first);
        keyWorkload(3, 100); // while nothing reads the binlog
        typesWorkload();
        CdcPipeline second = start("resume", source().build());
        caughtUp(second, 2);
        assertSameTables();
        assertThat(second.progress().duplicates()).as("resumed after the last transaction applied").isZero();
    }

    @Test
    void connectionsCutInTheMiddleOfTransactionsLoseNothingAndApplyNothingTwice() throws Exception {
        createTables();
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", TestBinlogServer.port())) {
            BinlogSource src = source().port(proxy.port()).transactionMemoryBytes(16 << 10).build();
            CdcPipeline p = start("cut", src);
            Thread cutter = new Thread(() -> {
                try {
                    for (int i = 0; i < 4; i++) {
                        Thread.sleep(400);
                        proxy.down();
                        Thread.sleep(300);
                        proxy.up();
                    }
                } catch (InterruptedException e) {
                    // the test is over
                }
            });
            cutter.start();
            for (int round = 0; round < 4; round++) {
                keyWorkload(20 + round, 80);
                largeTransaction();
                sql("DELETE FROM DB.kv WHERE id >= 10000");
            }
            cutter.join();
            caughtUp(p, 1);
            assertSame("kv", List.of(col("id"), col("v"), col("n")), true);
            assertSame("nokey", List.of(col("a"), col("b")), false);
            assertThat(p.progress().deadLetters()).isZero();
            assertThat(src.reconnections()).as("connections were cut").isPositive();
        }
    }

    @Test
    void theServerRestartedDuringARunLosesNothingAndAppliesNothingTwice() throws Exception {
        createTables();
        BinlogSource src = source().build();
        CdcPipeline p = start("restart", src);
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger committed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        String kv = "`" + db + "`.kv";
        // a writer that goes on through the restart: transactions of one to forty rows, some cut by the shutdown
        Thread writer = new Thread(() -> {
            Random r = new Random(31);
            Connection c = null;
            while (writing.get()) {
                try {
                    if (c == null) {
                        c = TestBinlogServer.connect();
                        c.setAutoCommit(false);
                    }
                    try (Statement st = c.createStatement()) {
                        int rows = 1 + r.nextInt(40);
                        for (int k = 0; k < rows; k++) {
                            int id = r.nextInt(500);
                            switch (r.nextInt(3)) {
                                case 0 -> st.execute("DELETE FROM " + kv + " WHERE id = " + id);
                                case 1 -> st.execute("UPDATE " + kv + " SET n = n + 1 WHERE id = " + id);
                                default -> st.execute("INSERT INTO " + kv + " VALUES (" + id + ", 'w', " + k + ") ON DUPLICATE KEY UPDATE n = n * 2");
                            }
                        }
                    }
                    c.commit();
                    committed.incrementAndGet();
                } catch (SQLException e) {
                    failed.incrementAndGet();
                    try {
                        if (c != null) {
                            c.close();
                        }
                        Thread.sleep(100);
                    } catch (SQLException | InterruptedException ignored) {
                        // the server is going or coming back
                    }
                    c = null;
                }
            }
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException ignored) {
                // done
            }
        });
        writer.start();
        while (committed.get() < 100) {
            Thread.sleep(20);
        }
        // and one transaction surely open when the server goes: its rows must appear nowhere
        my.execute("START TRANSACTION");
        sql("INSERT INTO DB.kv VALUES (100000, 'open at the shutdown', 0)", "DELETE FROM DB.kv WHERE id < 250");
        TestBinlogServer.restart();
        assertThatThrownBy(() -> my.execute("COMMIT")).isInstanceOf(SQLException.class);
        maria.close();
        int before = committed.get();
        while (committed.get() < before + 100) {
            Thread.sleep(20);
        }
        writing.set(false);
        writer.join();
        maria = TestBinlogServer.connect();
        my = maria.createStatement();
        caughtUp(p, 1);
        assertSame("kv", List.of(col("id"), col("v"), col("n")), true);
        assertThat(p.progress().deadLetters()).isZero();
        assertThat(src.reconnections()).as("the source connected again after the restart").isPositive();
        assertThat(failed.get()).as("the restart cut the writer's connection").isPositive();
        try (ResultSet rs = my.executeQuery("SELECT count(*) FROM `" + db + "`.kv WHERE id = 100000")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the open transaction rolled back").isZero();
        }
    }

    @Test
    void theSettingsTheSourceNeedsAreRefusedByName() throws Exception {
        try {
            my.execute("SET GLOBAL binlog_row_metadata = 'MINIMAL'");
            BinlogSource s = source().build();
            assertThatThrownBy(() -> s.open(null)).isInstanceOf(CdcException.class).hasMessageContaining("binlog_row_metadata is MINIMAL")
                    .hasMessageContaining("binlog_row_metadata=FULL");
            my.execute("SET GLOBAL binlog_row_metadata = 'FULL'");
            my.execute("SET GLOBAL binlog_format = 'MIXED'");
            BinlogSource t = source().build();
            assertThatThrownBy(() -> t.open(null)).isInstanceOf(CdcException.class).hasMessageContaining("binlog_format is MIXED")
                    .hasMessageContaining("binlog_format=ROW");
        } finally {
            my.execute("SET GLOBAL binlog_row_metadata = 'FULL'");
            my.execute("SET GLOBAL binlog_format = 'ROW'");
        }
    }

    @Test
    void ddlBecomesSchemaChangesThatTheTargetAppliesAndTablesEndEqual() throws Exception {
        createTables();
        CdcPipeline p = start("ddl", source().build());
        keyWorkload(4, 20);
        // schema statements that do not concern the chosen database, or change no columns, pass
        String other = TestBinlogServer.createDatabase(my, "other");
        my.execute("CREATE TABLE `" + other + "`.t (i int)");
        my.execute("USE `" + other + "`");
        my.execute("ALTER TABLE t ADD COLUMN j int");
        // statements about several tables, where the chosen database's come after another's
        sql("CREATE TABLE DB.second (id int PRIMARY KEY)", "INSERT INTO DB.second VALUES (1)",
                "RENAME TABLE `" + other + "`.t TO `" + other + "`.t3, DB.second TO DB.second2", "INSERT INTO DB.second2 VALUES (2)",
                "CREATE TABLE DB.gone2 (id int PRIMARY KEY)", "DROP TABLES `" + other + "`.t3, DB.gone2");
        my.execute("DROP DATABASE `" + other + "`");
        sql("CREATE INDEX kv_n ON DB.kv (n)", "CREATE TEMPORARY TABLE DB.scratch (i int)", "DROP TEMPORARY TABLE DB.scratch");
        // a table that existed at the start, altered; tables created, altered, renamed and dropped on the way
        sql("ALTER /* a comment */ TABLE DB.kv ADD COLUMN z int AFTER id, MODIFY COLUMN n bigint",
                "UPDATE DB.kv SET z = id % 7, n = n * 1000000000",
                "CREATE TABLE DB.fresh (id int NOT NULL, name varchar(20) CHARACTER SET latin1, price decimal(10,2) DEFAULT 0.00,"
                        + " at datetime(3), big bigint unsigned, PRIMARY KEY (id)) DEFAULT CHARSET=utf8mb4",
                "INSERT INTO DB.fresh VALUES (1, 'caf\u00e9', 1.50, '2024-02-29 23:59:59.125', 18446744073709551615), (2, 'b', NULL, NULL, 0)",
                "ALTER TABLE DB.fresh CHANGE COLUMN name label varchar(40), ADD COLUMN qty int NOT NULL DEFAULT 3, DROP COLUMN big",
                "INSERT INTO DB.fresh (id, label, price, at) VALUES (3, 'c', 9.99, '2000-01-01 00:00:00')",
                "UPDATE DB.fresh SET qty = qty + id, price = price * 2",
                "RENAME TABLE DB.fresh TO DB.renamed",
                "ALTER TABLE DB.renamed DROP PRIMARY KEY, ADD PRIMARY KEY (id, qty)",
                "UPDATE DB.renamed SET label = concat(label, '!') WHERE id = 1",
                "-- a migration step\nCREATE TABLE DB.gone (id int PRIMARY KEY)", "INSERT INTO DB.gone VALUES (1)", "DROP TABLE DB.gone",
                "CREATE TABLE DB.copy LIKE DB.renamed", "INSERT INTO DB.copy SELECT * FROM DB.renamed WHERE id > 1",
                // MySQL drops before it adds, in any order of the clauses; DROP INDEX `PRIMARY` drops the key
                "ALTER TABLE DB.copy ADD PRIMARY KEY (qty), DROP PRIMARY KEY",
                "CREATE TABLE DB.unkeyed (id int PRIMARY KEY, v int)", "DROP INDEX `PRIMARY` ON DB.unkeyed",
                "INSERT INTO DB.unkeyed VALUES (1, 1), (1, 2)");
        caughtUp(p, 1);
        assertSame("kv", List.of(col("id"), col("z"), col("v"), col("n")), true);
        List<String[]> renamed = List.of(col("id"), col("label"), col("price"),
                new String[] {"date_format(at, '%Y-%m-%d %H:%i:%s.%f')", "to_char(at, 'YYYY-MM-DD HH24:MI:SS.US')"}, col("qty"));
        assertSame("renamed", renamed, true);
        assertSame("copy", renamed, true);
        assertSame("second2", List.<String[]>of(col("id")), true);
        assertSame("unkeyed", List.of(col("id"), col("v")), false);
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            assertThat(rows(st, "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + db + "' ORDER BY 1"))
                    .containsExactly("coll", "copy", "done", "kv", "nokey", "renamed", "second2", "types", "unkeyed");
            assertThat(rows(st, "SELECT column_name FROM information_schema.key_column_usage WHERE table_schema = '" + db
                    + "' AND table_name = 'renamed' ORDER BY ordinal_position")).containsExactly("id", "qty");
            assertThat(rows(st, "SELECT column_name FROM information_schema.key_column_usage WHERE table_schema = '" + db
                    + "' AND table_name = 'copy' ORDER BY ordinal_position")).containsExactly("qty");
        }
        // what the source cannot follow stops it, naming the statement; the owner may pass it over by hand
        sql("TRUNCATE TABLE DB.nokey");
        assertThatThrownBy(() -> {
            while (p.await(Duration.ofSeconds(30)) == null) {
                // waits for the failure
            }
        }).isInstanceOf(CdcException.class).hasMessageContaining("TRUNCATE TABLE").hasMessageContaining("without row events")
                .hasMessageContaining("mysql-bin.");
        stop(p);
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE " + db + ".nokey");
        }
        CdcPipeline q = start("ddl", source().skipDdl(true).build());
        sql("INSERT INTO DB.nokey VALUES (1, 'after')");
        caughtUp(q, 2);
        assertSame("nokey", List.of(col("a"), col("b")), false);
    }

    @Test
    void ddlWhileStoppedIsFollowedWhereTheBinlogProvesTheSchemaAndStopsNamingTheTableWhereNot() throws Exception {
        createTables();
        CdcPipeline p = start("ddl-stopped", source().build());
        keyWorkload(5, 10);
        caughtUp(p, 1);
        stop(p);
        // while stopped: a table created and altered: the binlog shows it whole, so it is followed
        sql("CREATE TABLE DB.later (id int PRIMARY KEY, v varchar(5))", "INSERT INTO DB.later VALUES (1, 'a')",
                "ALTER TABLE DB.later ADD COLUMN w int", "UPDATE DB.later SET w = 5", "INSERT INTO DB.later VALUES (2, 'b', 6)");
        CdcPipeline q = start("ddl-stopped", source().build());
        caughtUp(q, 2);
        assertSame("later", List.of(col("id"), col("v"), col("w")), true);
        stop(q);
        // while stopped: a table of the start altered: the schema read at the start may hold the change already
        sql("ALTER TABLE DB.kv ADD COLUMN z int");
        CdcPipeline r = start("ddl-stopped", source().build());
        assertThatThrownBy(() -> {
            while (r.await(Duration.ofSeconds(30)) == null) {
                // waits for the failure
            }
        }).isInstanceOf(CdcException.class).hasMessageContaining("cannot tell the definition of table " + db + ".kv")
                .hasMessageContaining("ADD COLUMN z int");
    }

    @Test
    void withASchemaHistoryDdlWhileStoppedIsFollowedOnTablesOfTheStartToo() throws Exception {
        long serverId = 200_000 + new Random().nextInt(100_000); // the history's entries are the source's by host, port and server id
        createTables();
        CdcPipeline p = start("history", source().serverId(serverId).schemaHistory(pg.url()).build());
        keyWorkload(6, 10);
        sql("ALTER TABLE DB.kv ADD COLUMN early int", "UPDATE DB.kv SET early = 1");
        caughtUp(p, 1);
        stop(p);
        sql("ALTER TABLE DB.kv ADD COLUMN z int AFTER v", "UPDATE DB.kv SET z = id % 3", "ALTER TABLE DB.kv DROP COLUMN n",
                "RENAME TABLE DB.kv TO DB.kv2", "UPDATE DB.kv2 SET v = concat(v, '+') WHERE id % 2 = 0");
        CdcPipeline q = start("history", source().serverId(serverId).schemaHistory(pg.url()).build());
        caughtUp(q, 2);
        assertSame("kv2", List.of(col("id"), col("v"), col("z"), col("early")), true);
        stop(q);
        // stopped again, right after DDL: the history holds the statements the checkpoint has passed, and no more
        sql("ALTER TABLE DB.kv2 MODIFY COLUMN z bigint", "UPDATE DB.kv2 SET z = z + 10000000000");
        CdcPipeline r = start("history", source().serverId(serverId).schemaHistory(pg.url()).build());
        caughtUp(r, 3);
        assertSame("kv2", List.of(col("id"), col("v"), col("z"), col("early")), true);
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            assertThat(rows(st, "SELECT kind FROM greenwell.binlog_schema_history WHERE kind = 'snapshot'")).hasSize(1);
        }
    }

    @Test
    void aStartWithoutTheSchemaOfItsPointMarksAGapAndKeepsItsSnapshotAtTheFirstTransactionPastIt() throws Exception {
        long serverId = 300_000 + new Random().nextInt(100_000);
        createTables();
        CdcPipeline p = start("gap", source().serverId(serverId).build()); // no history: the checkpoint is all it leaves
        keyWorkload(9, 10);
        caughtUp(p, 1);
        stop(p);
        long checkpoint = checkpoint("gap");
        // now with a history, which has nothing at the checkpoint: the schema is read from the server, which may be ahead
        CdcPipeline q = start("gap", source().serverId(serverId).schemaHistory(pg.url()).build());
        keyWorkload(10, 10); // transactions of rows only: MariaDB writes no BEGIN, so no statement but the rows follows
        caughtUp(q, 2);
        stop(q);
        List<String> kept;
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            kept = rows(st, "SELECT kind || ':' || (\"offset\" > " + checkpoint + ")::text || ':' || (\"offset\" = " + checkpoint
                    + ")::text FROM greenwell.binlog_schema_history WHERE kind IN ('gap', 'snapshot') ORDER BY \"offset\"");
        }
        assertThat(kept).as("a gap at the checkpoint, then a snapshot past it").containsExactly("gap:false:true", "snapshot:true:false");
        // so DDL on a table of the start while stopped is followed from that snapshot (without it, the source would stop)
        sql("ALTER TABLE DB.kv ADD COLUMN z int", "UPDATE DB.kv SET z = id % 5");
        CdcPipeline r = start("gap", source().serverId(serverId).schemaHistory(pg.url()).build());
        caughtUp(r, 3);
        assertSame("kv", List.of(col("id"), col("v"), col("n"), col("z")), true);
    }

    @Test
    void aSnapshotLoadsTheTablesThatExistAndTheBinlogFollowsFromItsPosition() throws Exception {
        createTables();
        typesWorkload();
        keyWorkload(7, 50);
        savepointsAndCollations();
        // a table only the source has: created in the target from SHOW CREATE TABLE; a row only the target has: reloaded away
        sql("CREATE TABLE DB.only_source (id int PRIMARY KEY, v varchar(10) CHARACTER SET latin1, d decimal(8,3), bn binary(4))",
                "INSERT INTO DB.only_source VALUES (1, 'caf\u00e9', 12.5, x'0102'), (2, NULL, -0.001, NULL)",
                // an INVISIBLE column, which SELECT * leaves out and rows events carry
                "CREATE TABLE DB.hidden (id int PRIMARY KEY, secret int INVISIBLE, v int)",
                "INSERT INTO DB.hidden (id, secret, v) VALUES (1, 10, 100), (2, 20, 200)",
                // spatial values, by the snapshot and by the binlog
                "CREATE TABLE DB.geo (id int PRIMARY KEY, g geometry, p point)",
                "INSERT INTO DB.geo VALUES (1, ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(-0.5 3)')),"
                        + " (2, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1), LINESTRING(0 0, 1.25 1))'), NULL)");
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + db + ".kv VALUES (999999, 'stale', 0)");
        }
        CdcPipeline p = start("snapshot", source().snapshot(true).build());
        keyWorkload(8, 30);
        sql("UPDATE DB.only_source SET v = 'after' WHERE id = 2", "UPDATE DB.hidden SET v = v + 1 WHERE id = 2",
                "INSERT INTO DB.geo VALUES (3, ST_GeomFromText('MULTIPOINT(1 1, 2 2)'), ST_GeomFromText('POINT(7 8)'))",
                "UPDATE DB.geo SET g = ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 0))') WHERE id = 1");
        caughtUp(p, 1);
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            assertThat(rows(st, "SELECT id || '|' || coalesce(g, '-') || '|' || coalesce(p, '-') FROM " + db + ".geo ORDER BY id"))
                    .containsExactly("1|POLYGON ((0 0, 4 0, 4 4, 0 0))|POINT (-0.5 3)",
                            "2|GEOMETRYCOLLECTION (POINT (1 1), LINESTRING (0 0, 1.25 1))|-", "3|MULTIPOINT ((1 1), (2 2))|POINT (7 8)");
        }
        assertSame("hidden", List.of(col("id"), col("secret"), col("v")), true);
        assertSameTables();
        assertSame("coll", List.of(col("id"), col("s"), col("l")), true);
        assertSame("only_source", List.of(col("id"), col("v"), col("d"), new String[] {"trim(TRAILING '0' FROM hex(bn))", "rtrim(upper(encode(bn, 'hex')), '0')"}), true);
        stop(p);
        // a restart resumes the binlog: no second snapshot
        sql("DELETE FROM DB.only_source WHERE id = 1");
        CdcPipeline q = start("snapshot", source().snapshot(true).build());
        caughtUp(q, 2);
        assertSame("only_source", List.of(col("id"), col("v"), col("d"), new String[] {"trim(TRAILING '0' FROM hex(bn))", "rtrim(upper(encode(bn, 'hex')), '0')"}), true);
        assertThat(q.progress().applied()).as("records applied after the restart").isLessThan(20);
    }

    @Test
    void aSnapshotThatDidNotFinishIsTakenAgainAndIsNeededToGoOn() throws Exception {
        createTables();
        sql("INSERT INTO DB.kv SELECT seq, concat('row ', seq), seq % 7 FROM DB.seq_1_to_60000");
        CdcPipeline p = startReading("unfinished", source().snapshot(true).queueRecords(200).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (checkpoint("unfinished") >= -1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        stop(p);
        assertThat(checkpoint("unfinished")).as("the checkpoint lies inside the snapshot").isLessThan(-1);
        CdcPipeline q = startReading("unfinished", source().build());
        assertThatThrownBy(() -> {
            while (q.await(Duration.ofSeconds(30)) == null) {
                // waits for the failure
            }
        }).isInstanceOf(CdcException.class).hasMessageContaining("inside an initial snapshot that did not finish");
        stop(q);
        CdcPipeline r = start("unfinished", source().snapshot(true).build());
        sql("UPDATE DB.kv SET n = -1 WHERE id % 1000 = 0");
        caughtUp(r, 1);
        assertSame("kv", List.of(col("id"), col("v"), col("n")), true);
    }

    /** @return the pipeline's checkpoint offset, or -1 when there is none */
    private long checkpoint(String pipeline) throws SQLException {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT \"offset\" FROM greenwell.checkpoint WHERE pipeline = '" + pipeline + "'")) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            return -1; // no control tables yet
        }
    }

    @Test
    void timeKeepsItsSignItsHoursBeyond24AndItsFractions() throws Exception {
        createTables();
        both("CREATE TABLE %s.times (id int PRIMARY KEY, t time, t3 time(3), t6 time(6))",
                "CREATE TABLE %s.times (id integer PRIMARY KEY, t interval, t3 interval, t6 interval)");
        CdcPipeline p = start("times", source().build());
        // the server values of the recorded types.time_extremes (see the test data's README), which Maxwell's stream has wrong
        sql("INSERT INTO DB.times VALUES (1, '-838:59:59', '-838:59:59.999', '-838:59:59.000000'),"
                        + " (2, '838:59:59', '838:59:59.999', '838:59:59.999999'), (3, '-00:00:01', '-00:00:00.500', '-01:02:03.000004'),"
                        + " (4, '-01:00:00', '25:00:00.001', '48:00:00.000001'), (5, '-24:00:00', '-12:30:00.000', '-00:00:00.000001'),"
                        + " (6, '00:00:00', '-00:00:00.001', NULL)",
                "UPDATE DB.times SET t = '-00:00:59' WHERE id = 6");
        caughtUp(p, 1);
        List<String[]> cols = new ArrayList<>();
        cols.add(col("id"));
        for (String c : List.of("t", "t3", "t6")) {
            cols.add(new String[] {"cast(round(time_to_sec(" + c + ") * 1000000) AS signed)", "round(extract(epoch FROM " + c + ") * 1000000)::bigint"});
        }
        assertSame("times", cols, true);
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            assertThat(rows(st, "SELECT t3::text FROM " + db + ".times WHERE id = 3")).containsExactly("-00:00:00.5");
        }
    }

    @Test
    void whileTheChosenDatabasesAreQuietTheCheckpointKeepsUpWithTheBinlogSoAPurgeLosesNothing() throws Exception {
        createTables();
        CdcPipeline p = start("quiet", source().build());
        keyWorkload(10, 10);
        caughtUp(p, 1);
        my.execute("FLUSH BINARY LOGS");
        String current;
        try (ResultSet rs = my.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            current = rs.getString(1);
        }
        // another database fills the new file; the chosen one stays quiet
        String other = TestBinlogServer.createDatabase(my, "noisy");
        try {
            my.execute("CREATE TABLE `" + other + "`.t (id int PRIMARY KEY, v varchar(20))");
            long fileNumber = BinlogPosition.fileNumber(current);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            int i = 0;
            while (BinlogPosition.of(checkpoint("quiet")).file() < fileNumber) {
                assertThat(System.nanoTime()).as("the checkpoint reached %s", current).isLessThan(deadline);
                my.execute("INSERT INTO `" + other + "`.t VALUES (" + i++ + ", 'noise')");
                Thread.sleep(50);
            }
            stop(p);
            TestBinlogServer.awaitNoReader(my);
            my.execute("PURGE BINARY LOGS TO '" + current + "'");
            sql("UPDATE DB.kv SET n = n + 100");
            CdcPipeline q = start("quiet", source().build());
            caughtUp(q, 2);
            assertSame("kv", List.of(col("id"), col("v"), col("n")), true);
        } finally {
            my.execute("DROP DATABASE `" + other + "`");
        }
    }

    @Test
    void aPurgedBinlogStopsThePipelineSayingToTakeANewSnapshot() throws Exception {
        createTables();
        CdcPipeline p = start("purged", source().build());
        keyWorkload(5, 10);
        caughtUp(p, 1);
        stop(p);
        TestBinlogServer.awaitNoReader(my);
        my.execute("FLUSH BINARY LOGS");
        String current;
        try (ResultSet rs = my.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            current = rs.getString(1);
        }
        my.execute("PURGE BINARY LOGS TO '" + current + "'");
        try (ResultSet rs = my.executeQuery("SHOW BINARY LOGS")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the files before are purged").isEqualTo(current);
        }
        BinlogSource s = source().build();
        sources.add(s);
        GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(pg.url()).build();
        targets.add(target);
        CdcPipeline q = CdcPipeline.builder().name("purged").source(s).target(target).build();
        assertThatThrownBy(q::run).isInstanceOf(CdcException.class).hasMessageContaining("no longer has (purged")
                .hasMessageContaining("take a new snapshot");
    }
}
