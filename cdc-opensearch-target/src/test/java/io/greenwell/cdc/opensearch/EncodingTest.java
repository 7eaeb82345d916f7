package io.greenwell.cdc.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.SourcePosition;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.event.Value;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Versions, document ids, documents and column renames, without an engine. */
class EncodingTest {

    private static final TableId T = TableId.of("db", "t");

    @Test
    void versionsOrderAsPositionsDo() {
        List<SourcePosition> ordered = List.of(new SourcePosition("mysql-bin.000009", 4, 0, false, null),
                new SourcePosition("mysql-bin.000009", 4, 1, false, null), new SourcePosition("mysql-bin.000009", 4, -1, true, null),
                new SourcePosition("mysql-bin.000009", 900, 0, false, null), new SourcePosition("mysql-bin.000010", 4, 0, false, null),
                new SourcePosition("mysql-bin.000010", 4_294_967_295L, -1, true, null), new SourcePosition("mysql-bin.1048575", 4, 0, false, null));
        List<Long> versions = new ArrayList<>();
        for (SourcePosition p : ordered) {
            versions.add(Versions.of(p));
        }
        assertThat(versions).isSorted().doesNotHaveDuplicates().allSatisfy(v -> assertThat(v).isNotNegative());
        for (int i = 1; i < ordered.size(); i++) {
            assertThat(ordered.get(i - 1)).isLessThan(ordered.get(i));
        }
        assertThatThrownBy(() -> Versions.of(new SourcePosition("binlog", 4, 0, false, null))).hasMessageContaining("numeric suffix");
        assertThatThrownBy(() -> Versions.of(new SourcePosition("b.000001", 1L << 32, 0, false, null))).hasMessageContaining("4 GiB");
    }

    @Test
    void documentIdsAreUnambiguousForCompositeAndOddKeys() {
        List<String> key = List.of("a", "b");
        String one = DocIds.of(T, key, Row.of("a", "x|y", "b", "z"));
        String two = DocIds.of(T, key, Row.of("a", "x", "b", "y|z"));
        assertThat(one).isEqualTo("db.t/x\\|y|z").isNotEqualTo(two);
        assertThat(DocIds.of(T, key, Row.of("a", "x\\", "b", "|"))).isEqualTo("db.t/x\\\\|\\|");
        assertThat(DocIds.of(T, List.of("id"), Row.of("id", Value.number("18446744073709551615")))).isEqualTo("db.t/18446744073709551615");
        // an exponent is written out, so that the same number gives the same id whichever way it was written
        assertThat(DocIds.of(T, List.of("id"), Row.of("id", Value.number("0E-3")))).isEqualTo("db.t/0.000");
        // names with dots and slashes (MySQL allows them quoted) do not run into each other
        assertThat(DocIds.of(TableId.of("a", "b.c"), List.of("id"), Row.of("id", 1)))
                .isNotEqualTo(DocIds.of(TableId.of("a.b", "c"), List.of("id"), Row.of("id", 1))).isEqualTo("a.b\\.c/1");
        String longKey = "é".repeat(300);
        String hashed = DocIds.of(T, List.of("id"), Row.of("id", longKey));
        assertThat(hashed).startsWith("db.t/#").hasSizeLessThan(60);
        assertThat(DocIds.of(T, List.of("id"), Row.of("id", longKey))).isEqualTo(hashed);
        assertThatThrownBy(() -> DocIds.of(T, List.of("id"), Row.of("id", null))).hasMessageContaining("NULL");
    }

    @Test
    void documentsCarryExactValuesByColumnKind() throws Exception {
        Map<String, ColumnKind> kinds = Map.of("d", ColumnKind.DECIMAL, "dt", ColumnKind.DATETIME, "ts", ColumnKind.TIMESTAMP, "day",
                ColumnKind.DATE, "bits", ColumnKind.UNSIGNED_LONG, "j", ColumnKind.JSON);
        Row row = Row.of("d", Value.number("0E-30"), "dt", "2024-02-29 12:34:56.100000", "ts", "2024-01-01 06:30:00", "day", "0000-00-00",
                "bits", Value.number("-2147483648"), "j", Value.json("{\"a\":1,\"a\":2.50}"), "n", Value.number("3.40282E38"), "s", "x\"y");
        StringWriter w = new StringWriter();
        try (JsonGenerator g = Engine.JSON.getFactory().createGenerator(w)) {
            new Documents(Decimals.STRING).write(g, T, 7, row, kinds);
        }
        assertThat(w.toString()).isEqualTo("{\"_db\":\"db\",\"_table\":\"t\",\"_v\":7,\"d\":\"0.000000000000000000000000000000\","
                + "\"dt\":\"2024-02-29T12:34:56.100000\",\"ts\":\"2024-01-01T06:30:00Z\",\"day\":null,\"bits\":18446744071562067968,"
                + "\"j\":{\"a\":2.50},\"n\":3.40282E38,\"s\":\"x\\\"y\"}");
    }

    @Test
    void columnRenamesAreReadFromTheStatementWhereTheDefinitionsAgree() {
        TableDef before = new TableDef("db", "t", null, List.of(ColumnDef.of("id", "int"), ColumnDef.of("name", "varchar"),
                ColumnDef.of("w", "int")), List.of("id"));
        TableDef after = new TableDef("db", "t", null, List.of(ColumnDef.of("id", "int"), ColumnDef.of("product_name", "varchar"),
                ColumnDef.of("weight", "int")), List.of("id"));
        assertThat(ColumnRenames.of("ALTER TABLE t CHANGE COLUMN `name` product_name varchar(100), RENAME COLUMN w TO weight", before,
                after)).containsExactly(Map.entry("name", "product_name"), Map.entry("w", "weight"));
        // a drop and an add are not a rename
        assertThat(ColumnRenames.of("ALTER TABLE t DROP COLUMN name, ADD COLUMN product_name varchar(9)", before, after)).isEmpty();
        // a rename that changes only the case is one
        TableDef upper = new TableDef("db", "t", null, List.of(ColumnDef.of("id", "int"), ColumnDef.of("Name", "varchar"),
                ColumnDef.of("w", "int")), List.of("id"));
        assertThat(ColumnRenames.of("ALTER TABLE t CHANGE name Name varchar(9)", before, upper)).containsExactly(Map.entry("name", "Name"));
    }

    @Test
    void indexNamesAreWhatTheEngineAccepts() {
        Indices perTable = new Indices(null, "mysql.{db}.{table}");
        assertThat(perTable.of(TableId.of("Shop", "Order Items"))).isEqualTo("mysql.shop.order_items");
        assertThat(perTable.pattern()).isEqualTo("mysql.*");
        assertThat(new Indices(null, "x-{table}").of(TableId.of("d", "t"))).isEqualTo("x-t");
        assertThat(Indices.sanitize("-a*b")).isEqualTo("_a_b");
        // a template without a literal prefix would make an index template that matches every index
        assertThatThrownBy(() -> new Indices(null, "{db}.{table}")).hasMessageContaining("literal prefix");
        assertThatThrownBy(() -> new Indices(null, "_{table}")).hasMessageContaining("literal prefix");
    }
}
