package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.binlog.TestBinlogServer;
import io.greenwell.cdc.greenplum.TestDatabase;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's binlog quick start as written ({@link BinlogQuickStart}), against a MariaDB server
 * of the tests' own with the binlog on: rows written while it runs end in the target's table as
 * MariaDB has them.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BinlogQuickStartIT {

    @Test
    void theQuickStartKeepsATableInStep() throws Exception {
        TestDatabase pg = TestDatabase.create("binlog_qs");
        try (Connection maria = TestBinlogServer.connect(); Statement my = maria.createStatement()) {
            String db = TestBinlogServer.createDatabase(my, "qs");
            my.execute("CREATE TABLE `" + db + "`.orders (id int PRIMARY KEY, item varchar(20), qty int)");
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA " + db);
                st.execute("CREATE TABLE " + db + ".orders (id integer PRIMARY KEY, item varchar(20), qty integer)");
            }
            AtomicReference<CdcPipeline> running = new AtomicReference<>();
            CompletableFuture<RunSummary> run = CompletableFuture.supplyAsync(
                    () -> BinlogQuickStart.run("127.0.0.1", TestBinlogServer.port(), "root", null, db, pg.url(), running::set));
            TestBinlogServer.awaitReader(my);
            for (int i = 0; i < 50; i++) {
                my.execute("INSERT INTO `" + db + "`.orders VALUES (" + i + ", 'item " + i + "', " + i + ")");
            }
            my.execute("UPDATE `" + db + "`.orders SET qty = qty * 10 WHERE id % 3 = 0");
            my.execute("DELETE FROM `" + db + "`.orders WHERE id % 5 = 0");
            List<String> want = rows(my, "SELECT concat(id, ' ', item, ' ', qty) FROM `" + db + "`.orders ORDER BY id");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<String> got;
            do {
                Thread.sleep(100);
                try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                    got = rows(st, "SELECT id || ' ' || item || ' ' || qty FROM " + db + ".orders ORDER BY id");
                }
            } while (!got.equals(want) && !run.isDone() && System.nanoTime() < deadline);
            running.get().stop();
            RunSummary s = run.get(60, TimeUnit.SECONDS);
            assertThat(got).hasSize(40).isEqualTo(want);
            assertThat(s.deadLetters()).isZero();
            my.execute("DROP DATABASE `" + db + "`");
        }
    }

    private static List<String> rows(Statement st, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
