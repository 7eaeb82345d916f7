package io.greenwell.cdc.greenplum;

/**
 * Finds where the top-level members of a Maxwell record that the archive keeps lie in its bytes,
 * without building anything: one pass that skips strings and nested values. The record was
 * decoded before (it is well-formed JSON); a record that is not an object finds nothing. A member
 * that occurs twice is taken at its last occurrence, as a JSON reader does.
 *
 * <p>Not thread-safe; one per archive writer, reused for every record.
 */
final class RecordScan {

    static final int DATABASE = 0;
    static final int TABLE = 1;
    static final int TYPE = 2;
    static final int XID = 3;
    static final int XOFFSET = 4;
    static final int COMMIT = 5;
    static final int POSITION = 6;
    static final int GTID = 7;
    static final int SERVER_ID = 8;
    static final int PRIMARY_KEY_COLUMNS = 9;
    static final int DATA = 10;
    static final int OLD = 11;
    static final int SQL = 12;
    static final int DEF = 13;
    private static final int MEMBERS = 14;

    private static final byte[][] NAMES = {
        bytes("database"), bytes("table"), bytes("type"), bytes("xid"), bytes("xoffset"), bytes("commit"), bytes("position"),
        bytes("gtid"), bytes("server_id"), bytes("primary_key_columns"), bytes("data"), bytes("old"), bytes("sql"), bytes("def"),
        // Maxwell's camelCase naming strategy renames these two
        bytes("serverId"), bytes("primaryKeyColumns")
    };
    private static final int[] MEMBER_OF_NAME = {
        DATABASE, TABLE, TYPE, XID, XOFFSET, COMMIT, POSITION, GTID, SERVER_ID, PRIMARY_KEY_COLUMNS, DATA, OLD, SQL, DEF, SERVER_ID,
        PRIMARY_KEY_COLUMNS
    };

    /** Where each member's value starts and ends (exclusive) in the buffer; -1 when absent. */
    final int[] start = new int[MEMBERS];
    final int[] end = new int[MEMBERS];
    /** Whether a string member's content holds a backslash (an escape). */
    final boolean[] escaped = new boolean[MEMBERS];

    /** Scans a record held in {@code b[off, off + len)}. */
    void scan(byte[] b, int off, int len) {
        java.util.Arrays.fill(start, -1);
        java.util.Arrays.fill(end, -1);
        int limit = off + len;
        int i = skipSpace(b, off, limit);
        if (i >= limit || b[i] != '{') {
            return;
        }
        i++;
        while (true) {
            i = skipSpace(b, i, limit);
            if (i >= limit || b[i] != '"') {
                return;
            }
            int nameStart = i + 1;
            i = skipString(b, i, limit);
            int member = member(b, nameStart, i - 1);
            i = skipSpace(b, i, limit);
            if (i >= limit || b[i] != ':') {
                return;
            }
            i = skipSpace(b, i + 1, limit);
            int valueStart = i;
            boolean esc = false;
            if (i < limit && b[i] == '"') {
                for (int j = i + 1; j < limit && b[j] != '"'; j++) {
                    if (b[j] == '\\') {
                        esc = true;
                        break;
                    }
                }
            }
            i = skipValue(b, i, limit);
            if (member >= 0) {
                start[member] = valueStart;
                end[member] = i;
                escaped[member] = esc;
            }
            i = skipSpace(b, i, limit);
            if (i >= limit || b[i] != ',') {
                return;
            }
            i++;
        }
    }

    /** @return true when the member is there and is not JSON {@code null} */
    boolean has(byte[] b, int member) {
        return start[member] >= 0 && !(end[member] - start[member] == 4 && b[start[member]] == 'n');
    }

    private static int member(byte[] b, int from, int to) {
        int n = to - from;
        for (int m = 0; m < NAMES.length; m++) {
            byte[] name = NAMES[m];
            if (name.length == n) {
                int k = 0;
                while (k < n && b[from + k] == name[k]) {
                    k++;
                }
                if (k == n) {
                    return MEMBER_OF_NAME[m];
                }
            }
        }
        return -1;
    }

    private static int skipSpace(byte[] b, int i, int limit) {
        while (i < limit && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** @return the index after the string that starts at {@code i} (its opening quote) */
    private static int skipString(byte[] b, int i, int limit) {
        for (i++; i < limit; i++) {
            byte c = b[i];
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i + 1;
            }
        }
        return limit;
    }

    /** @return the index after the value that starts at {@code i} */
    private static int skipValue(byte[] b, int i, int limit) {
        if (i >= limit) {
            return limit;
        }
        byte c = b[i];
        if (c == '"') {
            return skipString(b, i, limit);
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            while (i < limit) {
                c = b[i];
                if (c == '"') {
                    i = skipString(b, i, limit);
                    continue;
                }
                if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    depth--;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
                i++;
            }
            return limit;
        }
        while (i < limit && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\r' && b[i] != '\t') {
            i++;
        }
        return i;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
