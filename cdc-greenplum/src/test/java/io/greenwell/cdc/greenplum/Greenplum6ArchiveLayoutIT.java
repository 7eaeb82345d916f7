package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;

/**
 * {@link ArchiveLayoutIT} on Greenplum 6: classic range partitions, every one append-optimized,
 * column-oriented and compressed (zstd where the server has it, else zlib), distributed randomly so
 * that one table's history spreads over the segments; and the rows are on every segment.
 */
@OnServer(TestDatabase.ServerKind.GREENPLUM_6)
class Greenplum6ArchiveLayoutIT extends ArchiveLayoutIT {

    @Override
    void assertStorage(String parent, List<String> partitions) throws SQLException {
        String zstd = db.rows("SELECT count(*) FROM pg_compression WHERE compname = 'zstd'").get(0).equals("1") ? "zstd" : "zlib";
        assertThat(partitions).hasSize(4);
        for (String p : List.of(parent, partitions.get(0), partitions.get(1), partitions.get(2), partitions.get(3))) {
            assertThat(db.rows("SELECT columnstore, compresstype FROM pg_appendonly WHERE relid = '" + p + "'::regclass"))
                    .as("storage of %s", p).containsExactly("t|" + zstd);
            assertThat(db.rows("SELECT policytype, pg_catalog.pg_get_table_distributedby(localoid) FROM gp_distribution_policy"
                    + " WHERE localoid = '" + p + "'::regclass")).as("distribution of %s", p).containsExactly("p|DISTRIBUTED RANDOMLY");
        }
        assertThat(db.rows("SELECT count(DISTINCT gp_segment_id) FROM " + parent)).as("segments holding events").containsExactly("3");
    }
}
