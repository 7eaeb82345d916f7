/**
 * Sources in the core: a file or any {@link java.io.InputStream} of Maxwell records
 * ({@link io.greenwell.cdc.source.FileSource}), and records held in memory
 * ({@link io.greenwell.cdc.source.MemorySource}).
 */
package io.greenwell.cdc.source;
