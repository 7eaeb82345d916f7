package io.greenwell.cdc.binlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The source database as the oracle: a target table compared with MariaDB's, row for row, each
 * column rendered as text by an expression of each side ({@code {mariadb, postgresql}}).
 */
public final class SameTables {

    private SameTables() {}

    /** @return a column rendered the same way on both sides */
    public static String[] col(String name) {
        return new String[] {name, name};
    }

    /**
     * Asserts that the target's table equals MariaDB's: keyed rows by key (no duplicates), keyless rows as a multiset.
     *
     * @param my a statement on MariaDB
     * @param target a connection to the target
     * @param schema the database on MariaDB and the schema in the target
     */
    public static void assertSame(Statement my, Connection target, String schema, String table, List<String[]> columns, boolean keyed)
            throws SQLException {
        StringBuilder m = new StringBuilder("SELECT ");
        StringBuilder p = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            m.append(i == 0 ? "" : ", ").append("cast(").append(columns.get(i)[0]).append(" AS char)");
            p.append(i == 0 ? "" : ", ").append("(").append(columns.get(i)[1]).append(")::text");
        }
        List<String> want = rows(my, m + " FROM `" + schema + "`." + table);
        List<String> got;
        try (Statement st = target.createStatement()) {
            got = rows(st, p + " FROM " + schema + "." + table);
        }
        assertThat(want).as("MariaDB's %s has rows", table).isNotEmpty();
        assertThat(got).as(table).containsExactlyInAnyOrderElementsOf(want);
        if (keyed) {
            assertThat(got).as(table).doesNotHaveDuplicates();
        }
    }

    /** @return every row of the query, its columns joined by {@code " | "} */
    public static List<String> rows(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i == 1 ? "" : " | ").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }
}
