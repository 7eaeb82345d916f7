package io.greenwell.cdc.greenplum;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/** The target's own meters, read from its {@link TargetStats}; the only class of the target that refers to Micrometer. */
final class TargetMeters {

    private TargetMeters() {}

    static void bind(MeterRegistry registry, Tags tags, TargetStats stats, TargetMaintenance maintenance) {
        FunctionCounter.builder("greenwell.maintenance.failures", maintenance, TargetMaintenance::failures)
                .description("scheduled maintenance runs that failed and VACUUM or ANALYZE commands the server refused")
                .tags(tags).register(registry);
        FunctionCounter.builder("greenwell.sessions.lost", stats, s -> s.lostSessions)
                .description("target sessions lost (the connection, or a Greenplum segment's part of it) and opened again")
                .tags(tags).register(registry);
        FunctionCounter.builder("greenwell.stream.lock.waits", stats, s -> s.lockWaits)
                .description("times a batch waited for another session to release a stream's lock").tags(tags).register(registry);
        FunctionCounter.builder("greenwell.created.rows", stats, s -> s.createdRows)
                .description("rows the batches created, copied straight into their tables").tags(tags).register(registry);
        FunctionCounter.builder("greenwell.created.fallbacks", stats, s -> s.createdFallbacks)
                .description("times a table's created rows could not be copied straight in (a key already there) and went by staging")
                .tags(tags).register(registry);
        Gauge.builder("greenwell.dead.letters.stored", stats, s -> s.deadLettersStored < 0 ? Double.NaN : s.deadLettersStored)
                .description("the pipeline's rows in the dead_letter table").tags(tags).register(registry);
    }
}
