package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenwell.cdc.event.TableId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * A table as of a point is the replay of the stream up to it: for random streams (key changes,
 * MINIMAL updates, keyless duplicates, multi-row transactions; the generator of
 * {@link ApplySemanticsIT}, as raw Maxwell records, which the archive needs), applied with the
 * archive in random batch sizes, and a random cut at a transaction's binlog position, {@code asOf}
 * of both tables equals the replay of the records up to the cut into an empty database.
 */
class AsOfPropertyIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestDatabase db;
    private static TestDatabase prefix;

    @BeforeContainer
    static void createDatabases() throws SQLException {
        db = TestDatabase.create("asofprop");
        prefix = TestDatabase.create("asofpre");
    }

    @AfterContainer
    static void dropDatabases() throws SQLException {
        db.close();
        prefix.close();
    }

    @Property(tries = 20)
    void aTableAsOfAPointIsTheReplayOfTheStreamUpToIt(@ForAll long seed, @ForAll @IntRange(min = 1, max = 150) int batchEvents,
            @ForAll @DoubleRange(min = 0, max = 1) double cutAt) throws SQLException {
        for (TestDatabase d : new TestDatabase[] {db, prefix}) {
            try (Connection c = d.connect(); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + ApplySemanticsIT.DB + " CASCADE");
                st.execute("DROP SCHEMA IF EXISTS asof CASCADE");
                st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
            }
        }
        List<Scenarios.Record> records = ApplySemanticsIT.generate(new Random(seed), new ApplySemanticsIT.Model(), 250, false).records();
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).archive(true).build()) {
            Scenarios.replay(target, "p", "s", records, batchEvents);
        }
        // the first three records create the database and the tables
        int cut = 3 + (int) Math.min(records.size() - 4, Math.floor(cutAt * (records.size() - 3)));
        String position = position(records.get(cut));
        int end = cut;
        while (end + 1 < records.size() && position(records.get(end + 1)).equals(position)) {
            end++;
        }
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(prefix.url()).build()) {
            Scenarios.replay(target, "p", "s", records.subList(0, end + 1), 1000);
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA asof");
        }
        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(db.url()).build();
        for (String table : new String[] {"keyed", "bag"}) {
            ChangeArchive.AsOfResult r = archive.asOf(TableId.of(ApplySemanticsIT.DB, table), ArchivePoint.parse(position), "asof", table);
            List<String> cols = table.equals("keyed") ? ApplySemanticsIT.KEYED_COLS : ApplySemanticsIT.BAG_COLS;
            List<List<String>> expected;
            try (Connection c = prefix.connect()) {
                expected = ApplySemanticsIT.sorted(ApplySemanticsIT.rows(c, table, cols));
            }
            try (Connection c = db.connect()) {
                assertThat(ApplySemanticsIT.sorted(ArchiveIT.rows(c, "asof." + table, cols))).as("%s as of %s", table, position)
                        .isEqualTo(expected);
            }
            assertThat(r.rows()).isEqualTo(expected.size());
            assertThat(r.table()).isEqualTo(Names.qualify("asof", table));
        }
    }

    private static String position(Scenarios.Record r) {
        try {
            return JSON.readTree(r.bytes()).get("position").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
