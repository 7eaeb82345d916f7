package io.greenwell.cdc.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.greenwell.cdc.greenplum.Scenarios;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DDL that rewrites documents, on a real OpenSearch node, at several batch sizes and replayed a
 * second time without checkpoints: a table swap (two renames at one binlog position), a primary key
 * moved to a column whose values overlap the old key's, a rename of a table keyed by a DATETIME, a
 * column renamed by case only, and a key dropped.
 */
class OpenSearchDdlIT {

    private final List<String> lines = new ArrayList<>();
    private long position = 4;

    private static String def(String db, String table, String pk, String... cols) {
        StringBuilder b = new StringBuilder("{\"database\":\"" + db + "\",\"table\":\"" + table + "\",\"charset\":\"utf8mb4\",\"primary-key\":["
                + (pk.isEmpty() ? "" : "\"" + String.join("\",\"", pk.split(",")) + "\"") + "],\"columns\":[");
        for (int i = 0; i < cols.length; i++) {
            String[] c = cols[i].split(" ");
            b.append(i == 0 ? "" : ",").append("{\"name\":\"").append(c[0]).append("\",\"type\":\"").append(c[1]).append("\"}");
        }
        return b.append("]}").toString();
    }

    private void ddl(String type, String db, String table, String old, String def, String sql, boolean samePosition) {
        if (!samePosition) {
            position += 100;
        }
        lines.add("{\"type\":\"" + type + "\",\"database\":\"" + db + "\",\"table\":\"" + table + "\"" + (old == null ? "" : ",\"old\":" + old)
                + ",\"def\":" + def + ",\"ts\":1700000000000,\"sql\":\"" + sql + "\",\"position\":\"mysql-bin.000001:" + position + "\"}");
    }

    private void row(String type, String db, String table, String pk, String data, String old) {
        position += 100;
        lines.add("{\"database\":\"" + db + "\",\"table\":\"" + table + "\",\"type\":\"" + type + "\",\"ts\":1700000000,\"xid\":" + position
                + ",\"commit\":true,\"position\":\"mysql-bin.000001:" + position + "\",\"server_id\":1,\"primary_key_columns\":[\""
                + String.join("\",\"", pk.split(",")) + "\"],\"data\":" + data + (old == null ? "" : ",\"old\":" + old) + "}");
    }

    private List<Scenarios.Record> records() {
        byte[] all = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        return Scenarios.lines(all);
    }

