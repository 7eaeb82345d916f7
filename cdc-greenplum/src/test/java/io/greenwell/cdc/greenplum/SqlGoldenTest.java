package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.TableDef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pins every statement the target generates, per dialect, against {@code golden/<dialect>.sql},
 * and lints it: the Greenplum dialects never use ON CONFLICT or MERGE and always say DISTRIBUTED;
 * Greenplum 6 gets nothing newer than the PostgreSQL 9.4 grammar. Run with
 * {@code -Dgolden.update=true} to rewrite the files after a deliberate change, then review the diff.
 */
class SqlGoldenTest {

    /** Syntax Greenplum 6 (PostgreSQL 9.4 kernel) does not have, or that the target must never use there. */
    private static final Map<String, Pattern> NOT_IN_GREENPLUM_6 = new LinkedHashMap<>();

    static {
        NOT_IN_GREENPLUM_6.put("ON CONFLICT (PostgreSQL 9.5)", Pattern.compile("\\bON\\s+CONFLICT\\b", Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("MERGE (PostgreSQL 15)", Pattern.compile("\\bMERGE\\b", Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("IF [NOT] EXISTS forms", Pattern.compile("\\bIF\\s+(NOT\\s+)?EXISTS\\b", Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("writable CTE", Pattern.compile("\\bAS\\s*\\(\\s*(DELETE|UPDATE|INSERT)\\b", Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("RETURNING", Pattern.compile("\\bRETURNING\\b", Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("generated or identity columns", Pattern.compile("\\bGENERATED\\b|\\bIDENTITY\\b", Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("access methods (GP7)", Pattern.compile("\\bUSING\\s+(heap|ao_row|ao_column)\\b", Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("LATERAL", Pattern.compile("\\bLATERAL\\b", Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("TABLESAMPLE, GROUPING SETS, SKIP LOCKED (9.5)",
                Pattern.compile("\\bTABLESAMPLE\\b|\\bGROUPING\\s+SETS\\b|\\bSKIP\\s+LOCKED\\b", Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("functions newer than 9.4",
                Pattern.compile("\\b(array_position|array_positions|jsonb_set|jsonb_insert|jsonb_pretty|num_nulls|num_nonnulls|to_regnamespace)\\s*\\(",
                        Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("partitioning of PostgreSQL 10", Pattern.compile("\\bPARTITION\\s+(OF|BY\\s+(RANGE|LIST|HASH)\\s*\\()",
                Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("COPY options newer than 9.4", Pattern.compile("\\bHEADER\\s+MATCH\\b|\\bDEFAULT\\s+'", Pattern.CASE_INSENSITIVE));
        NOT_IN_GREENPLUM_6.put("SERIALIZABLE assumptions", Pattern.compile("\\bSERIALIZABLE\\b", Pattern.CASE_INSENSITIVE));
    }

    /** Every statement of the target for a sample of tables, in a fixed order. */
    static List<String> statements(Dialect d) {
        Sql sql = new Sql(d);
        List<String> out = new ArrayList<>();
        TableDef def = allTypes();
        MysqlDdl.CreateTable parsed = MysqlDdl.parseCreateTable(ALL_TYPES_SQL);
        List<Sql.ColumnSpec> cols = SchemaApplier.columns(def, parsed, null, TypeMap.Options.DEFAULT);
        out.add(sql.createSchema("Shop"));
        out.add(sql.createTable("Shop", "all types", cols, SchemaApplier.key(def)));
        TableDef keyless = new TableDef("Shop", "log", null,
                List.of(ColumnDef.of("at", "datetime"), ColumnDef.of("msg", "text"), ColumnDef.of("f", "float"), ColumnDef.of("j", "json")),
                List.of());
        List<Sql.ColumnSpec> keylessCols = SchemaApplier.columns(keyless, MysqlDdl.parseCreateTable(null), null, TypeMap.Options.DEFAULT);
        out.add(sql.createTable("Shop", "log", keylessCols, List.of()));
        List<String> key = List.of("id", "region");
        List<String> names = List.of("id", "region", "name", "price");
        Sql.Extras x = Sql.Extras.avoiding(names);
        String target = Names.qualify("Shop", "orders");
        out.add(sql.createStaging("gw_stage_1", target, x, key));
        out.add(sql.createStaging("gw_stage_2", Names.qualify("Shop", "log"), Sql.Extras.avoiding(List.of("at", "msg", "f", "j")), List.of()));
        out.add(sql.dropNotNull("gw_stage_1", List.of("name", "price")));
        out.add(sql.copy("gw_stage_1", names, x));
        out.add(sql.truncate("gw_stage_1"));
        out.add(sql.copyMoveSources("gw_stage_1", target, names, key, x));
        out.add(sql.deleteKeys("gw_stage_1", target, key, x));
        List<TargetTable.Column> logColumns = List.of(
                new TargetTable.Column("at", "timestamp", "timestamp without time zone", -1, false, null),
                new TargetTable.Column("msg", "text", "text", -1, false, null),
                new TargetTable.Column("f", "float4", "real", -1, false, null),
                new TargetTable.Column("j", "json", "json", -1, false, null));
        out.add(sql.deleteKeyless("gw_stage_2", Names.qualify("Shop", "log"), logColumns, Sql.Extras.avoiding(List.of("at", "msg", "f", "j"))));
        out.add(sql.insertImages("gw_stage_1", target, names, x, null));
        out.add(sql.insertImages("gw_stage_1", target, List.of("id", "region", "name"), x, new int[] {10, 19}));
        out.add(sql.insertMoves("gw_stage_1", target, names, Set.of("id", "region", "price"), x, new int[] {20, 29}));
        out.add(sql.updatePartials("gw_stage_1", target, List.of("name", "price"), key, x, new int[] {30, 39}));
        out.add(sql.dropStaging("gw_stage_1"));
        out.add(sql.dropTable("Shop", "orders"));
        out.add(sql.dropSchema("Shop"));
        out.addAll(alters(sql));
        out.add(sql.createCheckpointTable("greenwell"));
        out.add(sql.selectCheckpoints("greenwell"));
        out.add(sql.insertCheckpoint("greenwell"));
        out.add(sql.updateCheckpoint("greenwell"));
        out.add(sql.createDeadLetterTable("greenwell"));
        out.add(sql.insertDeadLetter("greenwell"));
        out.add(sql.lockDeadLetters("greenwell"));
        out.add(sql.selectDeadLetters("greenwell", true));
        out.add(sql.selectDeadLetters("greenwell", false));
        out.add(sql.deleteDeadLetter("greenwell"));
        out.add(sql.updateDeadLetter("greenwell"));
        out.add(sql.lockTables(List.of(target, Names.qualify("Shop", "log"))));
        out.add(sql.tryStreamLock());
        out.add(sql.releaseStreamLocks());
        out.add(sql.streamLockHolder());
        // the session's settings, the same in every dialect
        out.addAll(Sql.SESSION);
        out.add(Sql.ASYNCHRONOUS_COMMIT);
        out.add(Sql.SYNCHRONOUS_COMMIT_NOW);
        out.add(Sql.TRANSACTION_ID);
        out.addAll(Sql.SESSION_RESET);
        // maintenance
        MaintenanceSql m = new MaintenanceSql(d);
        out.add(m.figures());
        out.add(sql.createMaintenanceTable("greenwell"));
        out.add(MaintenanceSql.baselines("greenwell"));
        out.add(MaintenanceSql.deleteBaseline("greenwell"));
        out.add(MaintenanceSql.insertBaseline("greenwell"));
        out.add(MaintenanceSql.baselineTableExists());
        out.add(MaintenanceSql.tableExists());
        out.add(MaintenanceSql.lockTimeout(1000));
        out.add(MaintenanceSql.RESET_LOCK_TIMEOUT);
        for (MaintenanceReport.Action a : MaintenanceReport.Action.values()) {
            if (a != MaintenanceReport.Action.NONE) {
                out.add(MaintenanceSql.command(a, "Shop", "all types"));
            }
        }
        return out;
    }

    /** Every ALTER form: column rename (CHANGE and RENAME COLUMN), add, drop, type change, key change, rename, move. */
    static List<String> alters(Sql sql) {
        TargetTable cur = new TargetTable("Shop", "products", List.of(
                new TargetTable.Column("id", "int4", "integer", -1, true, null),
                new TargetTable.Column("name", "varchar", "character varying(50)", 54, false, null),
                new TargetTable.Column("price", "numeric", "numeric(8,2)", 524294, false, null),
                new TargetTable.Column("legacy", "text", "text", -1, false, null),
                new TargetTable.Column("weight_g", "int8", "bigint", -1, false, null),
                new TargetTable.Column("active", "int2", "smallint", -1, false, null)), List.of("id"));
        TableDef old = new TableDef("Shop", "products", "utf8mb4", List.of(ColumnDef.of("id", "int"), ColumnDef.of("name", "varchar"),
                ColumnDef.of("price", "decimal"), ColumnDef.of("legacy", "text"), new ColumnDef("weight_g", "int", false, null, null, null),
                ColumnDef.of("active", "tinyint")), List.of("id"));
        TableDef def = new TableDef("Shop", "products", "utf8mb4", List.of(ColumnDef.of("id", "int"), ColumnDef.of("product_name", "varchar"),
                ColumnDef.of("price", "decimal"), new ColumnDef("weight_grams", "int", false, null, null, null),
                ColumnDef.of("active", "varchar"), ColumnDef.of("sku", "char")), List.of("id", "sku"));
        String text = "ALTER TABLE products CHANGE COLUMN name product_name varchar(100) NOT NULL, RENAME COLUMN weight_g TO weight_grams,"
                + " MODIFY price decimal(12,4), MODIFY COLUMN active varchar(5), DROP COLUMN legacy, ADD COLUMN sku char(8) FIRST,"
                + " DROP PRIMARY KEY, ADD PRIMARY KEY (id, sku)";
        List<String> out = new ArrayList<>(SchemaApplier.planAlter(sql, cur, old, def, MysqlDdl.parseAlter(text), "products_pkey", "Shop",
                "products", TypeMap.Options.DEFAULT));
        TableDef moved = new TableDef("Other", "products_v2", "utf8mb4", old.columns(), old.primaryKey());
        out.addAll(SchemaApplier.planAlter(sql, cur, old, moved, MysqlDdl.parseAlter("RENAME TABLE Shop.products TO Other.products_v2"),
                "products_pkey", "Other", "products_v2", TypeMap.Options.DEFAULT));
        TableDef keyless = new TableDef("Shop", "products", "utf8mb4", old.columns(), List.of());
        out.addAll(SchemaApplier.planAlter(sql, cur, old, keyless, MysqlDdl.parseAlter("ALTER TABLE products DROP PRIMARY KEY"),
                "products_pkey", "Shop", "products", TypeMap.Options.DEFAULT));
        // a key column's type: Greenplum changes it only without the key and the distribution
        List<ColumnDef> wider = new ArrayList<>(old.columns());
        wider.set(0, ColumnDef.of("id", "bigint"));
        TableDef widened = new TableDef("Shop", "products", "utf8mb4", wider, List.of("id"));
        out.addAll(SchemaApplier.planAlter(sql, cur, old, widened, MysqlDdl.parseAlter("ALTER TABLE products MODIFY id bigint NOT NULL"),
                "products_pkey", "Shop", "products", TypeMap.Options.DEFAULT));
        return out;
    }

    static final String ALL_TYPES_SQL = "CREATE TABLE `all types` (\n"
            + "  id bigint unsigned NOT NULL, `Region` varchar(20) NOT NULL,\n"
            + "  ti tinyint, tb tinyint(1), bo boolean, si smallint unsigned, mi mediumint, i int, iu int unsigned, bi bigint,\n"
            + "  d decimal(12,4), dd decimal, f float, f2 float(30), db double, b1 bit(1), b17 bit(17),\n"
            + "  dt datetime(3), ts timestamp(6) NULL, da date, t time(3), y year,\n"
            + "  c char(3), v varchar(255), tx longtext, e enum('a','b'), s set('x','y'),\n"
            + "  bin binary(16), bl blob, j json, g point,\n"
            + "  PRIMARY KEY (id, `Region`), UNIQUE KEY uk (v)\n"
            + ") ENGINE=InnoDB /*!40101 DEFAULT CHARSET=utf8mb4 */";

    static TableDef allTypes() {
        List<ColumnDef> cols = new ArrayList<>();
        cols.add(new ColumnDef("id", "bigint", false, null, null, null));
        cols.add(new ColumnDef("Region", "varchar", null, "utf8mb4", null, null));
        for (String[] c : new String[][] {
            {"ti", "tinyint"}, {"tb", "tinyint"}, {"bo", "tinyint"}, {"si", "smallint"}, {"mi", "mediumint"}, {"i", "int"},
            {"iu", "int"}, {"bi", "bigint"}, {"d", "decimal"}, {"dd", "decimal"}, {"f", "float"}, {"f2", "float"}, {"db", "double"},
            {"b1", "bit"}, {"b17", "bit"}, {"dt", "datetime"}, {"ts", "timestamp"}, {"da", "date"}, {"t", "time"}, {"y", "year"},
            {"c", "char"}, {"v", "varchar"}, {"tx", "longtext"}, {"e", "enum"}, {"s", "set"}, {"bin", "binary"}, {"bl", "blob"},
            {"j", "json"}, {"g", "point"}}) {
            boolean unsigned = c[0].equals("si") || c[0].equals("iu");
            Integer fsp = c[0].equals("dt") || c[0].equals("t") ? Integer.valueOf(3) : c[0].equals("ts") ? Integer.valueOf(6) : null;
            cols.add(new ColumnDef(c[0], c[1], unsigned ? Boolean.FALSE : null, null, null, fsp));
        }
        return new TableDef("Shop", "all types", "utf8mb4", cols, List.of("id", "Region"));
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void generatedSqlIsPinned(Dialect d) throws IOException {
        String text = String.join(";\n\n", statements(d)) + ";\n";
        String file = "golden/" + d.name().toLowerCase(java.util.Locale.ROOT) + ".sql";
        if (Boolean.getBoolean("golden.update")) {
            Path p = Path.of("src/test/resources", file);
            Files.createDirectories(p.getParent());
            Files.writeString(p, text, StandardCharsets.UTF_8);
            return;
        }
        String expected = new String(Scenarios.resource("/" + file), StandardCharsets.UTF_8);
        assertThat(text).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"GREENPLUM_6", "GREENPLUM_7"})
    void greenplumNeverUpsertsAndAlwaysDistributes(Dialect d) {
        for (String s : statements(d)) {
            assertThat(s).doesNotContainIgnoringCase("ON CONFLICT").doesNotContainIgnoringCase("MERGE");
            if (s.startsWith("CREATE TABLE") || s.startsWith("CREATE TEMPORARY TABLE")) {
                assertThat(s).as(s).containsPattern("DISTRIBUTED (BY \\(|RANDOMLY)");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = "GREENPLUM_6")
    void greenplum6GetsNothingNewerThanPostgresql94(Dialect d) {
        for (String s : statements(d)) {
            NOT_IN_GREENPLUM_6.forEach((what, p) -> assertThat(p.matcher(s).find()).as("%s in: %s", what, s).isFalse());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = "POSTGRESQL")
    void postgresqlGetsNoGreenplumClauses(Dialect d) {
        for (String s : statements(d)) {
            assertThat(s).doesNotContain("DISTRIBUTED").doesNotContain("appendoptimized").doesNotContain("gp_segment_id");
        }
    }

    @org.junit.jupiter.api.Test
    void theDenylistCatchesWhatItNames() {
        for (String bad : List.of("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING", "MERGE INTO t USING s ON true",
                "CREATE SCHEMA IF NOT EXISTS s", "WITH d AS (DELETE FROM t RETURNING *) SELECT 1", "SELECT array_position(a, 1)")) {
            assertThat(NOT_IN_GREENPLUM_6.values().stream().anyMatch(p -> p.matcher(bad).find())).as(bad).isTrue();
        }
    }
}
