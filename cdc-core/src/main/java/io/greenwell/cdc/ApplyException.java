package io.greenwell.cdc;

import io.greenwell.cdc.event.TableId;

/**
 * A target could not apply a batch. Names what it could find out: the table, the key of the row,
 * the SQLSTATE of the database error, and the batch-local sequence numbers of the events behind
 * the change that failed, so that the caller can isolate them. When {@link #isTransient()} is
 * true the same batch may be applied again after a pause (the connection was lost, a
 * serialization failure, a deadlock, an administrator shutdown); the target checks before it
 * applies again whether the failed attempt committed after all.
 */
public class ApplyException extends CdcException {

    private static final long serialVersionUID = 1L;

    private static final int[] NONE = {};

    private final transient TableId table;
    private final String key;
    private final String sqlState;
    private final int[] sources;
    /** Whether the failure is transient, for a target that has no SQLSTATE; null to go by the SQLSTATE. */
    private final Boolean transientFailure;

    /**
     * @param message what went wrong, never null
     * @param table the table, or null when not known or not about one table
     * @param key the key of the row as text, or null when not known
     * @param sqlState the SQLSTATE of the database error, or null
     * @param sources the sequence numbers of the events behind the failed change, or null for none
     * @param cause the underlying failure, may be null
     */
    public ApplyException(String message, TableId table, String key, String sqlState, int[] sources, Throwable cause) {
        super(message, cause);
        this.table = table;
        this.key = key;
        this.sqlState = sqlState;
        this.sources = sources == null ? NONE : sources.clone();
        this.transientFailure = null;
    }

    /**
     * For a target that is not an SQL database (a search engine speaks HTTP): whether the failure is
     * transient is said outright rather than read from an SQLSTATE.
     *
     * @param message what went wrong, never null
     * @param table the table, or null when not known or not about one table
     * @param key the key of the row as text, or null when not known
     * @param transientFailure true when the caller may apply the same batch again after a pause
     * @param sources the sequence numbers of the events behind the failed change, or null for none
     * @param cause the underlying failure, may be null
     */
    public ApplyException(String message, TableId table, String key, boolean transientFailure, int[] sources, Throwable cause) {
        super(message, cause);
        this.table = table;
        this.key = key;
        this.sqlState = null;
        this.sources = sources == null ? NONE : sources.clone();
        this.transientFailure = transientFailure;
    }

    /** @return the table, or null */
    public TableId table() {
        return table;
    }

    /** @return the key of the failed row as text, or null */
    public String key() {
        return key;
    }

    /** @return the SQLSTATE, or null when the failure did not come from the database */
    public String sqlState() {
        return sqlState;
    }

    /** @return the sequence numbers of the events behind the failed change; empty when unknown; never null */
    public int[] sources() {
        return sources.clone();
    }

    /**
     * @return true when the failure is worth retrying: SQLSTATE class 08 (connection), 40001
     *     (serialization), 40P01 (deadlock), 57P01..57P03 (administrator shutdown, crash, cannot
     *     connect now), and Greenplum's 58M01 (a segment did not answer: "failed to acquire
     *     resources on one or more segments", "interconnect failed to send chunks", "Error on
     *     receive from seg0"); or what a target without SQLSTATEs said when it threw
     */
    public boolean isTransient() {
        return transientFailure != null ? transientFailure : isTransient(sqlState);
    }

    /**
     * @param sqlState a SQLSTATE, may be null
     * @return true when it names a transient failure, as {@link #isTransient()} describes
     */
    public static boolean isTransient(String sqlState) {
        if (sqlState == null) {
            return false;
        }
        return isSessionLost(sqlState)
                || sqlState.equals("40001")
                || sqlState.equals("40P01")
                || sqlState.equals("57P01")
                || sqlState.equals("57P02")
                || sqlState.equals("57P03");
    }

    /**
     * @param sqlState a SQLSTATE, may be null
     * @return true when the database session is gone with what it held (temporary tables, locks,
     *     the open transaction): SQLSTATE class 08 (connection), or Greenplum's 58M01 (a segment
     *     did not answer: its part of the session, the temporary tables on it included, is gone)
     */
    public static boolean isSessionLost(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.equals("58M01"));
    }
}
