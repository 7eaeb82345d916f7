/**
 * A source that reads a MySQL or MariaDB binlog itself and gives the records Maxwell would give
 * for it: {@link io.greenwell.cdc.binlog.BinlogSource}. Every TABLE_MAP event of a server with
 * {@code binlog_row_metadata=FULL} names its columns, key, signedness, character sets and ENUM and
 * SET values, so rows need no schema store; a transaction's rows are held until its XID and then
 * released together with {@code xid}, {@code xoffset} and {@code commit}, and the offset that a
 * checkpoint stores always resumes at a transaction boundary.
 */
package io.greenwell.cdc.binlog;
