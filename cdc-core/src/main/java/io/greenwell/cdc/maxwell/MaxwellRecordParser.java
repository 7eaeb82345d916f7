package io.greenwell.cdc.maxwell;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.base.ParserBase;
import io.greenwell.cdc.DecodeException;
import io.greenwell.cdc.event.BootstrapMarker;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.EventMeta;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.SourcePosition;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.event.Value;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;

/**
 * Parses one record; one instance per record, used by one thread.
 *
 * <p>The envelope's fields are read in any order into locals, then the event is built and
 * validated as a whole. Two fields mean different things by {@code type}: {@code old} is a row
 * for an update and a table definition for a {@code table-alter}, and {@code def}, {@code sql} and
 * {@code charset} are DDL fields but free names for a JavaScript filter's extra attributes on row
 * records. Maxwell writes {@code type} before them, so they are normally parsed in place; when a
 * record puts them first, their byte range is kept and parsed once the type is known. Nested JSON
 * values are never built as trees: their exact text is sliced out of the (already validated)
 * input by the parser's byte offsets.
 */
final class MaxwellRecordParser {

    private static final int RECENT_DATABASE = 0;
    private static final int RECENT_TABLE = 1;
    private static final int RECENT_TYPE = 2;
    private static final int RECENT_FILE = 3;

    private final MaxwellDecoder decoder;
    private final byte[] input;
    private final int inputOff;
    private final int inputLen;
    private final String stream;
    private final long offset;

    /** This thread's buffers, looked up once per record. */
    private MaxwellDecoder.Scratch scratch;

    /** The buffer the current parser reads, for slicing nested values (the input or a plaintext). */
    private byte[] cur;
    /** Where the current parser's input starts in {@link #cur}: its token offsets count from here. */
    private int curBase;
    /** Where the current parser's input ends in {@link #cur}. */
    private int curEnd;

    private String database;
    private String table;
    private boolean tableMistyped;
    private String type;
    private Family family;
    private long ts;
    private boolean hasTs;
    private Long xid;
    private int xoffset = -1;
    private boolean commit;
    private String position;
    private String gtid;
    private Long serverId;
    private Long threadId;
    private Long schemaId;
    private BigDecimal pushTs;
    private String query;
    private String comment;
    private List<Value> primaryKey;
    private List<String> primaryKeyColumns;
    private Row data;
    private Row oldRow;
    private TableDef oldDef;
    private TableDef def;
    private String sql;
    private String charset;
    private boolean ddlTextMistyped;
    private int oldStart = -1;
    private int oldEnd;
    private int defStart = -1;
    private int defEnd;
    private String encryptedIv;
    private String encryptedBytes;
    private int fieldCount;

    /**
     * The names of a table definition's fields for messages, built once for {@code def} and
     * {@code old} so that no name is concatenated while parsing.
     */
    private static final class DefNames {
        static final DefNames DEF = new DefNames("def");
        static final DefNames OLD = new DefNames("old");

        final String root;
        final String database;
        final String table;
        final String charset;
        final String primaryKey;
        final String name;
        final String type;
        final String columnCharset;
        final String enumValues;
        final String columnLength;

        private DefNames(String root) {
            this.root = root;
            this.database = root + ".database";
            this.table = root + ".table";
            this.charset = root + ".charset";
            this.primaryKey = root + ".primary-key";
            this.name = root + ".columns[].name";
            this.type = root + ".columns[].type";
            this.columnCharset = root + ".columns[].charset";
            this.enumValues = root + ".columns[].enum-values";
            this.columnLength = root + ".columns[].column-length";
        }
    }

    /** The record families, by {@code type}. */
    private enum Family {
        ROW,
        BOOTSTRAP_MARKER,
        DDL
    }

    MaxwellRecordParser(MaxwellDecoder decoder, byte[] input, int off, int len, String stream, long offset) {
        this.decoder = decoder;
        this.input = input;
        this.inputOff = off;
        this.inputLen = len;
        this.stream = stream;
        this.offset = offset;
    }

