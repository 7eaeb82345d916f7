package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;

/**
 * {@link KeyColumnDdlIT} on Greenplum 6: the key is the primary key and the distribution key in
 * {@code gp_distribution_policy}; a table without a key is distributed randomly.
 */
@OnServer(TestDatabase.ServerKind.GREENPLUM_6)
class Greenplum6KeyColumnDdlIT extends KeyColumnDdlIT {

    @Override
    void assertKey(String qualified, List<String> key) throws SQLException {
        assertThat(PostgresqlTableLayoutIT.primaryKey(db, qualified)).as("primary key of %s", qualified).isEqualTo(key);
        assertThat(Greenplum6TableLayoutIT.distribution(db, "'" + qualified + "'::regclass")).as("distribution of %s", qualified)
                .isEqualTo(key);
        assertThat(db.rows("SELECT pg_catalog.pg_get_table_distributedby('" + qualified + "'::regclass)"))
                .containsExactly(key.isEmpty() ? "DISTRIBUTED RANDOMLY" : "DISTRIBUTED BY (" + String.join(", ", key) + ")");
    }
}
