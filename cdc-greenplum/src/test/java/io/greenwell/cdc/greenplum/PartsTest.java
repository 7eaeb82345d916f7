package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.compact.Watermark;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.SourcePosition;
import io.greenwell.cdc.event.TableId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The small pure parts of the target: names, dialects, the DDL reader, the type map, filters, checkpoint text. */
class PartsTest {

    @Nested
    class Identifiers {
        @Test
        void shortNamesAreKeptExactlyAndQuoted() {
            assertThat(Names.target("CaseTable")).isEqualTo("CaseTable");
            assertThat(Names.quote("a\"b; DROP")).isEqualTo("\"a\"\"b; DROP\"");
            assertThat(Names.qualify("s", "t")).isEqualTo("\"s\".\"t\"");
        }

        @Test
        void longNamesGetAStableHashSuffixWithin63Bytes() {
            String a = "x".repeat(60) + "_first";
            String b = "x".repeat(60) + "_second";
            assertThat(Names.target(a)).hasSize(63).isEqualTo(Names.target(a)).isNotEqualTo(Names.target(b));
            assertThat(Names.target(a)).startsWith("x".repeat(54) + "_");
            String unicode = "é".repeat(40);
            assertThat(Names.target(unicode).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
            assertThat(Names.target(unicode)).startsWith("é".repeat(27) + "_");
        }
    }

    @Nested
    class Dialects {
        @Test
        void detectedFromVersion() {
            assertThat(Dialect.detect("PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu")).isEqualTo(Dialect.POSTGRESQL);
            assertThat(Dialect.detect("PostgreSQL 9.4.26 (Greenplum Database 6.25.3 build commit:abc) on x86_64")).isEqualTo(Dialect.GREENPLUM_6);
            assertThat(Dialect.detect("PostgreSQL 12.12 (Greenplum Database 7.1.0 build commit:abc) on x86_64")).isEqualTo(Dialect.GREENPLUM_7);
            assertThat(Dialect.detect("PostgreSQL 14.4 (Apache Cloudberry 2.0.0-incubating build 1) on x86_64")).isEqualTo(Dialect.GREENPLUM_7);
        }

        @Test
        void parsedFromTheCommandLine() {
            assertThat(Dialect.parse("greenplum6")).isEqualTo(Dialect.GREENPLUM_6);
            assertThat(Dialect.parse("Cloudberry")).isEqualTo(Dialect.GREENPLUM_7);
            assertThat(Dialect.parse("postgresql")).isEqualTo(Dialect.POSTGRESQL);
            assertThatThrownBy(() -> Dialect.parse("oracle")).hasMessageContaining("postgresql, greenplum6");
        }
    }

    @Nested
    class CreateTableText {
        @Test
        void readsTypesArgumentsAndUnsigned() {
            MysqlDdl.CreateTable t = MysqlDdl.parseCreateTable("CREATE TABLE IF NOT EXISTS `db`.`t` (\n"
                    + "  `Id` bigint(20) unsigned NOT NULL AUTO_INCREMENT COMMENT 'the, key',\n"
                    + "  price decimal(12, 4) DEFAULT '0.00', -- a comment, with a comma\n"
                    + "  `we``ird` varchar(10) CHARACTER SET utf8mb4, d double precision, e enum('a,b', 'c'),\n"
                    + "  /* block */ b bit(17), PRIMARY KEY (`Id`), KEY k (price), CONSTRAINT c CHECK (price > 0)\n"
                    + ") ENGINE=InnoDB /*!50100 PARTITION BY HASH (Id) */");
            assertThat(t.column("id")).isEqualTo(new MysqlDdl.ColumnType("bigint", List.of("20"), true));
            assertThat(t.column("PRICE").args()).containsExactly("12", "4");
            assertThat(t.column("we`ird").intArg(0)).isEqualTo(10);
            assertThat(t.column("d").name()).isEqualTo("double precision");
            assertThat(t.column("e").args()).containsExactly("a,b", "c");
            assertThat(t.column("b").intArg(0)).isEqualTo(17);
            assertThat(t.columns()).hasSize(6);
        }

