package io.greenwell.cdc.binlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The DDL of the recorded scenarios read by {@link DdlReader}, statement by statement in the
 * recorded order, gives the DDL records Maxwell gave: the same types, databases, tables,
 * {@code old} and {@code def}. One difference is by design: after
 * {@code ALTER TABLE ... CONVERT TO CHARACTER SET x} the table's own charset is {@code x}, as
 * MySQL has it, where Maxwell keeps the old one.
 */
class DdlReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"ddl", "types", "music"})
    void theRecordedStatementsGiveMaxwellsRecords(String scenario) throws Exception {
        List<JsonNode> recorded = new ArrayList<>();
        try (InputStream in = DdlReaderTest.class.getResourceAsStream("/testdata/maxwell/" + scenario + ".maxwell.jsonl");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode n = JSON.readTree(line);
                if (n.get("type").asText().startsWith("table-") || n.get("type").asText().startsWith("database-")) {
                    recorded.add(n);
                }
            }
        }
        assertThat(recorded).isNotEmpty();
        DdlReader reader = new DdlReader(new SchemaState("utf8mb4"), db -> true);
        MaxwellDecoder decoder = MaxwellDecoder.create();
        List<String> differences = new ArrayList<>();
        int i = 0;
        long offset = 1;
        while (i < recorded.size()) {
            JsonNode first = recorded.get(i);
            String sql = first.get("sql").asText();
            List<DdlReader.Change> got = reader.read(sql, first.get("database").asText(), offset++, "b.1:4");
            int k = 0;
            while (i < recorded.size() && recorded.get(i).get("sql").asText().equals(sql)
                    && recorded.get(i).path("position").asText().equals(first.path("position").asText())) {
                JsonNode want = recorded.get(i++);
                if (k >= got.size()) {
                    differences.add(sql + ": no record for " + want);
                    k++;
                    continue;
                }
                byte[] bytes = DdlJson.render(got.get(k++), want.get("ts").asLong(), sql, "mysql-bin.000001:4", null, 1);
                ChangeEvent decoded = decoder.decode(bytes);
                assertThat(decoded).isInstanceOf(SchemaChange.class); // what the pipeline reads
                ObjectNode mine = (ObjectNode) JSON.readTree(bytes);
                for (String f : List.of("type", "database", "table", "old", "def", "charset")) {
                    JsonNode w = want.get(f);
                    JsonNode g = mine.get(f);
                    if (f.equals("def") && sql.contains("CONVERT TO") && g != null) {
                        ((ObjectNode) g).set("charset", w.get("charset"));
                    }
                    if (w == null ? g != null : !w.equals(g)) {
                        differences.add(sql.replaceAll("\\s+", " ") + ": " + f + " Maxwell " + w + ", reader " + g);
                    }
                }
            }
            if (k < got.size()) {
                differences.add(sql + ": " + (got.size() - k) + " records more than Maxwell's");
            }
        }
        assertThat(differences).isEmpty();
    }

    @Test
    void statementsThatChangeRowsWithoutRowEventsOrCannotBeReadStopWithTheStatement() {
        SchemaState state = new SchemaState("utf8mb4");
        DdlReader reader = new DdlReader(state, db -> true);
        reader.read("CREATE TABLE t (id int PRIMARY KEY, v varchar(5)) PARTITION BY HASH (id) PARTITIONS 2", "d", 1, "b.1:4");
        assertThatThrownBy(() -> reader.read("TRUNCATE TABLE t", "d", 2, "b.1:4")).isInstanceOf(CdcException.class)
                .hasMessageContaining("TRUNCATE TABLE t").hasMessageContaining("skipDdl");
        assertThatThrownBy(() -> reader.read("ALTER TABLE t TRUNCATE PARTITION p0", "d", 3, "b.1:4")).hasMessageContaining("without row events");
        assertThatThrownBy(() -> reader.read("ALTER TABLE t DROP PARTITION p0", "d", 4, "b.1:4")).hasMessageContaining("without row events");
        assertThatThrownBy(() -> reader.read("ALTER TABLE t FROBNICATE", "d", 5, "b.1:4")).hasMessageContaining("clause FROBNICATE");
        assertThatThrownBy(() -> reader.read("ALTER TABLE unknown ADD COLUMN x int", "d", 6, "b.1:4")).hasMessageContaining("does not know table d.unknown");
        assertThatThrownBy(() -> reader.read("CREATE TABLE u (id uuid)", "d", 7, "b.1:4")).hasMessageContaining("type uuid");
        // and what is harmless changes nothing
        List<DdlReader.Change> alter = reader.read("ALTER TABLE t ENGINE=InnoDB, ALGORITHM=INPLACE, ADD INDEX iv (v), COMMENT 'x'", "d", 8, "b.1:4");
        assertThat(alter.get(0).def()).isEqualTo(alter.get(0).old());
        assertThat(reader.read("CREATE TEMPORARY TABLE tmp (id int)", "d", 9, "b.1:4")).isEmpty();
        assertThat(reader.read("CREATE TABLE IF NOT EXISTS t (other int)", "d", 10, "b.1:4")).isEmpty();
    }

    @Test
    void aSeededTableIsTrustedOnlyForStatementsAfterTheSeedsHorizon() {
        SchemaState state = new SchemaState("utf8mb4");
        state.seeded(new TableDef("d", "s", "utf8mb4", List.of(ColumnDef.of("id", "int")), List.of("id")), 100);
        DdlReader reader = new DdlReader(state, db -> true);
        assertThatThrownBy(() -> reader.read("ALTER TABLE s ADD COLUMN v int", "d", 50, "b.1:4")).isInstanceOf(CdcException.class)
                .hasMessageContaining("cannot tell the definition of table d.s").hasMessageContaining("ALTER TABLE s ADD COLUMN v int");
        assertThat(reader.read("ALTER TABLE s ADD COLUMN v int", "d", 100, "b.1:4").get(0).def().columns()).hasSize(2);
        // a table the binlog itself defined is known at any point
        reader.read("CREATE TABLE t (id int PRIMARY KEY)", "d", 1, "b.1:4");
        assertThat(reader.read("ALTER TABLE t ADD COLUMN v int", "d", 2, "b.1:4").get(0).def().columns()).hasSize(2);
        // and a CREATE ... IF NOT EXISTS before the horizon is neither a no-op nor a creation on the seed's word: the table may have
        // been there then with another definition, or not
        state.seeded(new TableDef("d", "u", "utf8mb4", List.of(ColumnDef.of("id", "int")), List.of()), 100);
        assertThatThrownBy(() -> reader.read("CREATE TABLE IF NOT EXISTS u (id int)", "d", 60, "b.1:4"))
                .hasMessageContaining("cannot tell the definition of table d.u");
        assertThat(reader.read("CREATE TABLE IF NOT EXISTS u (id int)", "d", 100, "b.1:4")).isEmpty();
    }

    /** Each as MariaDB 10.11 does it (checked with SHOW CREATE TABLE after the same statements). */
    @Test
    void alterClausesTakeEffectInMysqlsOrderAndNamesResolveAsMysqlResolvesThem() {
        DdlReader reader = new DdlReader(new SchemaState("latin1"), db -> !db.equals("other"));
        reader.read("CREATE TABLE d.q (a int PRIMARY KEY, b int NOT NULL)", null, 1, "b.1:4");
        // drops before adds, whatever the order
        assertThat(reader.read("ALTER TABLE d.q ADD PRIMARY KEY (b), DROP PRIMARY KEY", null, 2, "b.1:4").get(0).def().primaryKey())
                .containsExactly("b");
        assertThat(reader.read("ALTER TABLE d.q DROP INDEX `PRIMARY`", null, 3, "b.1:4").get(0).def().primaryKey()).isEmpty();
        reader.read("ALTER TABLE d.q ADD PRIMARY KEY (a)", null, 4, "b.1:4");
        assertThat(reader.read("DROP INDEX `PRIMARY` ON d.q", null, 5, "b.1:4").get(0).def().primaryKey()).isEmpty();
        assertThat(reader.read("DROP INDEX ib ON d.q", null, 6, "b.1:4")).isEmpty();
        // a column added without a charset takes the table's as the statement leaves it; a parenthesised ADD keeps an inline key
        reader.read("CREATE TABLE d.r (a int) DEFAULT CHARSET latin1", null, 7, "b.1:4");
        TableDef r = reader.read("ALTER TABLE d.r ADD c varchar(5), DEFAULT CHARSET utf8mb4", null, 8, "b.1:4").get(0).def();
        assertThat(r.columns().get(1).charset()).isEqualTo("utf8mb4");
        assertThat(reader.read("ALTER TABLE d.r ADD (e int PRIMARY KEY, f int)", null, 9, "b.1:4").get(0).def().primaryKey())
                .containsExactly("e");
        // MariaDB's uca1400 collations name no charset: the table's holds
        assertThat(reader.read("CREATE TABLE d.u (v varchar(3) COLLATE uca1400_ai_ci) CHARSET utf8mb4", null, 10, "b.1:4").get(0)
                .def().columns().get(0).charset()).isEqualTo("utf8mb4");
        // an unqualified RENAME TO goes to the session's database
        assertThat(reader.read("ALTER TABLE d.u RENAME TO u2", "e", 11, "b.1:4").get(0).def().id())
                .isEqualTo(new io.greenwell.cdc.event.TableId("e", "u2"));
        // a table of a database not followed: moved in, it is refused (its definition was never followed); else passed over
        reader.read("CREATE TABLE d.x (id int)", null, 12, "b.1:4");
        assertThatThrownBy(() -> reader.read("ALTER TABLE other.t ADD k int, RENAME TO d.t", null, 13, "b.1:4"))
                .hasMessageContaining("does not know table other.t (its database is not followed)");
        assertThat(reader.read("ALTER TABLE other.t FROBNICATE, RENAME TO other.t2", null, 14, "b.1:4")).isEmpty();
        assertThat(reader.read("RENAME TABLE other.a TO other.b, d.x TO d.y", null, 15, "b.1:4")).extracting(ch -> ch.def().table())
                .containsExactly("y");
        assertThatThrownBy(() -> reader.read("RENAME TABLE other.a TO d.a", null, 16, "b.1:4")).hasMessageContaining("other.a");
        // MariaDB's forms of RENAME TABLE and DROP TABLE, about tables of a database not followed: passed over
        assertThat(reader.read("RENAME TABLE IF EXISTS other.a NOWAIT TO other.b, other.c WAIT 5 TO other.d", null, 18, "b.1:4")).isEmpty();
        assertThat(reader.read("RENAME TABLES d.y TO d.z", null, 19, "b.1:4")).extracting(ch -> ch.def().table()).containsExactly("z");
        assertThat(reader.read("RENAME TABLE IF EXISTS d.missing TO d.m2, d.z TO d.z2, d.z2 TO d.z", null, 19, "b.1:4"))
                .extracting(ch -> ch.def().table()).containsExactly("z2", "z");
        assertThat(reader.read("DROP TABLES IF EXISTS other.a, d.z", null, 20, "b.1:4")).extracting(DdlReader.Change::table)
                .containsExactly("z");
        // a partition exchanged with a followed table changes its rows without row events
        assertThatThrownBy(() -> reader.read("ALTER TABLE other.p EXCHANGE PARTITION p0 WITH TABLE d.q", null, 21, "b.1:4"))
                .hasMessageContaining("EXCHANGE PARTITION");
        assertThat(reader.read("ALTER TABLE other.p EXCHANGE PARTITION p0 WITH TABLE other.q", null, 22, "b.1:4")).isEmpty();
        // the key dropped by its index's name, also IF EXISTS, and as a constraint
        reader.read("ALTER TABLE d.q ADD PRIMARY KEY (a)", null, 23, "b.1:4");
        assertThat(reader.read("ALTER TABLE d.q DROP INDEX IF EXISTS `PRIMARY`", null, 24, "b.1:4").get(0).def().primaryKey()).isEmpty();
        reader.read("ALTER TABLE d.q ADD PRIMARY KEY (a)", null, 25, "b.1:4");
        assertThat(reader.read("ALTER TABLE d.q DROP CONSTRAINT `PRIMARY`", null, 26, "b.1:4").get(0).def().primaryKey()).isEmpty();
        // CONVERT TO changes every character column of the statement, one it adds with a charset of its own too
        reader.read("CREATE TABLE d.c2 (a int, v varchar(3)) CHARSET utf8mb4", null, 27, "b.1:4");
        TableDef c2 = reader.read("ALTER TABLE d.c2 CONVERT TO CHARACTER SET latin1, ADD w varchar(3) CHARACTER SET utf8mb4", null, 28,
                "b.1:4").get(0).def();
        assertThat(c2.columns()).extracting(ColumnDef::charset).containsExactly(null, "latin1", "latin1");
        // a MERGE table's UNION=(...) is an option, not a SELECT
        assertThat(reader.read("CREATE TABLE d.m (a int) ENGINE=MERGE UNION=(d.c2) INSERT_METHOD=LAST", null, 29, "b.1:4")).hasSize(1);
        // ROW binlogs log CREATE ... SELECT as the table's full CREATE: one with a SELECT cannot be told
        assertThatThrownBy(() -> reader.read("CREATE TABLE d.s (a int) SELECT 1 AS b", null, 17, "b.1:4"))
                .hasMessageContaining("CREATE TABLE ... SELECT");
    }

    @Test
    void columnsTakeTheirTypesKeysAndCharsetsAsMysqlGivesThem() {
        DdlReader reader = new DdlReader(new SchemaState("latin1"), db -> !db.equals("other"));
        reader.read("CREATE DATABASE d COLLATE utf8mb4_bin", null, 1, "b.1:4");
        DdlReader.Change c = reader.read("CREATE TABLE `d`.`t``q` (`Id` serial, k int KEY, u int UNIQUE KEY, n national char(3), "
                + "b varchar(4) CHARACTER SET binary, s set('a','b') CHARACTER SET latin1, t2 time(3), d double precision, /* note */ "
                + "c char(2) COLLATE ascii_bin, z text) /*!40100 DEFAULT CHARSET=utf16 */", null, 2, "b.1:4").get(0);
        assertThat(c.def().table()).isEqualTo("t`q");
        assertThat(c.def().charset()).isEqualTo("utf16");
        assertThat(c.def().primaryKey()).containsExactly("k");
        assertThat(c.def().columns()).extracting(col -> col.name() + ":" + col.type() + ":" + col.signed() + ":" + col.charset() + ":"
                + col.enumValues() + ":" + col.columnLength())
                .containsExactly("Id:bigint:false:null:[]:null", "k:int:true:null:[]:null", "u:int:true:null:[]:null",
                        "n:char:null:utf8mb3:[]:null", "b:varbinary:null:binary:[]:null", "s:set:null:null:[a, b]:null",
                        "t2:time:null:null:[]:3", "d:double:null:null:[]:null", "c:char:null:ascii:[]:null", "z:text:null:utf16:[]:null");
        assertThat(reader.read("CREATE TABLE d.plain (v varchar(3))", null, 3, "b.1:4").get(0).def().columns().get(0).charset()).isEqualTo("utf8mb4");
        assertThat(reader.read("DROP TABLE other.x, d.plain", "d", 4, "b.1:4")).extracting(DdlReader.Change::table).containsExactly("plain");
        List<DdlReader.Change> moved = reader.read("RENAME TABLE d.`t``q` TO d.t2, d.t2 TO d.t3", null, 5, "b.1:4");
        assertThat(moved).extracting(ch -> ch.def().table()).containsExactly("t2", "t3");
        DdlReader.Change alter = reader.read("ALTER TABLE d.t3 DROP COLUMN k, CHANGE n nn int unsigned FIRST, DROP PRIMARY KEY,"
                + " ADD CONSTRAINT pk PRIMARY KEY USING BTREE (`ID`, nn), RENAME TO d.t4", null, 6, "b.1:4").get(0);
        assertThat(alter.def().table()).isEqualTo("t4");
        assertThat(alter.def().primaryKey()).containsExactly("Id", "nn");
        assertThat(alter.def().columns().get(0).name()).isEqualTo("nn");
        assertThat(alter.def().columns().get(0).signed()).isFalse();
    }
}
