package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Databases, tables and columns named with double quotes, semicolons, spaces, mixed case
 * ({@code CaseTable} beside {@code casetable}), unicode, reserved words and more than 63 bytes are
 * replicated under exactly those names (long ones with their hash suffix), and nothing else in the
 * database changes.
 */
class IdentifiersIT {

    private static final String DB = "Weird \"db\"; DROP TABLE public.sentinel; --";
    private static final String LONG_TABLE = "t_" + "ł".repeat(40);
    private static final String LONG_COLUMN = "c_" + "x".repeat(62);

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("names");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @Test
    void hostileNamesAreReplicatedExactlyAndNothingElseChanges() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.sentinel (id int PRIMARY KEY, v text)");
            st.execute("INSERT INTO public.sentinel VALUES (1, 'untouched'), (2, 'also')");
            st.execute("CREATE SCHEMA casetable");
            st.execute("CREATE TABLE casetable.casetable (id int)");
        }
        String before = catalog();
        Map<String, List<String>> tables = new LinkedHashMap<>();
        tables.put("CaseTable", List.of("id", "Mixed", "\"quoted\"", "semi;colon", "spa ce"));
        tables.put("casetable", List.of("id", "mixed", "select", "ünï ☃"));
        tables.put("select", List.of("id", "from", "where", LONG_COLUMN));
        tables.put(LONG_TABLE, List.of("id", "v"));
        MaxwellStream s = new MaxwellStream().createDatabase(DB);
        for (Map.Entry<String, List<String>> t : tables.entrySet()) {
            List<MaxwellStream.Col> cols = new ArrayList<>();
            StringBuilder sql = new StringBuilder("CREATE TABLE `" + t.getKey().replace("`", "``") + "` (");
            for (String col : t.getValue()) {
                cols.add(new MaxwellStream.Col(col, col.equals("id") ? "int" : "varchar"));
                sql.append('`').append(col.replace("`", "``")).append("` ").append(col.equals("id") ? "int NOT NULL" : "varchar(30)").append(", ");
            }
            sql.append("PRIMARY KEY (id))");
            s.createTable(DB, t.getKey(), cols, List.of("id"), sql.toString());
            for (int id = 1; id <= 3; id++) {
                s.insert(DB, t.getKey(), List.of("id"), row(t.getValue(), id, "v" + id));
            }
            s.update(DB, t.getKey(), List.of("id"), row(t.getValue(), 2, "changed"), Map.of(t.getValue().get(1), "v2"));
            s.delete(DB, t.getKey(), List.of("id"), row(t.getValue(), 3, "v3"));
        }
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "names", "s", s.records(), 4);
        }
        try (Connection c = db.connect()) {
            Map<String, List<String>> expectedColumns = new LinkedHashMap<>();
            tables.forEach((t, cols) -> {
                List<String> target = new ArrayList<>();
                cols.forEach(col -> target.add(Names.target(col)));
                expectedColumns.put(DB + "." + Names.target(t), target);
            });
            assertThat(Scenarios.actualColumns(c, List.of(DB))).isEqualTo(expectedColumns);
            assertThat(Names.target(LONG_TABLE)).isNotEqualTo(LONG_TABLE).matches(".*_[0-9a-f]{8}");
            assertThat(Names.target(LONG_COLUMN)).hasSize(63);
            for (Map.Entry<String, List<String>> t : tables.entrySet()) {
                String second = Names.quote(Names.target(t.getValue().get(1)));
                List<String> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id, " + second + " FROM "
                        + Names.qualify(DB, Names.target(t.getKey())) + " ORDER BY id");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(rs.getInt(1) + "=" + rs.getString(2));
                    }
                }
                assertThat(rows).as(t.getKey()).containsExactly("1=v1", "2=changed");
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, v FROM public.sentinel ORDER BY id")) {
                List<String> sentinel = new ArrayList<>();
                while (rs.next()) {
                    sentinel.add(rs.getInt(1) + "=" + rs.getString(2));
                }
                assertThat(sentinel).containsExactly("1=untouched", "2=also");
            }
        }
        assertThat(catalog()).as("every relation outside the replicated schema and greenwell").isEqualTo(before);
    }

    private static Map<String, Object> row(List<String> cols, int id, String value) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String col : cols) {
            r.put(col, col.equals("id") ? (Object) id : value);
        }
        return r;
    }

    /** Every relation and column outside the replicated schema, {@code greenwell} and the system schemas. */
    private static String catalog() throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT n.nspname, c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod)"
                        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
                        + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'greenwell', ?) AND n.nspname NOT LIKE 'pg_toast%'"
                        + " AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1, 2, 4")) {
            ps.setString(1, DB);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sb.append(rs.getString(1)).append('.').append(rs.getString(2)).append(' ').append(rs.getString(3)).append(' ')
                            .append(rs.getString(4)).append(' ').append(rs.getString(5)).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
