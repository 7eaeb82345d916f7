package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two pipelines writing one table at once, each its own keys (two MySQL servers merged into one
 * table, say), in small batches: on Greenplum 6 without the Global Deadlock Detector every DELETE
 * and UPDATE takes an EXCLUSIVE lock on the table, so their batches wait for each other; either
 * way the table must end with exactly both streams' rows.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SharedTableIT {

    private static final String DB = "shared";
    private static final List<String> PK = List.of("id");
    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("shared");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    /** Random changes of the keys {@code id % 2 == parity}, in transactions of 1 to 4 rows; the final rows go to {@code model}. */
    private static MaxwellStream rows(MaxwellStream s, long seed, int parity, int events, Map<Integer, String> model) {
        Random rnd = new Random(seed);
        for (int n = 0; n < events; ) {
            s.begin();
            for (int i = 1 + rnd.nextInt(4); i > 0; i--, n++) {
                int id = 2 * rnd.nextInt(300) + parity;
                int v = rnd.nextInt(1_000_000);
                if (!model.containsKey(id)) {
                    s.insert(DB, "t", PK, MaxwellStream.row("id", id, "v", v));
                    model.put(id, id + "|" + v);
                } else if (rnd.nextInt(4) == 0) {
                    s.delete(DB, "t", PK, MaxwellStream.row("id", id, "v", Integer.parseInt(model.get(id).split("\\|")[1])));
                    model.remove(id);
                } else {
                    s.update(DB, "t", PK, MaxwellStream.row("id", id, "v", v),
                            MaxwellStream.row("v", Integer.parseInt(model.get(id).split("\\|")[1])));
                    model.put(id, id + "|" + v);
                }
            }
            s.commit();
        }
        return s;
    }

    @Test
    void twoPipelinesWritingOneTableEndWithBothStreamsRows() throws Exception {
        db.dropSchemas(DB, "greenwell");
        MaxwellStream ddl = new MaxwellStream().createDatabase(DB).createTable(DB, "t",
                List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "int")), PK,
                "CREATE TABLE t (id int NOT NULL, v int, PRIMARY KEY (id))");
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "ddl", "ddl", ddl.records(), Integer.MAX_VALUE);
        }
        Map<Integer, String> even = new TreeMap<>();
        Map<Integer, String> odd = new TreeMap<>();
        List<Scenarios.Record> a = rows(new MaxwellStream(), 1, 0, 3_000, even).records();
        List<Scenarios.Record> b = rows(new MaxwellStream(), 2, 1, 3_000, odd).records();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (Object[] run : new Object[][] {{"even", a}, {"odd", b}}) {
                runs.add(pool.submit(() -> {
                    try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
                        @SuppressWarnings("unchecked")
                        List<Scenarios.Record> records = (List<Scenarios.Record>) run[1];
                        return Scenarios.replay(target, (String) run[0], (String) run[0], records, 20);
                    }
                }));
            }
            for (Future<Integer> f : runs) {
                assertThat(f.get(4, TimeUnit.MINUTES)).as("batches applied").isGreaterThan(50);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> expected = new ArrayList<>(even.values());
        expected.addAll(odd.values());
        expected.sort(null);
        List<String> actual = db.rows("SELECT id, v FROM shared.t");
        actual.sort(null);
        assertThat(actual).as("both streams' rows, exactly").isEqualTo(expected);
    }
}
