package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;

/** {@link ArchiveLayoutIT} on PostgreSQL: declarative range partitions of ordinary tables. */
@OnServer(TestDatabase.ServerKind.POSTGRESQL)
class PostgresqlArchiveLayoutIT extends ArchiveLayoutIT {

    @Override
    void assertStorage(String parent, List<String> partitions) throws SQLException {
        assertThat(db.rows("SELECT relkind FROM pg_class WHERE oid = '" + parent + "'::regclass")).as("a partitioned table").containsExactly("p");
        assertThat(db.rows("SELECT pg_get_partkeydef('" + parent + "'::regclass)")).containsExactly("RANGE (ts)");
        for (String p : partitions) {
            assertThat(db.rows("SELECT relkind FROM pg_class WHERE oid = '" + p + "'::regclass")).as(p).containsExactly("r");
        }
    }
}
