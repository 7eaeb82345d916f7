/**
 * Reading Maxwell's Daemon JSON: {@link io.greenwell.cdc.maxwell.MaxwellDecoder} turns one record
 * into one {@link io.greenwell.cdc.event.ChangeEvent}.
 */
package io.greenwell.cdc.maxwell;
