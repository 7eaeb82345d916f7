package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * {@link TableLayoutIT} on Greenplum 6: heap tables distributed by their key (randomly without
 * one), staging tables distributed like their target, so that the apply's joins need no motion
 * of the target's rows, under ORCA and under the Postgres planner; a key change leaves the row on
 * the segment of its new key.
 */
@OnServer(TestDatabase.ServerKind.GREENPLUM_6)
class Greenplum6TableLayoutIT extends TableLayoutIT {

    @Override
    void assertTableLayout(Connection c, String qualified, List<String> key) throws SQLException {
        assertThat(distribution("'" + qualified + "'::regclass")).as("distribution of %s", qualified).isEqualTo(key);
        assertThat(PostgresqlTableLayoutIT.primaryKey(db, qualified)).as("primary key of %s", qualified).isEqualTo(key);
        assertThat(db.rows("SELECT relstorage FROM pg_catalog.pg_class WHERE oid = '" + qualified + "'::regclass"))
                .as("heap storage").containsExactly("h");
    }

    @Override
    void assertStagingLayout(Connection c, String stagingOid, List<String> key) throws SQLException {
        assertThat(distribution(stagingOid)).as("distribution of the staging table").isEqualTo(key);
        assertThat(db.rows("SELECT relstorage, relpersistence FROM pg_catalog.pg_class WHERE oid = " + stagingOid))
                .as("a temporary heap table").containsExactly("h|t");
    }

    /** @return the distribution key's column names in order; empty for a random distribution */
    static List<String> distribution(String oid) throws SQLException {
        return distribution(db, oid);
    }

    /** @return the distribution key's column names in order of a table of a database; empty for a random distribution */
    static List<String> distribution(TestDatabase db, String oid) throws SQLException {
        List<String> policy = db.rows("SELECT policytype, pg_catalog.pg_get_table_distributedby(localoid) FROM gp_distribution_policy"
                + " WHERE localoid = " + oid);
        assertThat(policy).as("a partitioned (hash or random) policy").hasSize(1);
        String[] f = policy.get(0).split("\\|");
        assertThat(f[0]).isEqualTo("p");
        if (f[1].equals("DISTRIBUTED RANDOMLY")) {
            return List.of();
        }
        assertThat(f[1]).startsWith("DISTRIBUTED BY (").endsWith(")");
        return List.of(f[1].substring("DISTRIBUTED BY (".length(), f[1].length() - 1).split(", "));
    }

    @Override
    List<String> plannerSettings() {
        return List.of("SET optimizer = on", "SET optimizer = off");
    }

    @Override
    void assertPlans(String setting, Map<String, String> plans) {
        String optimizer = setting.endsWith("on") ? "Pivotal Optimizer (GPORCA)" : "Postgres query optimizer";
        plans.forEach((kind, plan) -> {
            assertThat(plan).as("%s under %s", kind, setting).contains("Optimizer: " + optimizer).doesNotContain("Broadcast Motion");
        });
        assertThat(plans.get("delete")).as("delete under %s: co-located, no motion", setting).doesNotContain("Motion");
        assertThat(plans.get("insert")).as("insert under %s: co-located, no motion", setting).doesNotContain("Motion");
        String update = plans.get("update");
        if (update.contains("Split")) {
            // ORCA plans every UPDATE of a hash-distributed table as a split update; when it moves
            // rows, it sends the updated rows to their segment, above the split: the join stays co-located
            assertThat(update.split("Motion", -1)).as("update under %s: at most one motion", setting).hasSizeLessThanOrEqualTo(2);
            if (update.contains("Motion")) {
                assertThat(update.indexOf("Redistribute Motion")).as("the motion is above the split").isBetween(0, update.indexOf("Split"));
            }
        } else {
            assertThat(update).as("update under %s: co-located, no motion", setting).doesNotContain("Motion");
        }
    }

    @Override
    void assertMovedRow(Connection c, int from, int to) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("CREATE TABLE lay.ref (id int) DISTRIBUTED BY (id)");
            st.execute("INSERT INTO lay.ref VALUES (" + from + "), (" + to + ")");
        }
        String fromSegment = db.rows("SELECT gp_segment_id FROM lay.ref WHERE id = " + from).get(0);
        String toSegment = db.rows("SELECT gp_segment_id FROM lay.ref WHERE id = " + to).get(0);
        assertThat(fromSegment).as("the test's keys hash to different segments").isNotEqualTo(toSegment);
        assertThat(db.rows("SELECT gp_segment_id, id, a, b FROM lay.keyed WHERE id IN (" + from + ", " + to + ")"))
                .as("the moved row, on the segment of its new key").containsExactly(toSegment + "|" + to + "|10|r1");
    }
}
