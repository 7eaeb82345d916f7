package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;

/** {@link KeyColumnDdlIT} on PostgreSQL: the key is the table's primary key, as MySQL's. */
@OnServer(TestDatabase.ServerKind.POSTGRESQL)
class PostgresqlKeyColumnDdlIT extends KeyColumnDdlIT {

    @Override
    void assertKey(String qualified, List<String> key) throws SQLException {
        assertThat(PostgresqlTableLayoutIT.primaryKey(db, qualified)).as("primary key of %s", qualified).isEqualTo(key);
    }
}
