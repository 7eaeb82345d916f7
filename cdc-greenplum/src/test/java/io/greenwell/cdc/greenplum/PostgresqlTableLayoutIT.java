package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** {@link TableLayoutIT} on PostgreSQL: primary keys as MySQL's, temporary staging tables, key joins. */
@OnServer(TestDatabase.ServerKind.POSTGRESQL)
class PostgresqlTableLayoutIT extends TableLayoutIT {

    @Override
    void assertTableLayout(Connection c, String qualified, List<String> key) throws SQLException {
        assertThat(primaryKey(db, qualified)).as("primary key of %s", qualified).isEqualTo(key);
        assertThat(db.rows("SELECT relpersistence FROM pg_catalog.pg_class WHERE oid = '" + qualified + "'::regclass"))
                .as("a regular table").containsExactly("p");
    }

    @Override
    void assertStagingLayout(Connection c, String stagingOid, List<String> key) throws SQLException {
        assertThat(db.rows("SELECT relpersistence FROM pg_catalog.pg_class WHERE oid = " + stagingOid)).as("a temporary table")
                .containsExactly("t");
    }

    @Override
    List<String> plannerSettings() {
        return List.of("");
    }

    @Override
    void assertPlans(String setting, Map<String, String> plans) {
        assertThat(plans.get("delete")).as("the delete joins on the key").containsPattern("(Hash|Merge|Index) Cond: \\(.*id = .*id\\)");
        assertThat(plans.get("update")).as("the update joins on the key").containsPattern("(Hash|Merge|Index) Cond: \\(.*id = .*id\\)");
        assertThat(plans.get("insert")).as("the insert reads the staging table").contains("Seq Scan on gw_stage_plan");
    }

    @Override
    void assertMovedRow(Connection c, int from, int to) throws SQLException {
        assertThat(db.rows("SELECT id, a, b FROM lay.keyed WHERE id IN (" + from + ", " + to + ")")).containsExactly(to + "|10|r1");
    }

    /** @return the primary key's column names of a table, in order; empty for none */
    static List<String> primaryKey(TestDatabase db, String qualified) throws SQLException {
        return db.rows("SELECT a.attname FROM pg_catalog.pg_index AS i, pg_catalog.generate_series(0, i.indnatts - 1) AS k(n)"
                + " JOIN pg_catalog.pg_attribute AS a ON true WHERE i.indrelid = '" + qualified + "'::regclass AND i.indisprimary"
                + " AND a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n] ORDER BY k.n");
    }
}
