package io.greenwell.cdc.binlog;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;
import io.greenwell.cdc.CdcException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * One table as a TABLE_MAP event with full metadata describes it: the columns' names, their real
 * types (an ENUM or SET column is a STRING with its real type in the metadata), signedness,
 * character sets, ENUM and SET values, and the primary key.
 */
final class TableColumns {

    // the binlog's column type codes (MySQL's enum_field_types)
    static final int DECIMAL = 0;
    static final int TINY = 1;
    static final int SHORT = 2;
    static final int LONG = 3;
    static final int FLOAT = 4;
    static final int DOUBLE = 5;
    static final int TIMESTAMP = 7;
    static final int LONGLONG = 8;
    static final int INT24 = 9;
    static final int DATE = 10;
    static final int TIME = 11;
    static final int DATETIME = 12;
    static final int YEAR = 13;
    static final int VARCHAR = 15;
    static final int BIT = 16;
    static final int TIMESTAMP2 = 17;
    static final int DATETIME2 = 18;
    static final int TIME2 = 19;
    static final int JSON = 245;
    static final int NEWDECIMAL = 246;
    static final int ENUM = 247;
    static final int SET = 248;
    static final int TINY_BLOB = 249;
    static final int MEDIUM_BLOB = 250;
    static final int LONG_BLOB = 251;
    static final int BLOB = 252;
    static final int VAR_STRING = 253;
    static final int STRING = 254;
    static final int GEOMETRY = 255;

    final String database;
    final String table;
    final String[] names;
    /** The real type of each column. */
    final int[] types;
    /** The type metadata of each column (fractional digits of temporal types). */
    final int[] meta;
    final boolean[] unsigned;
    /** The charset of each character column, null for binary ones and for the other columns. */
    final Charset[] charsets;
    /** Whether each column is a character or binary string column. */
    final boolean[] strings;
    final String[][] enumValues;
    final String[][] setValues;
    final List<String> primaryKey;
    /** The database, table and column names, quoted for JSON once per table map. */
    final com.fasterxml.jackson.core.io.SerializedString jsonDatabase;
    final com.fasterxml.jackson.core.io.SerializedString jsonTable;
    final com.fasterxml.jackson.core.io.SerializedString[] jsonNames;
    /** Whether each column is MariaDB's JSON (text to the binlog), rendered as the document it holds, as Maxwell does. */
    final boolean[] jsonText;

    private TableColumns(String database, String table, String[] names, int[] types, int[] meta, boolean[] unsigned, Charset[] charsets,
            boolean[] strings, String[][] enumValues, String[][] setValues, List<String> primaryKey) {
        this.database = database;
        this.table = table;
        this.names = names;
        this.types = types;
        this.meta = meta;
        this.unsigned = unsigned;
        this.charsets = charsets;
        this.strings = strings;
        this.enumValues = enumValues;
        this.setValues = setValues;
        this.primaryKey = primaryKey;
        this.jsonText = new boolean[names.length];
        this.jsonDatabase = new com.fasterxml.jackson.core.io.SerializedString(database);
        this.jsonTable = new com.fasterxml.jackson.core.io.SerializedString(table);
        this.jsonNames = new com.fasterxml.jackson.core.io.SerializedString[names.length];
        for (int i = 0; i < names.length; i++) {
            jsonNames[i] = new com.fasterxml.jackson.core.io.SerializedString(names[i]);
        }
    }

    /**
     * Marks the character columns that the table's definition calls {@code json}: MariaDB keeps JSON
     * as LONGTEXT, and only the schema tells.
     *
     * @param def the table's definition, or null when unknown
     */
    void markJsonText(io.greenwell.cdc.event.TableDef def) {
        if (def == null) {
            return;
        }
        for (int i = 0; i < names.length; i++) {
            io.greenwell.cdc.event.ColumnDef c = def.column(names[i]);
            jsonText[i] = strings[i] && charsets[i] != null && c != null && c.type().equals("json");
        }
    }

