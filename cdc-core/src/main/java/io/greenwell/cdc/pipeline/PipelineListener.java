package io.greenwell.cdc.pipeline;

/**
 * Told of the pipeline's progress. Called on the pipeline's applier thread; keep it quick and do
 * not throw (an exception is logged and ignored).
 */
@FunctionalInterface
public interface PipelineListener {

    /** A listener that does nothing. */
    PipelineListener NONE = report -> {};

    /**
     * A batch was committed.
     *
     * @param report what it held and cost, never null
     */
    void batchApplied(BatchReport report);
}
