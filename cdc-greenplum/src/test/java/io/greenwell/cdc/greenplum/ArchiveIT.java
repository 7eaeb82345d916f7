package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableId;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The change archive on a real database: every applied event archived once with Maxwell's
 * envelope and images, none of the dead letters; the refusals when the archive does not cover a
 * point; retention; a row's history (a table as of a random point: {@link AsOfPropertyIT}).
 */
class ArchiveIT {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static TestDatabase db;
    private static TestDatabase prefix;

    @BeforeAll
    static void createDatabases() throws SQLException {
        db = TestDatabase.create("archive");
        prefix = TestDatabase.create("archivep");
    }

    @AfterAll
    static void dropDatabases() throws SQLException {
        db.close();
        prefix.close();
    }

    private static void clean(TestDatabase d, String... schemas) throws SQLException {
        try (Connection c = d.connect(); Statement st = c.createStatement()) {
            for (String s : schemas) {
                st.execute("DROP SCHEMA IF EXISTS " + Names.quote(s) + " CASCADE");
            }
            st.execute("DROP SCHEMA IF EXISTS greenwell CASCADE");
        }
    }

    private static GreenplumTarget archiving(TestDatabase d) {
        return GreenplumTarget.builder().jdbcUrl(d.url()).archive(true).build();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"music", "types", "ddl"})
    void everyAppliedEventIsArchivedOnceWithItsEnvelopeAndImages(String scenario) throws Exception {
        clean(db, "music", "types", "ddl", "ddl_db", "ddl2");
        List<Scenarios.Record> records = Scenarios.records(scenario);
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", scenario, records, 7);
        }
        // Maxwell replays the whole stream at later offsets: the watermarks drop it, and the archive keeps one copy
        List<Scenarios.Record> replayed = new ArrayList<>();
        long base = records.get(records.size() - 1).offset() + 1;
        for (Scenarios.Record r : records) {
            replayed.add(new Scenarios.Record(r.bytes(), base + r.offset()));
        }
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", scenario, replayed, 1000);
        }
        Map<Long, JsonNode> archived = new HashMap<>();
        Map<Long, String[]> envelope = new HashMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT stream_offset, json_build_object('data', data, 'old', old, 'def', def, 'pk', primary_key_columns)::text,"
                        + " type, database_name, table_name, binlog_file || ':' || binlog_pos, xid::text, commit::text, xoffset::text,"
                        + " server_id::text, ddl, extract(epoch FROM ts)::bigint::text, pipeline, stream, gtid FROM greenwell.event_archive")) {
            while (rs.next()) {
                assertThat(archived.put(rs.getLong(1), JSON.readTree(rs.getString(2)))).as("offset %d archived once", rs.getLong(1)).isNull();
                envelope.put(rs.getLong(1), new String[] {rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                    rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13), rs.getString(14),
                    rs.getString(15)});
            }
        }
        assertThat(archived).hasSize(records.size());
        for (Scenarios.Record r : records) {
            JsonNode in = JSON.readTree(r.bytes());
            JsonNode out = archived.get(r.offset());
            assertThat(out).as("offset %d", r.offset()).isNotNull();
            String[] env = envelope.get(r.offset());
            String type = in.get("type").asText();
            boolean ddl = !type.equals("insert") && !type.equals("update") && !type.equals("delete");
            long seconds = ddl ? in.get("ts").asLong() / 1000 : in.get("ts").asLong();
            assertThat(env).as("envelope of offset %d", r.offset()).containsExactly(type, text(in, "database"), text(in, "table"),
                    text(in, "position"), text(in, "xid"), Boolean.toString(in.path("commit").asBoolean(false)), text(in, "xoffset"),
                    text(in, "server_id"), text(in, "sql"), Long.toString(seconds), "p", scenario, text(in, "gtid"));
            for (String field : new String[] {"data", "old", "def"}) {
                assertThat(same(in.get(field), out.get(field))).as("%s of offset %d: %s vs %s", field, r.offset(), in.get(field), out.get(field))
                        .isTrue();
            }
            assertThat(same(in.get("primary_key_columns"), out.get("pk"))).isTrue();
        }
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT since_offset, last_offset FROM greenwell.archive_coverage WHERE pipeline = 'p'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).as("archived from just before the stream's first record").isEqualTo(records.get(0).offset() - 1);
            assertThat(rs.getLong(2)).isEqualTo(replayed.get(replayed.size() - 1).offset());
        }
    }

    @Test
    void deadLettersStayInTheirTableAndOutOfTheArchive() throws SQLException {
        clean(db, ApplySemanticsIT.DB, "nowhere");
        MaxwellStream s = new MaxwellStream().createDatabase("dl");
        s.createTable("dl", "t", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("n", "int")), List.of("id"),
                "CREATE TABLE t (id int, n int, PRIMARY KEY (id))");
        s.insert("dl", "t", List.of("id"), MaxwellStream.row("id", 1, "n", 1));
        s.insert("nowhere", "missing", List.of("id"), MaxwellStream.row("id", 1));
        s.insert("dl", "t", List.of("id"), MaxwellStream.row("id", 2, "n", 2));
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", s.records(), 100);
        }
        List<Scenarios.Record> r = s.records();
        List<String> rows = db.rows("SELECT stream_offset || ' ' || type || ' ' || coalesce(database_name, '') FROM greenwell.event_archive"
                + " ORDER BY stream_offset");
        assertThat(rows).containsExactly(r.get(0).offset() + " database-create dl", r.get(1).offset() + " table-create dl",
                r.get(2).offset() + " insert dl", r.get(4).offset() + " insert dl");
        assertThat(db.rows("SELECT \"offset\" FROM greenwell.dead_letter")).containsExactly(Long.toString(r.get(3).offset()));
        clean(db, "dl");
    }

    @Test
    void whatTheTargetDoesNotApplyIsNotArchived() throws SQLException {
        clean(db, "kept", "skipped");
        List<MaxwellStream.Col> cols = List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("n", "int"));
        MaxwellStream s = new MaxwellStream().createDatabase("kept").createDatabase("skipped");
        s.createTable("kept", "t", cols, List.of("id"), "CREATE TABLE t (id int, n int, PRIMARY KEY (id))");
        s.createTable("skipped", "t", cols, List.of("id"), "CREATE TABLE t (id int, n int, PRIMARY KEY (id))");
        s.insert("skipped", "t", List.of("id"), MaxwellStream.row("id", 1, "n", 1));
        s.raw("{\"type\":\"table-drop\",\"database\":\"kept\",\"table\":\"t\",\"ts\":1700000000000,\"sql\":\"DROP TABLE t\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        s.insert("kept", "t", List.of("id"), MaxwellStream.row("id", 1, "n", 1));
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).archive(true)
                .schemaMapping(SchemaMapping.builder().exclude("skipped").build())
                .ddlPolicy(SchemaChange.Kind.TABLE_DROP, DdlPolicy.IGNORE).build()) {
            Scenarios.replay(target, "p", "s", s.records(), 100);
        }
        List<Scenarios.Record> r = s.records();
        // the excluded database's DDL and rows, and the DDL a policy ignored, were not applied: not archived either
        assertThat(db.rows("SELECT stream_offset || ' ' || type || ' ' || database_name FROM greenwell.event_archive ORDER BY stream_offset"))
                .containsExactly(r.get(0).offset() + " database-create kept", r.get(2).offset() + " table-create kept",
                        r.get(6).offset() + " insert kept");
        assertThat(db.rows("SELECT id || ' ' || n FROM kept.t")).containsExactly("1 1");
        clean(db, "kept");
    }

    @Test
    void aPointTheArchiveDoesNotCoverIsRefusedNamingWhatIsMissing() throws SQLException {
        clean(db, ApplySemanticsIT.DB, "asof");
        MaxwellStream stream = ApplySemanticsIT.generate(new Random(11), new ApplySemanticsIT.Model(), 200, false);
        // one more transaction at the end, applied without the archive at last
        stream.insert(ApplySemanticsIT.DB, "keyed", List.of("id"), MaxwellStream.row("id", 1000, "a", 1, "b", "x", "c", 1));
        List<Scenarios.Record> records = stream.records();
        int half = records.size() / 2;
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", records.subList(0, half), 1000);
        }
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", records.subList(0, records.size() - 1), 1000);
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA asof");
        }
        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(db.url()).build();
        TableId keyed = TableId.of(ApplySemanticsIT.DB, "keyed");
        String early = position(records.get(half / 2));
        assertThatThrownBy(() -> archive.asOf(keyed, ArchivePoint.parse(early), "asof", "k1"))
                .isInstanceOf(ChangeArchive.ArchiveGapException.class)
                .hasMessageContaining("stream s of pipeline p starts at").hasMessageContaining("after " + early);
        String late = position(records.get(records.size() - 4));
        assertThat(archive.asOf(keyed, ArchivePoint.parse(late), "asof", "k2").table()).isEqualTo(Names.qualify("asof", "k2"));
        // a batch applied without the archive after it: the table now is not the archive's
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", records, 1000);
        }
        assertThatThrownBy(() -> archive.asOf(keyed, ArchivePoint.parse(late), "asof", "k3"))
                .isInstanceOf(ChangeArchive.ArchiveGapException.class).hasMessageContaining("batches applied without the archive");
    }

    @Test
    void ddlAfterThePointIsRefusedNamingTheEvent() throws SQLException {
        clean(db, "dd", "asof");
        List<MaxwellStream.Col> cols = List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("n", "int"));
        MaxwellStream s = new MaxwellStream().createDatabase("dd");
        s.createTable("dd", "t", cols, List.of("id"), "CREATE TABLE t (id int, n int, PRIMARY KEY (id))");
        s.insert("dd", "t", List.of("id"), MaxwellStream.row("id", 1, "n", 1));
        s.alterTable("dd", "t", cols, List.of("id"), List.of(cols.get(0), cols.get(1), new MaxwellStream.Col("m", "int")), List.of("id"),
                "ALTER TABLE t ADD COLUMN m int");
        s.insert("dd", "t", List.of("id"), MaxwellStream.row("id", 2, "n", 2, "m", 2));
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", s.records(), 1000);
        }
        String first = position(s.records().get(2));
        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(db.url()).build();
        assertThatThrownBy(() -> archive.asOf(TableId.of("dd", "t"), ArchivePoint.parse(first), "dd", "t_then"))
                .isInstanceOf(ChangeArchive.ArchiveGapException.class).hasMessageContaining("cannot undo the table-alter of dd.t at stream s offset " + s.records().get(3).offset());
        assertThat(db.rows("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'dd' AND relname = 't_then'"))
                .containsExactly("0");
    }

    @Test
    void aBootstrapAfterThePointIsRefusedNamingIt() throws SQLException {
        clean(db, "bs", "asof");
        MaxwellStream s = new MaxwellStream().createDatabase("bs");
        s.createTable("bs", "t", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("n", "int")), List.of("id"),
                "CREATE TABLE t (id int, n int, PRIMARY KEY (id))");
        s.insert("bs", "t", List.of("id"), MaxwellStream.row("id", 1, "n", 1));
        s.bootstrapStart("bs", "t").bootstrapInsert("bs", "t", List.of("id"), MaxwellStream.row("id", 1, "n", 1))
                .bootstrapInsert("bs", "t", List.of("id"), MaxwellStream.row("id", 2, "n", 2)).bootstrapComplete("bs", "t");
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", s.records(), 1000);
        }
        assertThat(db.rows("SELECT id || ' ' || n FROM bs.t ORDER BY id")).containsExactly("1 1", "2 2");
        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(db.url()).build();
        assertThatThrownBy(() -> archive.asOf(TableId.of("bs", "t"), ArchivePoint.parse(position(s.records().get(2))), "bs", "t_then"))
                .isInstanceOf(ChangeArchive.ArchiveGapException.class)
                .hasMessageContaining("bootstrap-start of bs.t at stream s offset " + s.records().get(3).offset())
                .hasMessageContaining("a bootstrap replaced the table's rows");
        assertThat(db.rows("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'bs' AND relname = 't_then'"))
                .containsExactly("0");
    }

    @Test
    void aDeleteWithAMinimalImageAfterThePointIsRefusedNamingIt() throws SQLException {
        clean(db, "mn", "asof");
        MaxwellStream s = new MaxwellStream().createDatabase("mn");
        s.createTable("mn", "t", List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("n", "int")), List.of("id"),
                "CREATE TABLE t (id int, n int, PRIMARY KEY (id))");
        s.insert("mn", "t", List.of("id"), MaxwellStream.row("id", 1, "n", 1));
        s.insert("mn", "t", List.of("id"), MaxwellStream.row("id", 2, "n", 2));
        s.delete("mn", "t", List.of("id"), MaxwellStream.row("id", 2)); // binlog_row_image=MINIMAL: the key only
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", s.records(), 1000);
        }
        assertThat(db.rows("SELECT id || ' ' || n FROM mn.t ORDER BY id")).containsExactly("1 1");
        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(db.url()).build();
        assertThatThrownBy(() -> archive.asOf(TableId.of("mn", "t"), ArchivePoint.parse(position(s.records().get(2))), "mn", "t_then"))
                .isInstanceOf(ChangeArchive.ArchiveGapException.class)
                .hasMessageContaining("delete of mn.t at stream s offset " + s.records().get(4).offset())
                .hasMessageContaining("lacks column n (a MINIMAL row image)");
        assertThat(db.rows("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'mn' AND relname = 't_then'"))
                .containsExactly("0");
    }

    @Test
    void retentionDropsTheOldestPartitionsAndTheCoverageFollows() throws SQLException {
        clean(db, "rt", "asof");
        List<MaxwellStream.Col> cols = List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("n", "int"));
        long now = System.currentTimeMillis() / 1000;
        MaxwellStream s = new MaxwellStream().at(now - 10 * 86_400).createDatabase("rt");
        s.createTable("rt", "t", cols, List.of("id"), "CREATE TABLE t (id int, n int, PRIMARY KEY (id))");
        s.insert("rt", "t", List.of("id"), MaxwellStream.row("id", 1, "n", 1));
        s.at(now - 5 * 86_400).insert("rt", "t", List.of("id"), MaxwellStream.row("id", 2, "n", 2));
        s.at(now).insert("rt", "t", List.of("id"), MaxwellStream.row("id", 3, "n", 3));
        List<Scenarios.Record> records = s.records();
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", records.subList(0, 4), 1000);
        }
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        ArchiveSql sql = new ArchiveSql(TestDatabase.serverKind().dialect(), "greenwell");
        assertThat(partitions()).contains(sql.partitionName(today.minusDays(10)), sql.partitionName(today.minusDays(5)),
                sql.partitionName(today), sql.partitionName(today.plusDays(1)));
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).archive(true).archiveRetention(Duration.ofDays(7)).build()) {
            Scenarios.replay(target, "p", "s", records, 1000);
        }
        assertThat(partitions()).doesNotContain(sql.partitionName(today.minusDays(10))).contains(sql.partitionName(today.minusDays(5)));
        assertThat(db.rows("SELECT stream_offset FROM greenwell.event_archive ORDER BY 1"))
                .containsExactly(Long.toString(records.get(3).offset()), Long.toString(records.get(4).offset()));
        assertThat(db.rows("SELECT since_offset FROM greenwell.archive_coverage")).containsExactly(Long.toString(records.get(2).offset()));
        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(db.url()).build();
        assertThatThrownBy(() -> archive.asOf(TableId.of("rt", "t"), ArchivePoint.parse(position(records.get(2))), "rt", "t_then"))
                .isInstanceOf(ChangeArchive.ArchiveGapException.class).hasMessageContaining("older partitions were dropped");
        assertThat(archive.asOf(TableId.of("rt", "t"), ArchivePoint.parse(position(records.get(3))), "rt", "t_then").rows()).isEqualTo(2);
        // an event older than the retention, arriving late, is archived all the same (its day is dropped the next day)
        s.at(now - 30 * 86_400).insert("rt", "t", List.of("id"), MaxwellStream.row("id", 4, "n", 4));
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).archive(true).archiveRetention(Duration.ofDays(7)).build()) {
            Scenarios.replay(target, "p", "s", s.records(), 1000);
        }
        assertThat(db.rows("SELECT count(*) FROM greenwell.event_archive WHERE data::text LIKE '%\"id\":4%'")).containsExactly("1");
    }

    @Test
    void aRowsHistoryFollowsItsKeyChanges() throws SQLException {
        clean(db, "hist");
        List<MaxwellStream.Col> cols = List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("n", "varchar"));
        MaxwellStream s = new MaxwellStream().createDatabase("hist");
        s.createTable("hist", "t", cols, List.of("id"), "CREATE TABLE t (id int, n varchar(10), PRIMARY KEY (id))");
        List<String> pk = List.of("id");
        s.insert("hist", "t", pk, MaxwellStream.row("id", 1, "n", "a"));
        s.insert("hist", "t", pk, MaxwellStream.row("id", 5, "n", "other"));
        s.update("hist", "t", pk, MaxwellStream.row("id", 1, "n", "b"), MaxwellStream.row("n", "a"));
        s.update("hist", "t", pk, MaxwellStream.row("id", 2, "n", "b"), MaxwellStream.row("id", 1));
        s.update("hist", "t", pk, MaxwellStream.row("id", 3, "n", "c"), MaxwellStream.row("id", 2, "n", "b"));
        s.delete("hist", "t", pk, MaxwellStream.row("id", 3, "n", "c"));
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", s.records(), 2);
        }
        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(db.url()).build();
        for (String key : new String[] {"1", "2", "3"}) {
            List<ChangeArchive.RowHistory> h = archive.history(TableId.of("hist", "t"), Map.of("id", key), null, null);
            List<String> lines = new ArrayList<>();
            for (ChangeArchive.RowHistory e : h) {
                StringBuilder sb = new StringBuilder(e.event().type());
                List<ChangeArchive.ColumnChange> changes = new ArrayList<>(e.changes());
                changes.sort(java.util.Comparator.comparing(ChangeArchive.ColumnChange::column));
                for (ChangeArchive.ColumnChange cc : changes) {
                    sb.append(' ').append(cc.column()).append(':').append(cc.before()).append("->").append(cc.after());
                }
                lines.add(sb.toString());
            }
            assertThat(lines).as("history of id %s", key).containsExactly("insert id:null->1 n:null->\"a\"", "update n:\"a\"->\"b\"",
                    "update id:1->2", "update id:2->3 n:\"b\"->\"c\"", "delete id:3->null n:\"c\"->null");
        }
        assertThat(archive.history(TableId.of("hist", "t"), Map.of("id", "5"), null, null)).hasSize(1);
    }

    @Test
    void aLostSessionAndACheckpointResetNeitherLoseNorDoubleArchivedEvents() throws SQLException {
        clean(db, ApplySemanticsIT.DB);
        List<Scenarios.Record> records = ApplySemanticsIT.generate(new Random(21), new ApplySemanticsIT.Model(), 300, false).records();
        int half = records.size() / 2;
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", records.subList(0, half), 20);
            // the session dies between batches: the next batches go on a new one
            db.terminate(Sessions.backendPid(target));
            Scenarios.replay(target, "p", "s", records, 20);
        }
        assertArchivedOnce(records);
        // the stream starts over: what applies again replaces its archived events, nothing is doubled or lost
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM greenwell.checkpoint");
        }
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", records.subList(half, records.size()), 1000);
        }
        assertArchivedOnce(records);
        assertThat(db.rows("SELECT since_offset, last_offset FROM greenwell.archive_coverage")).containsExactly(
                (records.get(0).offset() - 1) + "|" + records.get(records.size() - 1).offset());
    }

    private static void assertArchivedOnce(List<Scenarios.Record> records) throws SQLException {
        List<String> expected = new ArrayList<>();
        for (Scenarios.Record r : records) {
            expected.add(Long.toString(r.offset()));
        }
        assertThat(db.rows("SELECT stream_offset FROM greenwell.event_archive ORDER BY stream_offset")).isEqualTo(expected);
        assertThat(db.rows("SELECT last_offset FROM greenwell.archive_coverage")).isEqualTo(db.rows("SELECT \"offset\" FROM greenwell.checkpoint"));
    }

    @Test
    void withoutPositionsEventsAreUndoneInStreamOrder() throws SQLException {
        clean(db, "np", "asof");
        List<MaxwellStream.Col> cols = List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("a", "int"));
        List<String> pk = List.of("id");
        MaxwellStream s = new MaxwellStream().at(1_700_000_000L).createDatabase("np");
        s.createTable("np", "t", cols, pk, "CREATE TABLE t (id int, a int, PRIMARY KEY (id))");
        s.insert("np", "t", pk, MaxwellStream.row("id", 1, "a", 1));
        s.insert("np", "t", pk, MaxwellStream.row("id", 2, "a", 1));
        // one row, then a transaction of two whose first row (xoffset 0) changes the same row again
        s.at(1_700_000_100L).update("np", "t", pk, MaxwellStream.row("id", 1, "a", 2), MaxwellStream.row("a", 1));
        s.at(1_700_000_200L).begin().update("np", "t", pk, MaxwellStream.row("id", 1, "a", 3), MaxwellStream.row("a", 2))
                .update("np", "t", pk, MaxwellStream.row("id", 2, "a", 3), MaxwellStream.row("a", 1)).commit();
        List<Scenarios.Record> records = new ArrayList<>();
        for (Scenarios.Record r : s.records()) {
            String text = new String(r.bytes(), java.nio.charset.StandardCharsets.UTF_8).replaceAll(",?\"position\":\"[^\"]*\"", "");
            records.add(new Scenarios.Record(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), r.offset()));
        }
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", records, 1000);
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA asof");
        }
        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(db.url()).build();
        archive.asOf(TableId.of("np", "t"), ArchivePoint.parse("2023-11-14T22:13:20Z"), "asof", "t0");
        archive.asOf(TableId.of("np", "t"), ArchivePoint.parse("2023-11-14T22:15:00Z"), "asof", "t1");
        assertThat(db.rows("SELECT id || '=' || a FROM asof.t0 ORDER BY id")).containsExactly("1=1", "2=1");
        assertThat(db.rows("SELECT id || '=' || a FROM asof.t1 ORDER BY id")).containsExactly("1=2", "2=1");
        // a binlog position cannot place events that have none
        assertThatThrownBy(() -> archive.asOf(TableId.of("np", "t"), ArchivePoint.parse("mysql-bin.000001:4"), "asof", "t2"))
                .isInstanceOf(ChangeArchive.ArchiveGapException.class).hasMessageContaining("has no binlog positions");
        List<String> types = new ArrayList<>();
        for (ChangeArchive.RowHistory h : archive.history(TableId.of("np", "t"), Map.of("id", "1"), null, null)) {
            types.add(h.event().type() + " " + h.event().data());
        }
        assertThat(types).containsExactly("insert {\"id\":1,\"a\":1}", "update {\"id\":1,\"a\":2}", "update {\"id\":1,\"a\":3}");
    }

    @Test
    void anXidOfTwoTransactionsIsRefusedAndAHistoryReadsPastNulCharacters() throws SQLException {
        clean(db, "xd");
        List<MaxwellStream.Col> cols = List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("n", "varchar"));
        List<String> pk = List.of("id");
        MaxwellStream s = new MaxwellStream().createDatabase("xd");
        s.createTable("xd", "t", cols, pk, "CREATE TABLE t (id int, n varchar(10), PRIMARY KEY (id))");
        s.xid(41).insert("xd", "t", pk, MaxwellStream.row("id", 1, "n", "a\u0000b"));
        // the server restarted: its xid counter too
        s.xid(41).insert("xd", "t", pk, MaxwellStream.row("id", 2, "n", "c"));
        try (GreenplumTarget target = archiving(db)) {
            Scenarios.replay(target, "p", "s", s.records(), 1000);
        }
        ChangeArchive archive = ChangeArchive.builder().jdbcUrl(db.url()).build();
        assertThatThrownBy(() -> archive.flashback(new ChangeArchive.Selection(null, java.math.BigInteger.valueOf(42), null, null, List.of())))
                .isInstanceOf(ChangeArchive.ArchiveGapException.class).hasMessageContaining("xid 42 names more than one transaction");
        assertThat(archive.history(TableId.of("xd", "t"), Map.of("id", "2"), null, null)).hasSize(1);
        assertThat(archive.history(TableId.of("xd", "t"), Map.of("id", "1"), null, null).get(0).changes())
                .contains(new ChangeArchive.ColumnChange("n", null, "\"a\\u0000b\""));
    }

    private static List<String> partitions() throws SQLException {
        List<String> out = new ArrayList<>();
        ArchiveSql sql = new ArchiveSql(TestDatabase.serverKind().dialect(), "greenwell");
        try (Connection c = db.connect(); java.sql.PreparedStatement ps = c.prepareStatement(sql.selectPartitions())) {
            ps.setString(1, "greenwell");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    static List<List<String>> rows(Connection c, String qualified, List<String> cols) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + qualified)) {
            while (rs.next()) {
                List<String> r = new ArrayList<>();
                for (String col : cols) {
                    String v = rs.getString(col);
                    r.add(v != null && col.equals("z") ? Double.toString(Double.parseDouble(v)) : v);
                }
                out.add(r);
            }
        }
        return out;
    }

    private static String position(Scenarios.Record r) {
        try {
            return JSON.readTree(r.bytes()).get("position").asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** JSON equality: numbers by value, strings exactly, objects by members. */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a == null || a.isMissingNode()) {
            return b == null || b.isNull() || b.isMissingNode();
        }
        if (b == null) {
            return false;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isTextual() && b.isTextual()) {
            return a.asText().equals(b.asText());
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                if (!b.has(e.getKey()) || !same(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }
}
