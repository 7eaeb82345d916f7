package io.greenwell.cdc.greenplum;

/** What the target does with one kind of Maxwell DDL record. */
public enum DdlPolicy {
    /** Apply it to the target (the default for every kind). */
    APPLY,
    /** Skip it and count it as filtered; the target's schema then differs from MySQL's. */
    IGNORE,
    /** Stop: the batch fails with an error naming the statement. */
    FAIL
}