        @Test
        void readsLike() {
            MysqlDdl.CreateTable t = MysqlDdl.parseCreateTable("CREATE TABLE products_copy LIKE products");
            assertThat(t.likeTable()).isEqualTo("products");
            assertThat(t.likeDatabase()).isNull();
            assertThat(MysqlDdl.parseCreateTable("create table a (like `o`.`p`)").likeDatabase()).isEqualTo("o");
        }

        @Test
        void readsRenamesAndColumnTypesOfAlter() {
            MysqlDdl.AlterTable a = MysqlDdl.parseAlter("ALTER TABLE `shop`.products CHANGE COLUMN name product_name varchar(100) NOT NULL,"
                    + " RENAME COLUMN weight_g TO `weight grams`, MODIFY price decimal(12,4) DEFAULT 0.0000, ADD COLUMN sku char(8) FIRST,"
                    + " ADD (x int unsigned, y bit(3)), ADD PRIMARY KEY (id), ADD UNIQUE KEY uk (sku), DROP COLUMN legacy");
            assertThat(a.renamed("NAME")).isEqualTo("product_name");
            assertThat(a.renamed("weight_g")).isEqualTo("weight grams");
            assertThat(a.column("product_name").intArg(0)).isEqualTo(100);
            assertThat(a.column("price").args()).containsExactly("12", "4");
            assertThat(a.column("sku").name()).isEqualTo("char");
            assertThat(a.column("x").unsigned()).isTrue();
            assertThat(a.column("y").intArg(0)).isEqualTo(3);
            assertThat(a.columns()).containsOnlyKeys("product_name", "price", "sku", "x", "y");
            assertThat(MysqlDdl.parseAlter("RENAME TABLE a TO b").columns()).isEmpty();
            assertThat(MysqlDdl.parseAlter(null).renames()).isEmpty();
        }

        @Test
        void unreadableTextGivesNothing() {
            assertThat(MysqlDdl.parseCreateTable(null).columns()).isEmpty();
            assertThat(MysqlDdl.parseCreateTable("CREATE TABLE t AS SELECT 1").columns()).isEmpty();
        }
    }

    @Nested
    class Types {
        private String map(String type, Boolean signed, Integer fsp, String sqlType) {
            MysqlDdl.ColumnType parsed = sqlType == null ? null
                    : MysqlDdl.parseCreateTable("CREATE TABLE t (c " + sqlType + ")").column("c");
            return TypeMap.pgType(new ColumnDef("c", type, signed, null, null, fsp), parsed, TypeMap.Options.DEFAULT);
        }

        @Test
        void withoutTheStatementTextTypesAreUnconstrained() {
            assertThat(map("decimal", null, null, null)).isEqualTo("numeric");
            assertThat(map("varchar", null, null, null)).isEqualTo("text");
            assertThat(map("bit", null, null, null)).isEqualTo("bit varying");
        }

        @Test
        void unsignedGoesOneSizeUp() {
            assertThat(map("tinyint", false, null, "tinyint unsigned")).isEqualTo("smallint");
            assertThat(map("smallint", false, null, "smallint unsigned")).isEqualTo("integer");
            assertThat(map("int", false, null, "int unsigned")).isEqualTo("bigint");
            assertThat(map("bigint", false, null, "bigint unsigned")).isEqualTo("numeric(20,0)");
        }

        @Test
        void booleansOnRequest() {
            ColumnDef tb = new ColumnDef("c", "tinyint", null, null, null, null);
            MysqlDdl.ColumnType one = new MysqlDdl.ColumnType("tinyint", List.of("1"), false);
            assertThat(TypeMap.pgType(tb, one, TypeMap.Options.DEFAULT)).isEqualTo("smallint");
            assertThat(TypeMap.pgType(tb, one, new TypeMap.Options(true, false, true))).isEqualTo("boolean");
            assertThat(TypeMap.pgType(new ColumnDef("c", "json", null, null, null, null), null, new TypeMap.Options(false, false, false)))
                    .isEqualTo("json");
        }

