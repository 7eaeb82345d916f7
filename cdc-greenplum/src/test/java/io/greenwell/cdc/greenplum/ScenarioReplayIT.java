package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import io.greenwell.cdc.spi.Checkpoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Replays the real Maxwell streams {@code music} and {@code types} through decoder, compactor and
 * target into a real PostgreSQL or Greenplum, at several batch sizes, and compares every table's whole content
 * with the expected state; then replays the same stream again and checks that nothing changes.
 */
class ScenarioReplayIT {

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("replay");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @ParameterizedTest(name = "{0} in batches of {1}")
    @CsvSource({
        "music, 1", "music, 7", "music, 1000", "music, 2147483647",
        "types, 1", "types, 7", "types, 1000", "types, 2147483647",
        "ddl, 1", "ddl, 7", "ddl, 1000", "ddl, 2147483647"
    })
    void replayReachesTheExpectedState(String scenario, int batchEvents) throws SQLException {
        Map<String, List<Scenarios.Column>> expectedColumns = Scenarios.expectedColumns(scenario);
        // every database the stream names, so that a dropped one is checked to be gone
        TreeSet<String> schemas = new TreeSet<>();
        MaxwellDecoder decoder = MaxwellDecoder.create();
        for (Scenarios.Record r : Scenarios.records(scenario)) {
            ChangeEvent e = decoder.decode(r.bytes());
            schemas.add(e instanceof SchemaChange ? ((SchemaChange) e).database() : ((RowChange) e).table().database());
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String s : schemas) {
                st.execute("DROP SCHEMA IF EXISTS " + Names.quote(s) + " CASCADE");
            }
            st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
        }
        List<Scenarios.Record> records = Scenarios.records(scenario);
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            int batches = Scenarios.replay(target, "test", scenario, records, batchEvents);
            assertThat(target.dialect()).as("the dialect detected").isEqualTo(TestDatabase.serverKind().dialect());
            if (batchEvents == 1) {
                assertThat(batches).as("one batch per transaction at least").isGreaterThan(records.size() / 4);
            }
        }
        try (Connection c = db.connect()) {
            assertState(c, scenario, schemas, expectedColumns);
        }
        // a second run over the same stream resumes from the checkpoint and changes nothing
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Map<String, Checkpoint> cps = target.loadCheckpoints("test");
            assertThat(cps).containsOnlyKeys(scenario);
            assertThat(cps.get(scenario).offset()).isEqualTo(records.get(records.size() - 1).offset());
            // rows carry server_id 1; DDL records carry none (-1)
            assertThat(cps.get(scenario).watermarks()).containsOnlyKeys(1L, -1L);
            Scenarios.replay(target, "test", scenario, records, batchEvents);
        }
        try (Connection c = db.connect()) {
            assertState(c, scenario, schemas, expectedColumns);
        }
    }

    private static void assertState(Connection c, String scenario, TreeSet<String> schemas,
            Map<String, List<Scenarios.Column>> expectedColumns) throws SQLException {
        // columns compare by name: PostgreSQL cannot place an added column FIRST or AFTER another
        Map<String, TreeSet<String>> names = new LinkedHashMap<>();
        expectedColumns.forEach((t, cols) -> {
            TreeSet<String> n = new TreeSet<>();
            cols.forEach(col -> n.add(col.name()));
            names.put(t, n);
        });
        Map<String, TreeSet<String>> actual = new LinkedHashMap<>();
        Scenarios.actualColumns(c, new ArrayList<>(schemas)).forEach((t, cols) -> actual.put(t, new TreeSet<>(cols)));
        assertThat(actual).as("exactly the expected tables, with exactly the MySQL columns").isEqualTo(names);
        List<String> diff = Scenarios.differences(Scenarios.expectedRows(scenario), Scenarios.actualRows(c, scenario));
        assertThat(diff).as("differences from the expected state").isEmpty();
    }
}
