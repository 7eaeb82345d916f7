/**
 * The pipeline: {@link io.greenwell.cdc.pipeline.CdcPipeline} wires a source, the decoder, the
 * compactor and a target, with the next batch read and compacted while the current one is applied.
 */
package io.greenwell.cdc.pipeline;
