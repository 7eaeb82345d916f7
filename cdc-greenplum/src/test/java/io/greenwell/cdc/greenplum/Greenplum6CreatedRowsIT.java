package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * {@link CreatedRowsIT} on Greenplum 6, where every change of a target table goes by staging: no
 * row is copied straight into a target table, so none is refused; only a bootstrap's rows go
 * straight into its shadow table.
 */
@OnServer(TestDatabase.ServerKind.GREENPLUM_6)
class Greenplum6CreatedRowsIT extends CreatedRowsIT {

    @Override
    void assertCreatedWithAKeyAlreadyThere(SimpleMeterRegistry registry) {
        // on Greenplum every change goes by staging
        assertThat(created(registry)).as("rows copied straight in on Greenplum").isZero();
        assertThat(registry.get("greenwell.created.fallbacks").functionCounter().count()).isZero();
    }

    @Override
    double createdByTheBootstrap() {
        return 5;
    }
}