    static TableColumns of(TableMapEventData t, ServerFacts server) {
        TableMapEventMetadata md = t.getEventMetadata();
        String where = t.getDatabase() + "." + t.getTable();
        if (md == null || md.getColumnNames() == null) {
            throw new CdcException("the table map of " + where + " carries no column names: the server must run with binlog_row_metadata=FULL"
                    + " (it may have been changed after the source started)");
        }
        byte[] raw = t.getColumnTypes();
        int n = raw.length;
        String[] names = md.getColumnNames().toArray(new String[0]);
        int[] types = new int[n];
        int[] meta = t.getColumnMetadata();
        for (int i = 0; i < n; i++) {
            int type = raw[i] & 0xFF;
            if (type == STRING && meta[i] >> 8 != 0) {
                int real = meta[i] >> 8;
                // an ENUM or SET is a STRING whose metadata's high byte is the real type
                if (real == ENUM || real == SET) {
                    type = real;
                }
            }
            types[i] = type;
        }
        boolean[] unsigned = new boolean[n];
        BitSet signedness = md.getSignedness();
        if (signedness != null) {
            for (int i = signedness.nextSetBit(0); i >= 0 && i < n; i = signedness.nextSetBit(i + 1)) {
                unsigned[i] = true;
            }
        }
        boolean[] strings = new boolean[n];
        Charset[] charsets = new Charset[n];
        List<Integer> stringColumns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            switch (types[i]) {
                case STRING: case VARCHAR: case VAR_STRING: case BLOB: case TINY_BLOB: case MEDIUM_BLOB: case LONG_BLOB:
                    strings[i] = true;
                    stringColumns.add(i);
                    break;
                default:
            }
        }
        List<Integer> perColumn = md.getColumnCharsets();
        if (perColumn != null) {
            if (perColumn.size() != stringColumns.size()) {
                throw new CdcException("the table map of " + where + " names " + perColumn.size() + " character sets for "
                        + stringColumns.size() + " string columns");
            }
            for (int k = 0; k < stringColumns.size(); k++) {
                charsets[stringColumns.get(k)] = server.charset(perColumn.get(k));
            }
        } else if (md.getDefaultCharset() != null) {
            TableMapEventMetadata.DefaultCharset dc = md.getDefaultCharset();
            Map<Integer, Integer> exceptions = dc.getCharsetCollations();
            for (int k = 0; k < stringColumns.size(); k++) {
                Integer c = exceptions == null ? null : exceptions.get(k);
                charsets[stringColumns.get(k)] = server.charset(c != null ? c : dc.getDefaultCharsetCollation());
            }
        } else if (!stringColumns.isEmpty()) {
            throw new CdcException("the table map of " + where + " carries no character sets for its string columns");
        }
        String[][] enums = new String[n][];
        String[][] sets = new String[n][];
        List<String[]> enumList = md.getEnumStrValues();
        List<String[]> setList = md.getSetStrValues();
        int e = 0;
        int s = 0;
        for (int i = 0; i < n; i++) {
            if (types[i] == ENUM) {
                enums[i] = enumList == null || e >= enumList.size() ? null : enumList.get(e++);
                if (enums[i] == null) {
                    throw new CdcException("the table map of " + where + " carries no values for ENUM column " + names[i]);
                }
            } else if (types[i] == SET) {
                sets[i] = setList == null || s >= setList.size() ? null : setList.get(s++);
                if (sets[i] == null) {
                    throw new CdcException("the table map of " + where + " carries no values for SET column " + names[i]);
                }
            }
        }
        List<String> pk = new ArrayList<>();
        if (md.getSimplePrimaryKeys() != null) {
            for (int i : md.getSimplePrimaryKeys()) {
                pk.add(names[i]);
            }
        } else if (md.getPrimaryKeysWithPrefix() != null) {
            // a key on a prefix of a column (KEY (c(10))): Maxwell names the whole column
            for (int i : new java.util.TreeMap<>(md.getPrimaryKeysWithPrefix()).keySet()) {
                pk.add(names[i]);
            }
        }
        return new TableColumns(t.getDatabase(), t.getTable(), names, types, meta, unsigned, charsets, strings, enums, sets, List.copyOf(pk));
    }
}
