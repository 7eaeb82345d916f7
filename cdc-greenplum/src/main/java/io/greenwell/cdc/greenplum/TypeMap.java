package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.event.ColumnDef;
import java.util.Locale;

/**
 * The MySQL to PostgreSQL/Greenplum type map of generated tables. Lengths, precision and bit
 * widths come from the statement text ({@link MysqlDdl}); when it does not say, the type is the
 * unconstrained one ({@code numeric}, {@code text}, {@code bit varying}), never a narrower type
 * that could round or truncate. Temporal precision comes from Maxwell's {@code column-length}.
 */
final class TypeMap {

    /**
     * The choices a user can make.
     *
     * @param tinyint1AsBoolean map {@code tinyint(1)} and {@code boolean} to {@code boolean} (else {@code smallint})
     * @param bit1AsBoolean map {@code bit(1)} to {@code boolean} (else {@code bit(1)})
     * @param jsonb map {@code json} to {@code jsonb} (else {@code json}, which keeps the text verbatim)
     */
    record Options(boolean tinyint1AsBoolean, boolean bit1AsBoolean, boolean jsonb) {
        static final Options DEFAULT = new Options(false, false, true);
    }

    private static final int MAX_VARCHAR = 10485760;

    private TypeMap() {}

    /**
     * @param def the column as Maxwell describes it, never null
     * @param parsed the column as the statement text writes it, or null when not known
     * @param options the user's choices, never null
     * @return the target column type, never null
     */
    static String pgType(ColumnDef def, MysqlDdl.ColumnType parsed, Options options) {
        String type = def.type().toLowerCase(Locale.ROOT);
        boolean unsigned = def.isUnsigned() || (parsed != null && parsed.unsigned());
        switch (type) {
            case "bool":
            case "boolean":
                return options.tinyint1AsBoolean() ? "boolean" : "smallint";
            case "tinyint":
                if (options.tinyint1AsBoolean() && parsed != null
                        && (parsed.intArg(0) == 1 || parsed.name().startsWith("bool"))) {
                    return "boolean";
                }
                return "smallint";
            case "smallint":
                return unsigned ? "integer" : "smallint";
            case "mediumint":
                return "integer";
            case "int":
            case "integer":
                return unsigned ? "bigint" : "integer";
            case "bigint":
                return unsigned ? "numeric(20,0)" : "bigint";
            case "serial":
                return "numeric(20,0)";
            case "decimal":
            case "numeric":
            case "dec":
            case "fixed":
                return decimal(parsed);
            case "float":
                return parsed != null && parsed.args().size() == 1 && parsed.intArg(0) > 24 ? "double precision" : "real";
            case "double":
            case "real":
            case "double precision":
                return "double precision";
            case "bit":
                return bit(parsed, options);
            case "date":
                return "date";
            case "datetime":
                return "timestamp" + precision(def, parsed);
            case "timestamp":
                return "timestamp" + precision(def, parsed) + " with time zone";
            case "time":
                return "interval";
            case "year":
                return "smallint";
            case "char":
            case "character":
            case "nchar":
            case "varchar":
            case "character varying":
            case "nvarchar":
                return varchar(type, parsed);
            case "tinytext":
            case "text":
            case "mediumtext":
            case "longtext":
            case "long varchar":
            case "long":
            case "enum":
                return "text";
            case "set":
                return "text[]";
            case "binary":
            case "varbinary":
            case "tinyblob":
            case "blob":
            case "mediumblob":
            case "longblob":
            case "long varbinary":
                return "bytea";
            case "json":
                return options.jsonb() ? "jsonb" : "json";
            default:
                // geometry family (WKT), MariaDB's uuid/inet types and anything new: text holds every value
                return "text";
        }
    }

    /**
     * @param type a type as {@link #pgType} writes it
     * @return the same type as {@code pg_catalog.format_type} prints it, to compare with the catalog
     */
    static String catalogForm(String type) {
        if (type.startsWith("varchar(")) {
            return "character varying" + type.substring(7);
        }
        if (type.equals("timestamp") || (type.startsWith("timestamp(") && type.endsWith(")"))) {
            return type + " without time zone";
        }
        return type;
    }

    private static String decimal(MysqlDdl.ColumnType parsed) {
        if (parsed == null || !isDecimal(parsed.name())) {
            return "numeric";
        }
        if (parsed.args().isEmpty()) {
            return "numeric(10,0)";
        }
        int p = parsed.intArg(0);
        int s = parsed.args().size() > 1 ? parsed.intArg(1) : 0;
        if (p < 1 || s < 0 || s > p) {
            return "numeric";
        }
        return "numeric(" + p + "," + s + ")";
    }

    private static boolean isDecimal(String name) {
        return name.equals("decimal") || name.equals("numeric") || name.equals("dec") || name.equals("fixed");
    }

    private static String bit(MysqlDdl.ColumnType parsed, Options options) {
        if (parsed == null || !parsed.name().equals("bit")) {
            return "bit varying";
        }
        int n = parsed.args().isEmpty() ? 1 : parsed.intArg(0);
        if (n < 1) {
            return "bit varying";
        }
        return n == 1 && options.bit1AsBoolean() ? "boolean" : "bit(" + n + ")";
    }

    private static String varchar(String type, MysqlDdl.ColumnType parsed) {
        if (parsed == null) {
            return "text";
        }
        int n = parsed.args().isEmpty() && (type.equals("char") || type.equals("character") || type.equals("nchar")) ? 1 : parsed.intArg(0);
        if (n < 1 || n > MAX_VARCHAR) {
            return "text";
        }
        return "varchar(" + n + ")";
    }

    private static String precision(ColumnDef def, MysqlDdl.ColumnType parsed) {
        int fsp = def.columnLength() != null ? def.columnLength() : parsed != null && !parsed.args().isEmpty() ? parsed.intArg(0) : -1;
        if (fsp < 0 || fsp > 6) {
            return "";
        }
        return "(" + fsp + ")";
    }
}
