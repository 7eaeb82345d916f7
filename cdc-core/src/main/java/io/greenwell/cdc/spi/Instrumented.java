package io.greenwell.cdc.spi;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * An optional capability of a {@link ChangeSource} or a {@link ChangeTarget}: meters of its own
 * (a source's backlog, a target's lost connections), registered beside the pipeline's.
 *
 * <p>Called once, by a pipeline built with a meter registry, before the source is opened, on the
 * thread that runs the pipeline. The component keeps its figures in plain fields on its own
 * threads and registers meters that read them (function counters, gauges), so that nothing of
 * Micrometer runs on its hot path. Micrometer is an optional dependency of Greenwell: a component
 * may implement this interface and still run without Micrometer on the class path, as long as the
 * meters are built in another class that only this method loads.
 */
public interface Instrumented {

    /**
     * @param registry where to register the meters, never null
     * @param tags the tags every meter of the pipeline carries ({@code pipeline}), never null
     */
    void bindMetrics(MeterRegistry registry, Tags tags);
}
