package io.greenwell.cdc.greenplum;

import java.util.List;

/**
 * The SQL text of maintenance, per dialect; pure, so golden files pin it with {@link Sql}'s.
 *
 * <p>Where the figures come from. On PostgreSQL, {@code pg_stat_user_tables}: {@code n_live_tup},
 * {@code n_dead_tup}, {@code n_mod_since_analyze}. On Greenplum the coordinator holds no rows of a
 * distributed table, so its statistics count no dead rows and no changes (it does keep the times
 * and counts of {@code VACUUM} and {@code ANALYZE}); each segment's statistics collector counts its
 * own. They are read with {@code pg_stat_get_*(oid)} evaluated on every segment over
 * {@code gp_dist_random('pg_class')} and summed; a catalog table also has rows on the coordinator,
 * whose counts are added. A segment's {@code n_mod_since_analyze} is never reset by an
 * {@code ANALYZE} run from the coordinator (it samples the segments from there), so the changes
 * since the last {@code ANALYZE} are the segments' cumulative inserts, updates and deletes minus the
 * count recorded when Greenwell last analyzed the table, in the control schema's
 * {@code maintenance} table.
 */
final class MaintenanceSql {

    /**
     * The catalog tables that Greenwell's DDL, its temporary staging tables (created per session,
     * dropped with it) and {@code ANALYZE} leave dead rows in, on the coordinator and every segment.
     */
    static final List<String> GREENPLUM_CATALOG = List.of("pg_class", "pg_attribute", "pg_type", "pg_depend", "pg_index", "pg_constraint",
            "pg_attrdef", "pg_statistic", "gp_distribution_policy", "pg_stat_last_operation");

    private final Dialect dialect;

    MaintenanceSql(Dialect dialect) {
        this.dialect = dialect;
    }

    /**
     * @return the figures of every ordinary table but the temporary ones: schema, table, live
     *     rows, dead rows, changes (PostgreSQL: since the last {@code ANALYZE}; Greenplum:
     *     cumulative), whether it was ever analyzed, and the time of the last {@code ANALYZE}
     */
    String figures() {
        if (!dialect.isGreenplum()) {
            return "SELECT s.schemaname, s.relname, s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze,\n"
                    + "  s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL, greatest(s.last_analyze, s.last_autoanalyze)\n"
                    + "FROM pg_catalog.pg_stat_user_tables s\n"
                    + "WHERE s.schemaname NOT LIKE 'pg\\_temp\\_%' AND s.schemaname NOT LIKE 'pg\\_toast\\_temp\\_%'";
        }
        String counts = "pg_catalog.pg_stat_get_live_tuples(r.oid) AS live, pg_catalog.pg_stat_get_dead_tuples(r.oid) AS dead,\n"
                + "    pg_catalog.pg_stat_get_tuples_inserted(r.oid) + pg_catalog.pg_stat_get_tuples_updated(r.oid)"
                + " + pg_catalog.pg_stat_get_tuples_deleted(r.oid) AS changes";
        return "SELECT n.nspname, c.relname, f.live, f.dead, f.changes,\n"
                + "  s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL, greatest(s.last_analyze, s.last_autoanalyze)\n"
                + "FROM (SELECT u.oid, sum(u.live) AS live, sum(u.dead) AS dead, sum(u.changes) AS changes FROM (\n"
                + "  SELECT r.oid, " + counts + "\n"
                + "  FROM gp_dist_random('pg_class') r WHERE r.relkind = 'r'\n"
                + "  UNION ALL\n"
                + "  SELECT r.oid, " + counts + "\n"
                + "  FROM pg_catalog.pg_class r WHERE r.relkind = 'r'\n"
                + "    AND r.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')) u\n"
                + "  GROUP BY u.oid) f\n"
                + "JOIN pg_catalog.pg_class c ON c.oid = f.oid\n"
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
                + "LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid\n"
                + "WHERE n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast%'"
                + " AND n.nspname NOT IN ('information_schema', 'gp_toolkit', 'pg_aoseg', 'pg_bitmapindex')";
    }

    /** @return the command for a table: {@code VACUUM}, {@code ANALYZE} or {@code VACUUM ANALYZE} */
    static String command(MaintenanceReport.Action action, String schema, String table) {
        return action.command() + " " + Names.qualify(schema, table);
    }

    /** Undoes {@link #lockTimeout} after a run. */
    static final String RESET_LOCK_TIMEOUT = "RESET lock_timeout";

    /** @return how long a command waits for its lock, set on the maintenance session */
    static String lockTimeout(long millis) {
        return "SET lock_timeout = " + millis;
    }

    /** @return the counts recorded at the last {@code ANALYZE}: schema, table, changes, when (Greenplum) */
    static String baselines(String control) {
        return "SELECT \"schema_name\", \"table_name\", \"changes_at_analyze\", \"analyzed_at\" FROM " + Names.qualify(control, "maintenance");
    }

    /** @return forgets a table's count; parameters: schema, table */
    static String deleteBaseline(String control) {
        return "DELETE FROM " + Names.qualify(control, "maintenance") + " WHERE \"schema_name\" = ? AND \"table_name\" = ?";
    }

    /** @return records a table's count; parameters: schema, table, changes (the time is the server's) */
    static String insertBaseline(String control) {
        return "INSERT INTO " + Names.qualify(control, "maintenance")
                + " (\"schema_name\", \"table_name\", \"changes_at_analyze\", \"analyzed_at\") VALUES (?, ?, ?, now())";
    }

    /** @return whether a table exists; parameters: schema, table */
    static String tableExists() {
        return "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?";
    }

    /** @return whether the control schema has the {@code maintenance} table; parameter: the schema */
    static String baselineTableExists() {
        return "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = 'maintenance'";
    }
}
