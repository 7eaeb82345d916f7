package io.greenwell.cdc.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The source's backlog gauges, one per stream ever assigned; the only class of the source that refers to Micrometer. */
final class KafkaMeters {

    private final MeterRegistry registry;
    private final Tags tags;
    private final Map<String, long[]> backlog;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    KafkaMeters(MeterRegistry registry, Tags tags, Map<String, long[]> backlog) {
        this.registry = registry;
        this.tags = tags;
        this.backlog = backlog;
    }

    /** Registers the gauge of a stream, once; it reads NaN while the stream is not assigned or its end is not known. */
    void stream(String stream) {
        if (!registered.add(stream)) {
            return;
        }
        Gauge.builder("greenwell.source.lag", backlog, m -> {
            long[] b = m.get(stream);
            return b == null || b[0] < 0 || b[1] < 0 ? Double.NaN : Math.max(0, b[0] - b[1]);
        }).description("records of the stream not applied yet: its end offset minus the next offset to apply").baseUnit("records")
                .tags(tags).tag("stream", stream).register(registry);
    }
}
