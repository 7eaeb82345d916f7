package io.greenwell.cdc.greenplum;

import java.time.Duration;
import java.util.Objects;

/**
 * When and how a {@link GreenplumTarget} runs {@code VACUUM} and {@code ANALYZE} on the tables it
 * changed: a schedule and the thresholds that decide each table's action. Immutable; the
 * {@code with…} methods return a copy. Given to {@link GreenplumTarget.Builder#maintenance}, or
 * used by {@link GreenplumTarget#maintain} with any interval.
 *
 * <p>A table is vacuumed when its dead rows reach both {@link #minDeadRows} and
 * {@link #deadRowFraction} of its live rows, and analyzed when the rows inserted, updated or
 * deleted since its last {@code ANALYZE} reach both {@link #minChangedRows} and
 * {@link #changedFraction} of its live rows (or it was never analyzed and has changes); both at
 * once run as one {@code VACUUM ANALYZE}. On Greenplum the catalog tables that Greenwell's DDL,
 * its session staging tables and {@code ANALYZE} itself leave dead rows in ({@code pg_class},
 * {@code pg_attribute}, {@code pg_type}, {@code pg_depend}, {@code pg_statistic}…) are vacuumed by
 * the same dead-row thresholds, after DDL ran or staging tables were created.
 *
 * <p>Off by default: PostgreSQL's autovacuum already does this work on PostgreSQL targets, and on
 * Greenplum (which has no autovacuum of user tables) a {@code VACUUM} takes a lock that a batch's
 * {@code DELETE} waits for, and many sites run {@code vacuumdb}/{@code analyzedb} in a window of
 * their own; running it is the operator's decision. {@code Maintenance.every(Duration.ofMinutes(10))}
 * suits a Greenplum target that nothing else maintains.
 *
 * @param interval the pause between two runs, positive
 * @param minDeadRows the dead rows a table needs at least before it is vacuumed, not negative
 * @param deadRowFraction the dead rows a table needs at least, as a fraction of its live rows, not negative
 * @param minChangedRows the rows changed since the last {@code ANALYZE} a table needs at least before it is analyzed, not negative
 * @param changedFraction the same as a fraction of the live rows, not negative
 * @param lockTimeout how long a {@code VACUUM} or {@code ANALYZE} waits for its table's lock before the
 *     table is skipped until the next run (so that maintenance never queues ahead of a batch for
 *     longer), positive
 * @param catalog whether to vacuum Greenplum's catalog tables; ignored on PostgreSQL
 */
public record Maintenance(Duration interval, long minDeadRows, double deadRowFraction, long minChangedRows, double changedFraction,
        Duration lockTimeout, boolean catalog) {

    /** @throws IllegalArgumentException when a duration (not null) is zero or negative */
    static void positive(Duration d, String what) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }

    /**
     * Validates.
     *
     * @throws NullPointerException when the interval or the lock timeout is null
     * @throws IllegalArgumentException when the interval or the lock timeout is not positive, or a threshold is negative
     */
    public Maintenance {
        positive(Objects.requireNonNull(interval, "interval"), "the interval");
        positive(Objects.requireNonNull(lockTimeout, "lockTimeout"), "the lock timeout");
        if (minDeadRows < 0 || minChangedRows < 0 || !(deadRowFraction >= 0) || !(changedFraction >= 0)) {
            throw new IllegalArgumentException("thresholds must not be negative: " + minDeadRows + ", " + deadRowFraction + ", "
                    + minChangedRows + ", " + changedFraction);
        }
    }

    /**
     * The defaults: dead rows at least 1,000 and 20 % of the live rows; rows changed since the last
     * {@code ANALYZE} at least 1,000 and 10 %; lock timeout 1 s; the Greenplum catalog included.
     *
     * @param interval the pause between two runs, positive, never null
     * @return maintenance every {@code interval} with the default thresholds, never null
     * @throws IllegalArgumentException when the interval is not positive
     */
    public static Maintenance every(Duration interval) {
        return new Maintenance(interval, 1_000, 0.2, 1_000, 0.1, Duration.ofSeconds(1), true);
    }

    /**
     * @param minRows the dead rows at least, not negative
     * @param fraction the dead rows at least as a fraction of the live rows, not negative
     * @return a copy with these vacuum thresholds, never null
     */
    public Maintenance withVacuumThreshold(long minRows, double fraction) {
        return new Maintenance(interval, minRows, fraction, minChangedRows, changedFraction, lockTimeout, catalog);
    }

    /**
     * @param minRows the rows changed since the last {@code ANALYZE} at least, not negative
     * @param fraction the same as a fraction of the live rows, not negative
     * @return a copy with these analyze thresholds, never null
     */
    public Maintenance withAnalyzeThreshold(long minRows, double fraction) {
        return new Maintenance(interval, minDeadRows, deadRowFraction, minRows, fraction, lockTimeout, catalog);
    }

    /**
     * @param timeout how long to wait for a table's lock before skipping it, positive, never null
     * @return a copy with this lock timeout, never null
     */
    public Maintenance withLockTimeout(Duration timeout) {
        return new Maintenance(interval, minDeadRows, deadRowFraction, minChangedRows, changedFraction, timeout, catalog);
    }

    /**
     * @param on whether to vacuum Greenplum's catalog tables
     * @return a copy, never null
     */
    public Maintenance withCatalog(boolean on) {
        return new Maintenance(interval, minDeadRows, deadRowFraction, minChangedRows, changedFraction, lockTimeout, on);
    }

    /** @return true when a table with these figures is to be vacuumed */
    boolean needsVacuum(long live, long dead) {
        return dead > 0 && dead >= minDeadRows && dead >= deadRowFraction * live;
    }

    /** @return true when a table with these figures is to be analyzed */
    boolean needsAnalyze(long live, long changed, boolean neverAnalyzed) {
        return changed > 0 && (neverAnalyzed || changed >= minChangedRows && changed >= changedFraction * live);
    }
}