    ChangeEvent parseRecord() throws IOException {
        int bad = Utf8.firstInvalid(input, inputOff, inputLen);
        if (bad >= 0) {
            throw fail(input[bad] == 0
                    ? "NUL byte at byte " + (bad - inputOff) + ": not JSON text (UTF-16 or UTF-32 input?)"
                    : "invalid UTF-8 at byte " + (bad - inputOff));
        }
        cur = input;
        curBase = inputOff;
        curEnd = inputOff + inputLen;
        scratch = decoder.scratch();
        try (JsonParser p = decoder.parser(input, inputOff, inputLen)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw fail("empty record");
            }
            if (t != JsonToken.START_OBJECT) {
                throw fail("record is not a JSON object but " + describe(t));
            }
            readEnvelope(p);
            if (p.nextToken() != null) {
                throw fail("trailing data after the record's JSON object");
            }
        }
        if (type == null && encryptedBytes != null && fieldCount == 1) {
            return decryptAll();
        }
        return build();
    }

    /**
     * Reads the usual row record without Jackson: a single pass over the bytes that checks the JSON
     * grammar as it goes, for the fields Maxwell writes to every row record. Anything else (another
     * field, an escape in a name or in the envelope's strings, a repeated field, a DDL or bootstrap
     * type, an error of any kind) returns null, and the record is read again by
     * {@link #parseRecord()}, which gives the same event or the error. Both paths build the event
     * with {@link #build()}.
     *
     * @return the event, or null to read the record with Jackson
     */
    ChangeEvent parseFast() {
        cur = input;
        curBase = inputOff;
        curEnd = inputOff + inputLen;
        scratch = decoder.scratch();
        try {
            fastEnvelope();
            if (family != Family.ROW) {
                return null;
            }
            return build();
        } catch (JsonScan.Bail | DecodeException | IOException e) {
            return null;
        }
    }

    /** Where the string {@link #fastRecent} read ends (after its closing quote). */
    private int fastEnd;

    private static final int F_DATABASE = 1;
    private static final int F_TABLE = 1 << 1;
    private static final int F_TYPE = 1 << 2;
    private static final int F_TS = 1 << 3;
    private static final int F_XID = 1 << 4;
    private static final int F_XOFFSET = 1 << 5;
    private static final int F_COMMIT = 1 << 6;
    private static final int F_POSITION = 1 << 7;
    private static final int F_GTID = 1 << 8;
    private static final int F_SERVER_ID = 1 << 9;
    private static final int F_THREAD_ID = 1 << 10;
    private static final int F_SCHEMA_ID = 1 << 11;
    private static final int F_KEY_COLUMNS = 1 << 12;
    private static final int F_DATA = 1 << 13;
    private static final int F_OLD = 1 << 14;
    private static final int F_KEY = 1 << 15;

    private void fastEnvelope() {
        byte[] b = input;
        int end = curEnd;
        int i = JsonScan.ws(b, inputOff, end);
        i = JsonScan.ws(b, JsonScan.expect(b, i, end, '{'), end);
        int seen = 0;
        if (i < end && b[i] == '}') {
            i++;
        } else {
            while (true) {
                int nameEnd = JsonScan.plainStringEnd(b, i, end);
                int field = fieldOf(b, i + 1, nameEnd - i - 1);
                if (field == 0 || (seen & field) != 0) {
                    throw JsonScan.BAIL;
                }
                seen |= field;
                fieldCount++;
                i = JsonScan.ws(b, JsonScan.expect(b, JsonScan.ws(b, nameEnd + 1, end), end, ':'), end);
                i = JsonScan.ws(b, fastField(field, b, i, end), end);
                if (i < end && b[i] == '}') {
                    i++;
                    break;
                }
                i = JsonScan.ws(b, JsonScan.expect(b, i, end, ','), end);
            }
        }
        if (JsonScan.ws(b, i, end) != end) {
            throw JsonScan.BAIL;
        }
    }

    private static int fieldOf(byte[] b, int at, int len) {
        switch (len) {
            case 2:
                return JsonScan.equalsAscii(b, at, len, "ts") ? F_TS : 0;
            case 3:
                return JsonScan.equalsAscii(b, at, len, "xid") ? F_XID : JsonScan.equalsAscii(b, at, len, "old") ? F_OLD : 0;
            case 4:
                return JsonScan.equalsAscii(b, at, len, "type") ? F_TYPE
                        : JsonScan.equalsAscii(b, at, len, "data") ? F_DATA : JsonScan.equalsAscii(b, at, len, "gtid") ? F_GTID : 0;
            case 5:
                return JsonScan.equalsAscii(b, at, len, "table") ? F_TABLE : 0;
            case 6:
                return JsonScan.equalsAscii(b, at, len, "commit") ? F_COMMIT : 0;
            case 7:
                return JsonScan.equalsAscii(b, at, len, "xoffset") ? F_XOFFSET : 0;
            case 8:
                return JsonScan.equalsAscii(b, at, len, "database") ? F_DATABASE
                        : JsonScan.equalsAscii(b, at, len, "position") ? F_POSITION : 0;
            case 9:
                return JsonScan.equalsAscii(b, at, len, "server_id") ? F_SERVER_ID
                        : JsonScan.equalsAscii(b, at, len, "thread_id") ? F_THREAD_ID
                        : JsonScan.equalsAscii(b, at, len, "schema_id") ? F_SCHEMA_ID : 0;
            case 11:
                return JsonScan.equalsAscii(b, at, len, "primary_key") ? F_KEY : 0;
            case 19:
                return JsonScan.equalsAscii(b, at, len, "primary_key_columns") ? F_KEY_COLUMNS : 0;
            default:
                return 0;
        }
    }

    /** Reads the value of one envelope field that starts at {@code i}; returns the offset after it. */
    private int fastField(int field, byte[] b, int i, int end) {
        switch (field) {
            case F_DATABASE:
                database = fastRecent(b, i, end, RECENT_DATABASE);
                return fastEnd;
            case F_TABLE:
                table = fastRecent(b, i, end, RECENT_TABLE);
                return fastEnd;
            case F_TYPE:
                type = fastRecent(b, i, end, RECENT_TYPE);
                family = familyOf(type);
                if (family != Family.ROW) {
                    throw JsonScan.BAIL; // DDL and bootstrap markers are Jackson's
                }
                return fastEnd;
            case F_POSITION:
            case F_GTID: {
                if (isNull(b, i, end)) {
                    return JsonScan.value(b, i, end);
                }
                int q = JsonScan.plainStringEnd(b, i, end);
                String text = new String(b, i + 1, q - i - 1, StandardCharsets.ISO_8859_1);
                if (field == F_POSITION) {
                    position = text;
                } else {
                    gtid = text;
                }
                return q + 1;
            }
            case F_COMMIT: {
                int after = JsonScan.value(b, i, end);
                if (b[i] == 't' || b[i] == 'f') {
                    commit = b[i] == 't';
                } else if (b[i] != 'n') {
                    throw JsonScan.BAIL;
                }
                return after;
            }
            case F_DATA:
                if (i >= end || b[i] != '{') {
                    throw JsonScan.BAIL;
                }
                return fastRow(b, i, end, true);
            case F_OLD:
                if (isNull(b, i, end)) {
                    return JsonScan.value(b, i, end);
                }
                if (i >= end || b[i] != '{') {
                    throw JsonScan.BAIL;
                }
                return fastRow(b, i, end, false);
            case F_KEY_COLUMNS:
                return fastKeyColumns(b, i, end);
            case F_KEY:
                return fastKey(b, i, end);
            default:
                return fastLong(field, b, i, end);
        }
    }

    private static boolean isNull(byte[] b, int i, int end) {
        return i < end && b[i] == 'n';
    }

    /** The integer fields: {@code ts} must be a number, the others may be null. */
    private int fastLong(int field, byte[] b, int i, int end) {
        int after = JsonScan.value(b, i, end);
        if (b[i] == 'n' && field != F_TS) {
            return after; // null: absent
        }
        if (b[i] != '-' && (b[i] < '0' || b[i] > '9')) {
            throw JsonScan.BAIL;
        }
        long v = JsonScan.smallLong(b, i, after);
        switch (field) {
            case F_TS:
                ts = v;
                hasTs = true;
                break;
            case F_XID:
                xid = v;
                break;
            case F_XOFFSET:
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw JsonScan.BAIL;
                }
                xoffset = (int) v;
                break;
            case F_SERVER_ID:
                serverId = v;
                break;
            case F_THREAD_ID:
                threadId = v;
                break;
            default:
                schemaId = v;
                break;
        }
        return after;
    }

    /** A plain string of the envelope, as the instance of its recent slot when the bytes match. */
    private String fastRecent(byte[] b, int i, int end, int slot) {
        String[] recent = decoder.recent();
        String last = recent[slot];
        if (last != null) {
            int q = JsonScan.sameString(b, i, end, last);
            if (q >= 0) {
                fastEnd = q + 1;
                return last;
            }
        }
        int q = JsonScan.plainStringEnd(b, i, end);
        fastEnd = q + 1;
        String text = new String(b, i + 1, q - i - 1, StandardCharsets.ISO_8859_1);
        if (isPlain(text)) {
            recent[slot] = text;
        }
        return text;
    }

    /** {@code primary_key_columns}: null, or an array of plain strings; the previous list when equal. */
    private int fastKeyColumns(byte[] b, int i, int end) {
        if (isNull(b, i, end)) {
            return JsonScan.value(b, i, end);
        }
        i = JsonScan.ws(b, JsonScan.expect(b, i, end, '['), end);
        List<String> last = scratch.lastKeyColumns;
        boolean same = last != null;
        int n = 0;
        List<String> names = null;
        if (i < end && b[i] == ']') {
            i++;
        } else {
            while (true) {
                int q = JsonScan.plainStringEnd(b, i, end);
                int len = q - i - 1;
                if (same && (n >= last.size() || !JsonScan.equalsAscii(b, i + 1, len, last.get(n)))) {
                    same = false;
                }
                if (!same) {
                    if (names == null) {
                        names = new ArrayList<>(2);
                        for (int k = 0; k < n; k++) {
                            names.add(last.get(k));
                        }
                    }
                    names.add(new String(b, i + 1, len, StandardCharsets.ISO_8859_1));
                }
                n++;
                i = JsonScan.ws(b, q + 1, end);
                if (i < end && b[i] == ']') {
                    i++;
                    break;
                }
                i = JsonScan.ws(b, JsonScan.expect(b, i, end, ','), end);
            }
        }
        if (same) {
            // every name so far was the previous list's: that list, or the start of it
            primaryKeyColumns = n == last.size() ? last : List.copyOf(last.subList(0, n));
        } else {
            primaryKeyColumns = names == null ? List.of() : List.copyOf(names);
        }
        return i;
    }

    /** {@code primary_key}: null, or an array of the key's values. */
    private int fastKey(byte[] b, int i, int end) {
        if (isNull(b, i, end)) {
            return JsonScan.value(b, i, end);
        }
        i = JsonScan.ws(b, JsonScan.expect(b, i, end, '['), end);
        if (i < end && b[i] == ']') {
            primaryKey = List.of();
            return i + 1;
        }
        Value first = null;
        List<Value> more = null;
        while (true) {
            int after = JsonScan.value(b, i, end);
            Value v = Value.ofJson(b, i);
            if (first == null) {
                first = v;
            } else {
                if (more == null) {
                    more = new ArrayList<>(4);
                    more.add(first);
                }
                more.add(v);
            }
            i = JsonScan.ws(b, after, end);
            if (i < end && b[i] == ']') {
                break;
            }
            i = JsonScan.ws(b, JsonScan.expect(b, i, end, ','), end);
        }
        primaryKey = more == null ? List.of(first) : List.copyOf(more);
        return i + 1;
    }

    /**
     * A row object at {@code open}: plain column names (reused from the recent rows' names when the
     * bytes match, interned otherwise, as Jackson interns them), values checked but not built.
     */
    private int fastRow(byte[] b, int open, int end, boolean isData) {
        MaxwellDecoder.Scratch sc = scratch;
        sc.startRow();
        String[] guess = sc.recentNames[0];
        String[] other = sc.recentNames[1];
        int i = JsonScan.ws(b, open + 1, end);
        int n = 0;
        boolean guessed = true;
        if (i < end && b[i] == '}') {
            i++;
        } else {
            while (true) {
                String name;
                int q;
                if (n < guess.length && (q = JsonScan.sameString(b, i, end, guess[n])) >= 0) {
                    name = guess[n];
                } else if (n < other.length && (q = JsonScan.sameString(b, i, end, other[n])) >= 0) {
                    name = other[n];
                    String[] t = guess;
                    guess = other;
                    other = t;
                    guessed = false;
                } else {
                    q = JsonScan.plainStringEnd(b, i, end);
                    name = new String(b, i + 1, q - i - 1, StandardCharsets.ISO_8859_1).intern();
                    guessed = false;
                }
                i = JsonScan.ws(b, JsonScan.expect(b, JsonScan.ws(b, q + 1, end), end, ':'), end);
                if (sc.addColumn(name, i) >= 0) {
                    throw JsonScan.BAIL; // a repeated column: left to Jackson's last-one-wins
                }
                n++;
                i = JsonScan.ws(b, JsonScan.value(b, i, end), end);
                if (i < end && b[i] == '}') {
                    i++;
                    break;
                }
                i = JsonScan.ws(b, JsonScan.expect(b, i, end, ','), end);
            }
        }
        // every name was the first recent row's, in order: the row shares that array
        String[] shared = guessed && n == guess.length ? guess : sharedNames(sc, sc.names, n);
        Row row = Row.ofJson(shared, b, Arrays.copyOf(sc.starts, n), i - open);
        if (isData) {
            data = row;
        } else {
            oldRow = row;
        }
        return i;
    }

    private void readEnvelope(JsonParser p) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            t = p.nextToken();
            fieldCount++;
            switch (name) {
                case "database":
                    if (t != JsonToken.VALUE_STRING) {
                        throw mistyped(name, "a string", t);
                    }
                    database = recentText(p, RECENT_DATABASE);
                    break;
                case "table":
                    if (t == JsonToken.VALUE_STRING) {
                        table = recentText(p, RECENT_TABLE);
                    } else if (t != JsonToken.VALUE_NULL) {
                        tableMistyped = true;
                        p.skipChildren();
                    }
                    break;
                case "type":
                    if (t != JsonToken.VALUE_STRING) {
                        throw mistyped(name, "a string", t);
                    }
                    type = recentText(p, RECENT_TYPE);
                    family = familyOf(type);
                    break;
                case "ts":
                    ts = longValue(p, t, name);
                    hasTs = true;
                    break;
                case "xid":
                    xid = optionalLong(p, t, name);
                    break;
                case "xoffset":
                    Long x = optionalLong(p, t, name);
                    if (x != null) {
                        if (x < 0 || x > Integer.MAX_VALUE) {
                            throw fail("field \"xoffset\" out of range: " + x);
                        }
                        xoffset = (int) (long) x;
                    }
                    break;
                case "commit":
                    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                        commit = t == JsonToken.VALUE_TRUE;
                    } else if (t != JsonToken.VALUE_NULL) {
                        throw mistyped(name, "a boolean", t);
                    }
                    break;
                case "position":
                    position = optionalString(p, t, name);
                    break;
                case "gtid":
                    gtid = optionalString(p, t, name);
                    break;
                case "server_id":
                case "serverId":
                    serverId = optionalLong(p, t, name);
                    break;
                case "thread_id":
                case "threadId":
                    threadId = optionalLong(p, t, name);
                    break;
                case "schema_id":
                case "schemaId":
                    schemaId = optionalLong(p, t, name);
                    break;
                case "push_ts":
                case "pushTs":
                    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                        pushTs = new BigDecimal(p.getText());
                    } else if (t != JsonToken.VALUE_NULL) {
                        throw mistyped(name, "a number", t);
                    }
                    break;
                case "query":
                    query = optionalString(p, t, name);
                    break;
                case "comment":
                    comment = optionalString(p, t, name);
                    break;
                case "primary_key":
                case "primaryKey":
                    primaryKey = valueList(p, t, name);
                    break;
                case "primary_key_columns":
                case "primaryKeyColumns":
                    primaryKeyColumns = stringList(p, t, name);
                    break;
                case "data":
                    if (t != JsonToken.START_OBJECT) {
                        throw mistyped(name, "an object", t);
                    }
                    data = readRow(p);
                    break;
                case "old":
                    readOld(p, t);
                    break;
                case "def":
                    readDef(p, t);
                    break;
                case "sql":
                    sql = ddlText(p, t);
                    break;
                case "charset":
                    charset = ddlText(p, t);
                    break;
                case "encrypted":
                    readEncrypted(p, t);
                    break;
                default:
                    p.skipChildren(); // extra attributes are tolerated
                    break;
            }
        }
    }

    private static Family familyOf(String type) {
        switch (type) {
            case "insert":
            case "update":
            case "delete":
            case "bootstrap-insert":
                return Family.ROW;
            case "bootstrap-start":
            case "bootstrap-complete":
                return Family.BOOTSTRAP_MARKER;
            case "database-create":
            case "database-alter":
            case "database-drop":
            case "table-create":
            case "table-alter":
            case "table-drop":
                return Family.DDL;
            default:
                return null;
        }
    }

    private void readOld(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        if (t != JsonToken.START_OBJECT) {
            throw mistyped("old", "an object", t);
        }
        if (family == Family.DDL) {
            oldDef = readTableDef(p, DefNames.OLD);
            oldStart = -1; // a repeated key: the last one wins
        } else if (family != null) {
            oldRow = readRow(p);
            oldStart = -1;
        } else {
            oldStart = tokenOffset(p);
            p.skipChildren();
            oldEnd = tokenEnd(p);
        }
    }

    private void readDef(JsonParser p, JsonToken t) throws IOException {
        if (family != null && family != Family.DDL) {
            p.skipChildren(); // an extra attribute of a row record
        } else if (t == JsonToken.VALUE_NULL) {
            // absent
        } else if (t != JsonToken.START_OBJECT) {
            if (family == Family.DDL) {
                throw mistyped("def", "an object", t);
            }
            defStart = -2; // mistyped unless the record turns out to be a row
            p.skipChildren();
        } else if (family == Family.DDL) {
            def = readTableDef(p, DefNames.DEF);
            defStart = -1;
        } else {
            defStart = tokenOffset(p);
            p.skipChildren();
            defEnd = tokenEnd(p);
        }
    }

    private String ddlText(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t != JsonToken.VALUE_NULL) {
            if (family == Family.DDL) {
                throw mistyped(p.currentName(), "a string", t);
            }
            if (family == null) {
                ddlTextMistyped = true;
            }
            p.skipChildren();
        }
        return null;
    }

    private void readEncrypted(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            throw mistyped("encrypted", "an object", t);
        }
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            t = p.nextToken();
            if (name.equals("iv")) {
                encryptedIv = requiredString(p, t, "encrypted.iv");
            } else if (name.equals("bytes")) {
                encryptedBytes = requiredString(p, t, "encrypted.bytes");
            } else {
                p.skipChildren();
            }
        }
        if (encryptedIv == null || encryptedBytes == null) {
            throw fail("\"encrypted\" needs both \"iv\" and \"bytes\"");
        }
    }

    /**
     * Reads the row object whose START_OBJECT is the current token. Its values are validated by the
     * parser but not built: the row records where each starts and reads it from the record's bytes
     * when it is first asked for (most images are replaced by later ones before they are written).
     */
    private Row readRow(JsonParser p) throws IOException {
        MaxwellDecoder.Scratch sc = scratch;
        sc.startRow();
        int open = tokenOffset(p);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            int start = curBase + tokenOffset(p);
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                p.skipChildren();
            }
            int earlier = sc.addColumn(name, start);
            if (earlier >= 0) {
                sc.starts[earlier] = start; // a repeated key: the last one wins, as in a JSON object
            }
        }
        int n = sc.columns;
        return Row.ofJson(sharedNames(sc, sc.names, n), cur, Arrays.copyOf(sc.starts, n), tokenEnd(p) - open);
    }

    /**
     * The names as an array that recent rows with the same columns share: an update's two images
     * alternate between two shapes, so the last two are kept.
     */
    private static String[] sharedNames(MaxwellDecoder.Scratch sc, String[] names, int n) {
        String[][] recent = sc.recentNames;
        for (int k = 0; k < recent.length; k++) {
            String[] last = recent[k];
            boolean same = last.length == n;
            for (int i = 0; same && i < n; i++) {
                same = last[i] == names[i];
            }
            if (same) {
                return last;
            }
        }
        String[] copy = Arrays.copyOf(names, n);
        recent[sc.nextRecentNames] = copy;
        sc.nextRecentNames = (sc.nextRecentNames + 1) % recent.length;
        return copy;
    }

    /**
     * The byte offset of the current token from the start of the parser's input. Jackson's byte
     * parser counts a token's offset as the position after its first byte, and subtracts one when
     * it builds a {@code JsonLocation}; reading the counter directly saves that allocation per
     * nested value.
     */
    private static int tokenOffset(JsonParser p) {
        return (int) ((ParserBase) p).getTokenCharacterOffset() - 1;
    }

    /** The offset just after the current token, when that token is a one-byte bracket. */
    private static int tokenEnd(JsonParser p) {
        return (int) ((ParserBase) p).getTokenCharacterOffset();
    }

    private TableDef readTableDef(JsonParser p, DefNames field) throws IOException {
        String db = null;
        String tbl = null;
        String cs = null;
        List<ColumnDef> columns = null;
        List<String> pk = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            t = p.nextToken();
            switch (name) {
                case "database":
                    db = requiredString(p, t, field.database);
                    break;
                case "table":
                    tbl = requiredString(p, t, field.table);
                    break;
                case "charset":
                    cs = optionalString(p, t, field.charset);
                    break;
                case "columns":
                    if (t != JsonToken.START_ARRAY) {
                        throw mistyped(field.root + ".columns", "an array", t);
                    }
                    columns = new ArrayList<>();
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (t != JsonToken.START_OBJECT) {
                            throw mistyped(field.root + ".columns[]", "an object", t);
                        }
                        columns.add(readColumn(p, field));
                    }
                    break;
                case "primary-key":
                    pk = stringList(p, t, field.primaryKey);
                    break;
                default:
                    p.skipChildren();
                    break;
            }
        }
        if (db == null || tbl == null) {
            throw fail("\"" + field.root + "\" needs \"database\" and \"table\"");
        }
        if (columns == null) {
            throw fail("\"" + field.root + "\" has no \"columns\"");
        }
        return new TableDef(db, tbl, cs, columns, pk == null ? List.of() : pk);
    }

    private ColumnDef readColumn(JsonParser p, DefNames field) throws IOException {
        String name = null;
        String colType = null;
        Boolean signed = null;
        String cs = null;
        List<String> enumValues = null;
        Integer length = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            t = p.nextToken();
            switch (key) {
                case "name":
                    name = requiredString(p, t, field.name);
                    break;
                case "type":
                    colType = requiredString(p, t, field.type);
                    break;
                case "signed":
                    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                        signed = t == JsonToken.VALUE_TRUE;
                    } else if (t != JsonToken.VALUE_NULL) {
                        throw mistyped(field.root + ".columns[].signed", "a boolean", t);
                    }
                    break;
                case "charset":
                    cs = optionalString(p, t, field.columnCharset);
                    break;
                case "enum-values":
                    enumValues = stringList(p, t, field.enumValues);
                    break;
                case "column-length":
                    Long n = optionalLong(p, t, field.columnLength);
                    if (n != null) {
                        if (n < 0 || n > 1_000_000) {
                            throw fail("column-length out of range: " + n);
                        }
                        length = (int) (long) n;
                    }
                    break;
                default:
                    p.skipChildren();
                    break;
            }
        }
        if (name == null || colType == null) {
            throw fail("a column of \"" + field.root + "\" needs \"name\" and \"type\"");
        }
        return new ColumnDef(name, colType, signed, cs, enumValues, length);
    }

    private ChangeEvent decryptAll() throws IOException {
        byte[] plain = decrypt();
        try {
            return new MaxwellRecordParser(decoder, plain, 0, plain.length, stream, offset).parseRecord();
        } catch (DecodeException e) {
            throw fail("in the decrypted record: " + e.reason());
        }
    }

    private void decryptData() throws IOException {
        byte[] plain = decrypt();
        int bad = Utf8.firstInvalid(plain, 0, plain.length);
        if (bad >= 0) {
            throw fail("invalid UTF-8 in the decrypted data at byte " + bad);
        }
        cur = plain;
        curBase = 0;
        curEnd = plain.length;
        try (JsonParser p = decoder.parser(plain, 0, plain.length)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw fail("the decrypted data is not a JSON object");
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                t = p.nextToken();
                if (name.equals("data")) {
                    if (t != JsonToken.START_OBJECT) {
                        throw mistyped("data", "an object", t);
                    }
                    data = readRow(p);
                } else if (name.equals("old")) {
                    readOld(p, t);
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw fail("trailing data after the decrypted JSON object");
            }
        } catch (DecodeException e) {
            throw e;
        } catch (IOException e) {
            throw fail("the decrypted data is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    private byte[] decrypt() {
        if (decoder.key() == null) {
            throw fail("encrypted record, but the decoder has no secret key");
        }
        try {
            byte[] iv = Base64.getDecoder().decode(encryptedIv);
            byte[] bytes = Base64.getDecoder().decode(encryptedBytes);
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(Cipher.DECRYPT_MODE, decoder.key(), new IvParameterSpec(iv));
            return cipher.doFinal(bytes);
        } catch (IllegalArgumentException e) {
            throw fail("encrypted envelope is not base64: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw fail("cannot decrypt the record (wrong key or damaged envelope): " + e.getMessage());
        }
    }

    private ChangeEvent build() throws IOException {
        if (type == null) {
            throw fail("record has no \"type\"");
        }
        if (family == null) {
            throw fail("unknown type \"" + type + "\"");
        }
        if (database == null) {
            throw fail("record has no \"database\"");
        }
        if (!hasTs) {
            throw fail("record has no \"ts\"");
        }
        if (tableMistyped) {
            throw fail("field \"table\" must be a string");
        }
        if (oldStart >= 0) {
            reparseOld();
        }
        if (family == Family.DDL) {
            return buildSchemaChange();
        }
        if (table == null) {
            throw fail("record has no \"table\"");
        }
        if (encryptedBytes != null && data == null) {
            decryptData();
        }
        if (data == null) {
            throw fail("record has no \"data\"");
        }
        long millis;
        try {
            millis = Math.multiplyExact(ts, 1000L);
        } catch (ArithmeticException e) {
            throw fail("\"ts\" out of range: " + ts);
        }
        EventMeta meta = meta(millis);
        MaxwellDecoder.Scratch sc = scratch;
        TableId id = sc.lastTable;
        if (id == null || id.database() != database || id.table() != table) {
            id = new TableId(database, table);
            sc.lastTable = id;
        }
        if (primaryKeyColumns != null) {
            if (primaryKeyColumns.equals(sc.lastKeyColumns)) {
                primaryKeyColumns = sc.lastKeyColumns;
            } else {
                sc.lastKeyColumns = primaryKeyColumns;
            }
        }
        if (family == Family.BOOTSTRAP_MARKER) {
            return new BootstrapMarker(
                    type.equals("bootstrap-start") ? BootstrapMarker.Kind.START : BootstrapMarker.Kind.COMPLETE, id, meta);
        }
        Op op;
        switch (type) {
            case "insert":
                op = Op.INSERT;
                break;
            case "update":
                op = Op.UPDATE;
                break;
            case "delete":
                op = Op.DELETE;
                break;
            default:
                op = Op.BOOTSTRAP_INSERT;
                break;
        }
        return new RowChange(id, op, data, oldRow == null ? Row.EMPTY : oldRow, primaryKeyColumns, primaryKey, meta);
    }

    private ChangeEvent buildSchemaChange() throws IOException {
        if (ddlTextMistyped) {
            throw fail("fields \"sql\" and \"charset\" must be strings");
        }
        if (defStart == -2) {
            throw fail("field \"def\" must be an object");
        }
        if (defStart >= 0) {
            int base = curBase;
            int end = curEnd;
            curBase = base + defStart;
            curEnd = base + defEnd;
            try (JsonParser p = decoder.parser(cur, curBase, curEnd - curBase)) {
                p.nextToken();
                def = readTableDef(p, DefNames.DEF);
            } finally {
                curBase = base;
                curEnd = end;
            }
        }
        SchemaChange.Kind kind;
        switch (type) {
            case "database-create":
                kind = SchemaChange.Kind.DATABASE_CREATE;
                break;
            case "database-alter":
                kind = SchemaChange.Kind.DATABASE_ALTER;
                break;
            case "database-drop":
                kind = SchemaChange.Kind.DATABASE_DROP;
                break;
            case "table-create":
                kind = SchemaChange.Kind.TABLE_CREATE;
                break;
            case "table-alter":
                kind = SchemaChange.Kind.TABLE_ALTER;
                break;
            default:
                kind = SchemaChange.Kind.TABLE_DROP;
                break;
        }
        TableId id = null;
        if (kind.isTableLevel()) {
            if (table == null) {
                throw fail(type + " record has no \"table\"");
            }
            id = new TableId(database, table);
        }
        if ((kind == SchemaChange.Kind.TABLE_CREATE || kind == SchemaChange.Kind.TABLE_ALTER) && def == null) {
            throw fail(type + " record has no \"def\"");
        }
        if (kind == SchemaChange.Kind.TABLE_ALTER && oldDef == null) {
            throw fail("table-alter record has no \"old\"");
        }
        return new SchemaChange(
                kind,
                database,
                id,
                kind.isTableLevel() ? def : null,
                kind == SchemaChange.Kind.TABLE_ALTER ? oldDef : null,
                charset,
                sql,
                meta(ts));
    }

    private void reparseOld() throws IOException {
        int base = curBase;
        int end = curEnd;
        curBase = base + oldStart;
        curEnd = base + oldEnd;
        try (JsonParser p = decoder.parser(cur, curBase, curEnd - curBase)) {
            p.nextToken();
            if (family == Family.DDL) {
                oldDef = readTableDef(p, DefNames.OLD);
            } else {
                oldRow = readRow(p);
            }
        } finally {
            curBase = base;
            curEnd = end;
        }
    }

    private EventMeta meta(long millis) {
        SourcePosition pos = null;
        if (position != null) {
            try {
                pos = SourcePosition.parse(position, xoffset, commit, gtid, decoder.recent()[RECENT_FILE]);
                decoder.recent()[RECENT_FILE] = pos.file();
            } catch (IllegalArgumentException e) {
                throw fail("bad \"position\": " + e.getMessage());
            }
        }
        return new EventMeta(millis, xid, xoffset, commit, pos, gtid, serverId, threadId, schemaId, pushTs, query, comment);
    }

    /**
     * The current string token, as the instance in the decoder's recent slot when the text is the
     * same, so that repeated names cost no allocation.
     */
    private String recentText(JsonParser p, int slot) throws IOException {
        String[] recent = decoder.recent();
        String last = recent[slot];
        // the same bytes between the quotes mean the same string: a repeated name is not even
        // decoded by Jackson
        if (last != null && JsonScan.sameString(cur, curBase + tokenOffset(p), curEnd, last) >= 0) {
            return last;
        }
        String text = p.getText();
        if (isPlain(text)) {
            recent[slot] = text; // only texts whose JSON form is their bytes between two quotes
        }
        return text;
    }

    /** True for printable ASCII without quote or backslash: its JSON string is its bytes, quoted. */
    private static boolean isPlain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private String requiredString(JsonParser p, JsonToken t, String name) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            throw mistyped(name, "a string", t);
        }
        return p.getText();
    }

    private String optionalString(JsonParser p, JsonToken t, String name) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t != JsonToken.VALUE_NULL) {
            throw mistyped(name, "a string", t);
        }
        return null;
    }

    private long longValue(JsonParser p, JsonToken t, String name) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw mistyped(name, "an integer", t);
        }
        JsonParser.NumberType nt = p.getNumberType();
        if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
            throw fail("field \"" + name + "\" out of range: " + p.getText());
        }
        return p.getLongValue();
    }

    private Long optionalLong(JsonParser p, JsonToken t, String name) throws IOException {
        return t == JsonToken.VALUE_NULL ? null : longValue(p, t, name);
    }

    /**
     * An array of values ({@code primary_key}). Like a row, it records where each value starts and
     * reads them once the parser has gone past the whole array, so every value was checked.
     */
    private List<Value> valueList(JsonParser p, JsonToken t, String name) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_ARRAY) {
            throw mistyped(name, "an array", t);
        }
        int[] starts = new int[4];
        int n = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (n == starts.length) {
                starts = Arrays.copyOf(starts, n * 2);
            }
            starts[n++] = curBase + tokenOffset(p);
            if (t.isStructStart()) {
                p.skipChildren();
            }
        }
        if (n == 1) {
            return List.of(Value.ofJson(cur, starts[0])); // the usual single-column key
        }
        Value[] values = new Value[n];
        for (int i = 0; i < n; i++) {
            values[i] = Value.ofJson(cur, starts[i]);
        }
        return List.of(values);
    }

    private List<String> stringList(JsonParser p, JsonToken t, String name) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_ARRAY) {
            throw mistyped(name, "an array of strings", t);
        }
        List<String> list = new ArrayList<>(2);
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING) {
                throw mistyped(name, "an array of strings", t);
            }
            list.add(p.getText());
        }
        return List.copyOf(list);
    }

    private DecodeException mistyped(String name, String expected, JsonToken t) {
        return fail("field \"" + name + "\" must be " + expected + ", not " + describe(t));
    }

    private DecodeException fail(String reason) {
        return DecodeException.of(reason, stream, offset, input, inputOff, inputLen, null);
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "the end of input";
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.toString();
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
