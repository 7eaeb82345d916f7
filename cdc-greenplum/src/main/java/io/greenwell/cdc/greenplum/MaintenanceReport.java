package io.greenwell.cdc.greenplum;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one maintenance run decided and did, per table, with the figures it decided on.
 *
 * @param tables one entry per table looked at, in the order they were worked on; never null
 * @param dryRun true when nothing was run, only decided
 */
public record MaintenanceReport(List<Table> tables, boolean dryRun) {

    /** @throws NullPointerException when tables is null */
    public MaintenanceReport {
        tables = List.copyOf(tables);
    }

    /** What was decided for one table. */
    public enum Action {
        /** Below every threshold. */
        NONE,
        /** {@code VACUUM}. */
        VACUUM,
        /** {@code ANALYZE}. */
        ANALYZE,
        /** {@code VACUUM ANALYZE}. */
        VACUUM_ANALYZE;

        /** @return the SQL command, such as {@code VACUUM ANALYZE}, or {@code none} */
        public String command() {
            return this == NONE ? "none" : name().replace('_', ' ');
        }
    }

    /** How a decided action ended. */
    public enum Outcome {
        /** It ran. */
        DONE,
        /** Not run: a dry run, or no action was needed. */
        NOT_RUN,
        /** Not run: its table's lock was not granted within the lock timeout; the next run tries again. */
        LOCKED,
        /** The server refused it or skipped it with a warning (the table was dropped meanwhile, or the user may not maintain it). */
        FAILED
    }

    /**
     * One table.
     *
     * @param schema the table's schema, never null
     * @param table the table's name, never null
     * @param liveRows the live rows the statistics count (on Greenplum, summed over the segments)
     * @param deadRows the dead rows the statistics count (on Greenplum, summed over the segments and, for a catalog table, the coordinator)
     * @param changedSinceAnalyze the rows inserted, updated or deleted since the last {@code ANALYZE} (for a Greenplum
     *     catalog table, which is only vacuumed: since its statistics were last reset)
     * @param action what was decided, never null
     * @param outcome how it ended, never null
     * @param message the server's error or warning for {@link Outcome#FAILED} and {@link Outcome#LOCKED}, else null
     */
    public record Table(String schema, String table, long liveRows, long deadRows, long changedSinceAnalyze, Action action,
            Outcome outcome, String message) {

        /** @throws NullPointerException when schema, table, action or outcome is null */
        public Table {
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(outcome, "outcome");
        }

        /** @return one line: {@code schema.table live=N dead=N changed=N action=VACUUM outcome=DONE} and the message if any */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s live=%d dead=%d changed=%d action=%s outcome=%s%s", Names.qualify(schema, table), liveRows,
                    deadRows, changedSinceAnalyze, action, outcome, message == null ? "" : " message=" + message.replace('\n', ' '));
        }
    }

    /** @return the entries whose action ran */
    public long done() {
        return tables.stream().filter(t -> t.outcome() == Outcome.DONE).count();
    }

    /** @return the entries whose action failed (locked ones not included) */
    public long failed() {
        return tables.stream().filter(t -> t.outcome() == Outcome.FAILED).count();
    }
}
