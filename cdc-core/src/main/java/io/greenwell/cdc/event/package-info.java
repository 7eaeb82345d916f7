/**
 * The event model: immutable values for what a change stream says. A
 * {@link io.greenwell.cdc.event.ChangeEvent} is a row change, a schema change or a bootstrap
 * marker; values are exact ({@link io.greenwell.cdc.event.Value}); a
 * {@link io.greenwell.cdc.event.SourcePosition} orders events of one MySQL server.
 */
package io.greenwell.cdc.event;
