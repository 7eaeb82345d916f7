package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.TableDef;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A column that {@code ALTER TABLE ... ADD COLUMN} gives a constant {@code DEFAULT} fills the
 * rows that exist with it, as MySQL fills them (no row event carries those values); where the
 * target type has no exact counterpart of the constant, the column is added without it.
 */
class AddedColumnDefaultTest {

    @Test
    void constantsFillTheExistingRowsWhereTheTargetTypeTakesThemExactly() {
        List<ColumnDef> added = List.of(ColumnDef.of("stock", "int"), ColumnDef.of("label", "varchar"), ColumnDef.of("at", "datetime"),
                ColumnDef.of("price", "decimal"), ColumnDef.of("b", "bit"), ColumnDef.of("n", "int"), ColumnDef.of("day", "date"),
                ColumnDef.of("e", "enum"));
        String text = "ALTER TABLE t ADD COLUMN stock int NOT NULL DEFAULT 42, ADD label varchar(9) DEFAULT 'it''s \\\\ ok',"
                + " ADD at datetime DEFAULT CURRENT_TIMESTAMP, ADD price decimal(6,2) DEFAULT -1.25 COMMENT 'x', ADD b bit(3) DEFAULT b'101',"
                + " ADD n int DEFAULT NULL, ADD day date DEFAULT '2024-02-29', ADD e enum('new','old') NOT NULL DEFAULT 'new'";
        assertThat(plan(added, text)).containsExactly(
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"stock\" integer DEFAULT 42",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"label\" varchar(9) DEFAULT E'it''s \\\\ ok'",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"at\" timestamp",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"price\" numeric(6,2) DEFAULT -1.25",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"b\" bit(3)",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"n\" integer",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"day\" date DEFAULT E'2024-02-29'",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"e\" text DEFAULT E'new'");
    }

    @Test
    void escapesExponentsAndTwoDigitYearsAreReadAsMysqlReadsThem() {
        List<ColumnDef> added = List.of(ColumnDef.of("note", "varchar"), ColumnDef.of("nul", "varchar"), ColumnDef.of("ratio", "double"),
                ColumnDef.of("y2", "year"), ColumnDef.of("y0", "year"), ColumnDef.of("ys", "year"), ColumnDef.of("y4", "year"),
                ColumnDef.of("hex", "int"));
        String text = "ALTER TABLE t ADD note varchar(20) DEFAULT 'a\\nb\\tc\\%d\\'e', ADD nul varchar(3) DEFAULT 'x\\0',"
                + " ADD ratio double DEFAULT 1.5e-3, ADD y2 year DEFAULT 24, ADD y0 year DEFAULT 0, ADD ys year DEFAULT '0',"
                + " ADD y4 year DEFAULT 1999, ADD hex int DEFAULT 0x1F";
        assertThat(plan(added, text)).containsExactly(
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"note\" varchar(20) DEFAULT E'a\nb\tc\\\\%d''e'",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"nul\" varchar(3)",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"ratio\" double precision DEFAULT 1.5e-3",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"y2\" smallint DEFAULT 2024",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"y0\" smallint DEFAULT 0",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"ys\" smallint DEFAULT 2000",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"y4\" smallint DEFAULT 1999",
                "ALTER TABLE \"s\".\"t\" ADD COLUMN \"hex\" integer");
    }

    /** The statements that add the columns to a table {@code s.t (id integer PRIMARY KEY)}, given the statement's text. */
    private static List<String> plan(List<ColumnDef> added, String text) {
        List<ColumnDef> cols = new java.util.ArrayList<>(List.of(ColumnDef.of("id", "int")));
        cols.addAll(added);
        TableDef def = new TableDef("s", "t", "utf8mb4", cols, List.of("id"));
        TargetTable cur = new TargetTable("s", "t", List.of(new TargetTable.Column("id", "int4", "integer", -1, true, null)), List.of("id"));
        TableDef old = new TableDef("s", "t", "utf8mb4", List.of(ColumnDef.of("id", "int")), List.of("id"));
        return SchemaApplier.planAlter(new Sql(Dialect.POSTGRESQL), cur, old, def, MysqlDdl.parseAlter(text), "t_pkey", "s", "t",
                TypeMap.Options.DEFAULT);
    }
}
