/**
 * The Greenplum and PostgreSQL target: {@link io.greenwell.cdc.greenplum.GreenplumTarget} applies
 * net batches set-based (COPY into session staging tables, {@code DELETE … USING},
 * {@code INSERT … SELECT}), creates schemas and tables from Maxwell's DDL, and keeps the
 * checkpoints in the same transaction; {@link io.greenwell.cdc.greenplum.Maintenance} schedules
 * {@code VACUUM} and {@code ANALYZE} of what it changed, and
 * {@link io.greenwell.cdc.greenplum.GreenplumTarget#maintain} runs them once.
 */
package io.greenwell.cdc.greenplum;
