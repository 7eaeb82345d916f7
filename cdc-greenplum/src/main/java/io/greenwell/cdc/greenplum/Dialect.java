package io.greenwell.cdc.greenplum;

import java.util.Locale;

/**
 * The SQL dialect of a target database. Greenplum 6 has the PostgreSQL 9.4 grammar (no
 * {@code ON CONFLICT}, no {@code MERGE}); Greenplum 7 and Apache Cloudberry have PostgreSQL 12 and
 * 14 grammars with Greenplum's distribution and storage clauses. Every dialect applies batches the
 * same way (staging, {@code DELETE … USING}, {@code INSERT … SELECT}); they differ in the DDL.
 */
public enum Dialect {
    /** Greenplum Database 6.x. */
    GREENPLUM_6,
    /** Greenplum Database 7.x and Apache Cloudberry. */
    GREENPLUM_7,
    /** PostgreSQL 10 or later. */
    POSTGRESQL;

    /** @return true for the Greenplum dialects, whose tables need {@code DISTRIBUTED} clauses */
    public boolean isGreenplum() {
        return this != POSTGRESQL;
    }

    /**
     * Tells the dialect from the text of {@code SELECT version()}.
     *
     * @param version the server's version string, never null
     * @return the dialect, never null
     */
    public static Dialect detect(String version) {
        String v = version.toLowerCase(Locale.ROOT);
        if (v.contains("cloudberry")) {
            return GREENPLUM_7;
        }
        int at = v.indexOf("greenplum database ");
        if (at >= 0) {
            char major = at + 19 < v.length() ? v.charAt(at + 19) : '?';
            return major == '6' || major == '5' ? GREENPLUM_6 : GREENPLUM_7;
        }
        return POSTGRESQL;
    }

    /**
     * Parses a dialect name as the command line writes it.
     *
     * @param name {@code postgresql}, {@code greenplum6}, {@code greenplum7} or {@code cloudberry}
     *     (any case, {@code _} and {@code -} ignored), never null
     * @return the dialect, never null
     * @throws IllegalArgumentException for any other name
     */
    public static Dialect parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        switch (n) {
            case "postgresql":
            case "postgres":
                return POSTGRESQL;
            case "greenplum6":
            case "gp6":
                return GREENPLUM_6;
            case "greenplum7":
            case "gp7":
            case "cloudberry":
                return GREENPLUM_7;
            default:
                throw new IllegalArgumentException(
                        "unknown dialect '" + name + "': use postgresql, greenplum6, greenplum7 or cloudberry");
        }
    }
}
