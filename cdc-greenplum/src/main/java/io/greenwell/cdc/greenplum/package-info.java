/**
 * The Greenplum and PostgreSQL target: {@link io.greenwell.cdc.greenplum.GreenplumTarget} applies
 * net batches set-based (COPY into session staging tables, {@code DELETE … USING},
 * {@code INSERT … SELECT}), creates schemas and tables from Maxwell's DDL, and keeps the
 * checkpoints in the same transaction.
 */
package io.greenwell.cdc.greenplum;