    /** @return the documents by id, each as its source without _v */
    private static Map<String, String> documents(String index) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode d : TestEngine.documents(index)) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) d.path("_source")).remove("_v");
            out.put(d.path("_id").asText(), d.path("_source").toString());
        }
        return out;
    }

    @ParameterizedTest(name = "batches of {0}")
    @ValueSource(ints = {1, 2, 1000})
    void documentsFollowRenamesSwapsKeyMovesAndColumnRenames(int batch) {
        String t = def("sw", "t", "id", "id int", "name varchar");
        String tNew = def("sw", "t_new", "id", "id int", "name varchar");
        ddl("table-create", "sw", "t", null, t, "CREATE TABLE t (id int PRIMARY KEY, name varchar(9))", false);
        ddl("table-create", "sw", "t_new", null, tNew, "CREATE TABLE t_new (id int PRIMARY KEY, name varchar(9))", false);
        row("insert", "sw", "t", "id", "{\"id\":1,\"name\":\"old1\"}", null);
        row("insert", "sw", "t", "id", "{\"id\":2,\"name\":\"old2\"}", null);
        row("insert", "sw", "t_new", "id", "{\"id\":1,\"name\":\"new1\"}", null);
        row("insert", "sw", "t_new", "id", "{\"id\":3,\"name\":\"new3\"}", null);
        // the cut-over of an online schema change: two renames in one statement, at one position
        ddl("table-alter", "sw", "t", t, def("sw", "t_old", "id", "id int", "name varchar"), "RENAME TABLE t TO t_old, t_new TO t", false);
        ddl("table-alter", "sw", "t_new", tNew, t, "RENAME TABLE t TO t_old, t_new TO t", true);
        row("update", "sw", "t", "id", "{\"id\":3,\"name\":\"new3b\"}", "{\"name\":\"new3\"}");

        // a key moved to a column whose values overlap the old key's
        String k = def("sw", "k", "id", "id int", "other int");
        ddl("table-create", "sw", "k", null, k, "CREATE TABLE k (id int PRIMARY KEY, other int NOT NULL)", false);
        row("insert", "sw", "k", "id", "{\"id\":1,\"other\":2}", null);
        row("insert", "sw", "k", "id", "{\"id\":2,\"other\":1}", null);
        ddl("table-alter", "sw", "k", k, def("sw", "k", "other", "id int", "other int"),
                "ALTER TABLE k DROP PRIMARY KEY, ADD PRIMARY KEY (other)", false);
        row("update", "sw", "k", "other", "{\"id\":10,\"other\":2}", "{\"id\":1}");

        // a table keyed by a DATETIME, renamed, then changed under its new name
        String d = def("sw", "d", "at", "at datetime", "v int");
        ddl("table-create", "sw", "d", null, d, "CREATE TABLE d (at datetime PRIMARY KEY, v int)", false);
        row("insert", "sw", "d", "at", "{\"at\":\"2024-01-01 10:00:00\",\"v\":1}", null);
        ddl("table-alter", "sw", "d", d, def("sw", "d2", "at", "at datetime", "v int"), "RENAME TABLE d TO d2", false);
        row("update", "sw", "d2", "at", "{\"at\":\"2024-01-01 10:00:00\",\"v\":2}", "{\"v\":1}");

        // a column renamed by case only, and a key dropped
        String c = def("sw", "c", "id", "id int", "name varchar");
        ddl("table-create", "sw", "c", null, c, "CREATE TABLE c (id int PRIMARY KEY, name varchar(9))", false);
        row("insert", "sw", "c", "id", "{\"id\":1,\"name\":\"x\"}", null);
        ddl("table-alter", "sw", "c", c, def("sw", "c", "id", "id int", "Name varchar"), "ALTER TABLE c CHANGE name Name varchar(9)", false);
        String g = def("sw", "g", "id", "id int");
        ddl("table-create", "sw", "g", null, g, "CREATE TABLE g (id int PRIMARY KEY)", false);
        row("insert", "sw", "g", "id", "{\"id\":1}", null);
        ddl("table-alter", "sw", "g", g, def("sw", "g", "", "id int"), "ALTER TABLE g DROP PRIMARY KEY", false);

        Map<String, String> expected = new TreeMap<>(Map.of(
                "sw.t/1", "{\"_db\":\"sw\",\"_table\":\"t\",\"id\":1,\"name\":\"new1\"}",
                "sw.t/3", "{\"_db\":\"sw\",\"_table\":\"t\",\"id\":3,\"name\":\"new3b\"}",
                "sw.t_old/1", "{\"_db\":\"sw\",\"_table\":\"t_old\",\"id\":1,\"name\":\"old1\"}",
                "sw.t_old/2", "{\"_db\":\"sw\",\"_table\":\"t_old\",\"id\":2,\"name\":\"old2\"}",
                "sw.k/1", "{\"_db\":\"sw\",\"_table\":\"k\",\"id\":2,\"other\":1}",
                "sw.k/2", "{\"_db\":\"sw\",\"_table\":\"k\",\"id\":10,\"other\":2}",
                "sw.d2/2024-01-01 10:00:00", "{\"_db\":\"sw\",\"_table\":\"d2\",\"at\":\"2024-01-01T10:00:00\",\"v\":2}",
                "sw.c/1", "{\"_db\":\"sw\",\"_table\":\"c\",\"id\":1,\"Name\":\"x\"}"));
        String index = "ddl_" + batch;
        TestEngine.deleteIndices(index + "*");
        try (OpenSearchTarget target = OpenSearchScenarioIT.target(index)) {
            Scenarios.replay(target, "p", "s", records(), batch);
        }
        assertThat(SearchRows.reasons(TestEngine.documents(index + "_dead"))).isEmpty();
        assertThat(documents(index)).isEqualTo(expected);
        Map<String, Long> versions = SearchRows.versions(TestEngine.documents(index));
        try (OpenSearchTarget target = OpenSearchScenarioIT.target(index)) {
            Scenarios.replay(target, "again", "s", records(), batch);
        }
        assertThat(documents(index)).isEqualTo(expected);
        assertThat(SearchRows.versions(TestEngine.documents(index))).isEqualTo(versions);
    }
}
