package io.greenwell.cdc.opensearch;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/** The target's meters, in a class of their own so that the target runs without Micrometer. */
final class OpenSearchMeters {

    private OpenSearchMeters() {}

    static void bind(OpenSearchTarget t, MeterRegistry registry, Tags tags) {
        FunctionCounter.builder("greenwell.opensearch.stale.actions", t, OpenSearchTarget::staleActions)
                .description("bulk actions the engine turned down because it held the same or a newer version (replays)")
                .tags(tags).register(registry);
        FunctionCounter.builder("greenwell.opensearch.keyless.changes", t, OpenSearchTarget::keylessChanges)
                .description("net changes of tables without a primary key, not indexed")
                .tags(tags).register(registry);
        FunctionCounter.builder("greenwell.opensearch.missing.documents", t, OpenSearchTarget::missingDocuments)
                .description("partial rows and key changes whose stored document was missing, not indexed")
                .tags(tags).register(registry);
    }
}