        @Test
        void temporalPrecisionFromColumnLength() {
            assertThat(map("datetime", null, 6, null)).isEqualTo("timestamp(6)");
            assertThat(map("timestamp", null, 0, null)).isEqualTo("timestamp(0) with time zone");
            assertThat(map("time", null, 3, null)).isEqualTo("interval");
        }
    }

    @Nested
    class Filters {
        @Test
        void maxwellIsExcludedByDefault() {
            assertThat(SchemaMapping.DEFAULT.includes(TableId.of("maxwell", "positions"))).isFalse();
            assertThat(SchemaMapping.DEFAULT.includesDatabase("maxwell")).isFalse();
            assertThat(SchemaMapping.builder().includeMaxwell().build().includes(TableId.of("maxwell", "positions"))).isTrue();
            assertThat(SchemaMapping.DEFAULT.includes(TableId.of("shop", "orders"))).isTrue();
        }

        @Test
        void includesAndExcludesAreGlobs() {
            SchemaMapping m = SchemaMapping.builder().include("shop*.orders").include("crm").exclude("*.tmp_?").build();
            assertThat(m.includes(TableId.of("shop_eu", "orders"))).isTrue();
            assertThat(m.includes(TableId.of("shop_eu", "items"))).isFalse();
            assertThat(m.includes(TableId.of("crm", "people"))).isTrue();
            assertThat(m.includes(TableId.of("crm", "tmp_1"))).isFalse();
            assertThat(m.includes(TableId.of("crm", "tmp_12"))).isTrue();
            assertThat(m.includesDatabase("shop_us")).isTrue();
            assertThat(m.includesDatabase("other")).isFalse();
            assertThat(SchemaMapping.builder().include("a.b").build().includes(TableId.of("a", "a.b"))).isFalse();
        }

        @Test
        void databasesMapToSchemas() {
            SchemaMapping m = SchemaMapping.builder().map("shop", "replica_shop").mapper(db -> "mysql_" + db).build();
            assertThat(m.schemaOf("shop")).isEqualTo("replica_shop");
            assertThat(m.schemaOf("crm")).isEqualTo("mysql_crm");
            assertThat(SchemaMapping.DEFAULT.schemaOf("Music")).isEqualTo("Music");
        }
    }

    @Nested
    class CheckpointText {
        @Test
        void watermarksRoundTripAndEqualOnesHaveEqualText() {
            Map<Long, Watermark> m = Map.of(
                    2L, new Watermark(new SourcePosition("mysql-bin.000010", 4, 3, false, "uuid:1-5"), 1),
                    -1L, new Watermark(new SourcePosition("mysql-bin.000009", 120, -1, true, null), 2));
            String text = Checkpoints.encode(m);
            assertThat(text).startsWith("[{\"server_id\":-1,");
            assertThat(Checkpoints.decode(text)).isEqualTo(m);
            assertThat(Checkpoints.encode(new java.util.TreeMap<>(m))).isEqualTo(text);
            assertThat(Checkpoints.decode("[]")).isEmpty();
            assertThatThrownBy(() -> Checkpoints.decode("{}")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class StreamLockKeys {
        @Test
        void keysAreStableAcrossVersions() {
            // computed apart from the code (Python's hashlib): instances of different versions must agree
            assertThat(StreamLocks.key("greenwell", "p", "s")).isEqualTo(-2199326446436540231L);
            assertThat(StreamLocks.key("greenwell", "default", "/tmp/x.jsonl")).isEqualTo(9012537507855554296L);
            assertThat(StreamLocks.key("greenwell", "orders", "maxwell-0")).isEqualTo(-3545825292864284838L);
        }

        @Test
        void everyPartCountsAndPartsDoNotRunTogether() {
            long k = StreamLocks.key("greenwell", "p", "s");
            assertThat(StreamLocks.key("greenwell", "p", "s2")).isNotEqualTo(k);
            assertThat(StreamLocks.key("greenwell", "p2", "s")).isNotEqualTo(k);
            assertThat(StreamLocks.key("other", "p", "s")).isNotEqualTo(k);
            assertThat(StreamLocks.key("greenwell", "ab", "c")).isNotEqualTo(StreamLocks.key("greenwell", "a", "bc"));
        }
    }
}
