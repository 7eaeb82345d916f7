package io.greenwell.cdc.binlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonBinary;
import io.greenwell.cdc.CdcException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;

/**
 * Writes one row of a rows event as Maxwell's JSON record, in two halves that a transaction joins
 * when it commits: the head ({@code database}, {@code table}, {@code type}, {@code ts}) and the
 * tail ({@code position}, {@code gtid}, {@code server_id}, {@code primary_key_columns},
 * {@code data}, {@code old}), with {@code xid}, {@code xoffset} and {@code commit} between them.
 * Values are rendered as Maxwell renders them (see the module's README for where they differ).
 */
final class RowJson {

    private static final JsonFactory JSON = new JsonFactory();
    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private static final SerializedString DATABASE = new SerializedString("database");
    private static final SerializedString TABLE = new SerializedString("table");
    private static final SerializedString TYPE = new SerializedString("type");
    private static final SerializedString TS = new SerializedString("ts");
    private static final SerializedString POSITION = new SerializedString("position");
    private static final SerializedString GTID = new SerializedString("gtid");
    private static final SerializedString SERVER_ID = new SerializedString("server_id");
    private static final SerializedString PRIMARY_KEY_COLUMNS = new SerializedString("primary_key_columns");
    private static final SerializedString DATA = new SerializedString("data");
    private static final SerializedString OLD = new SerializedString("old");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    private JsonGenerator generator;
    private final StringBuilder text = new StringBuilder(32);

    /** The two halves of a row's record. */
    record Halves(byte[] head, byte[] tail) {
        long bytes() {
            return head.length + tail.length;
        }
    }

    /**
     * @param type {@code insert}, {@code update} or {@code delete}
     * @param beforeColumns the columns in {@code before}, or null without a before image
     * @param afterColumns the columns in {@code after}, or null without an after image
     */
    Halves row(TableColumns t, String type, BitSet beforeColumns, Serializable[] before, BitSet afterColumns, Serializable[] after,
            long tsSeconds, String position, String gtid, long serverId) {
        try {
            JsonGenerator g = generator();
            g.writeStartObject();
            g.writeFieldName(DATABASE);
            g.writeString(t.jsonDatabase);
            g.writeFieldName(TABLE);
            g.writeString(t.jsonTable);
            g.writeFieldName(TYPE);
            g.writeString(type);
            g.writeFieldName(TS);
            g.writeNumber(tsSeconds);
            g.writeEndObject();
            byte[] head = take(g);
            g.writeStartObject();
            g.writeFieldName(POSITION);
            g.writeString(position);
            if (gtid != null) {
                g.writeFieldName(GTID);
                g.writeString(gtid);
            }
            g.writeFieldName(SERVER_ID);
            g.writeNumber(serverId);
            g.writeFieldName(PRIMARY_KEY_COLUMNS);
            g.writeStartArray();
            for (String k : t.primaryKey) {
                g.writeString(k);
            }
            g.writeEndArray();
            int n = t.names.length;
            int[] bi = indexes(beforeColumns, n);
            int[] ai = indexes(afterColumns, n);
            g.writeFieldName(DATA);
            g.writeStartObject();
            for (int i = 0; i < n; i++) {
                if (ai != null && ai[i] >= 0) {
                    value(g, t, i, after[ai[i]]);
                } else if (bi != null && bi[i] >= 0) {
                    value(g, t, i, before[bi[i]]);
                }
            }
            g.writeEndObject();
            if (ai != null && bi != null) {
                boolean open = false;
                for (int i = 0; i < n; i++) {
                    if (ai[i] >= 0 && bi[i] >= 0 && !same(after[ai[i]], before[bi[i]])) {
                        if (!open) {
                            g.writeFieldName(OLD);
                            g.writeStartObject();
                            open = true;
                        }
                        value(g, t, i, before[bi[i]]);
                    }
                }
                if (open) {
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
            return new Halves(head, take(g));
        } catch (IOException | RuntimeException e) {
            generator = null; // a generator left inside an object is not used again
            if (e instanceof CdcException ce) {
                throw ce;
            }
            throw new CdcException("cannot write a row of " + t.database + "." + t.table + " at " + position + ": " + e.getMessage(), e);
        }
    }

    /** One generator for every record this writer writes: a record is a root value of its own, with no separator between. */
    private JsonGenerator generator() throws IOException {
        if (generator == null) {
            out.reset();
            generator = JSON.createGenerator(out);
            generator.setRootValueSeparator(null);
        }
        return generator;
    }

    /** @return what the generator wrote since the last call, and starts the next record */
    private byte[] take(JsonGenerator g) throws IOException {
        g.flush();
        byte[] b = out.toByteArray();
        out.reset();
        return b;
    }

    /** @return for each column its index in the image's values, or -1; null without an image */
    private static int[] indexes(BitSet columns, int n) {
        if (columns == null) {
            return null;
        }
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            out[i] = columns.get(i) ? k++ : -1;
        }
        return out;
    }

    private static boolean same(Serializable a, Serializable b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        return a == null ? b == null : a.equals(b);
    }

    private final Wkt wkt = new Wkt();

    private void value(JsonGenerator g, TableColumns t, int i, Serializable v) throws IOException {
        g.writeFieldName(t.jsonNames[i]);
        if (v == null) {
            g.writeNull();
            return;
        }
        int type = t.types[i];
        switch (type) {
            case TableColumns.TINY: case TableColumns.SHORT: case TableColumns.INT24: case TableColumns.LONG: {
                long x = ((Number) v).longValue();
                if (t.unsigned[i] && x < 0) {
                    int bits = type == TableColumns.TINY ? 8 : type == TableColumns.SHORT ? 16 : type == TableColumns.INT24 ? 24 : 32;
                    x += 1L << bits;
                }
                g.writeNumber(x);
                return;
            }
            case TableColumns.LONGLONG: {
                long x = ((Number) v).longValue();
                if (t.unsigned[i] && x < 0) {
                    g.writeNumber(BigInteger.valueOf(x).add(BigInteger.ONE.shiftLeft(64)));
                } else {
                    g.writeNumber(x);
                }
                return;
            }
            case TableColumns.YEAR: {
                int y = ((Number) v).intValue();
                g.writeNumber(y == 1900 ? 0 : y); // the connector reads YEAR 0000 as 1900, a year YEAR cannot hold
                return;
            }
            case TableColumns.NEWDECIMAL: case TableColumns.DECIMAL:
                g.writeNumber((BigDecimal) v);
                return;
            case TableColumns.FLOAT:
                g.writeNumber((Float) v);
                return;
            case TableColumns.DOUBLE:
                g.writeNumber((Double) v);
                return;
            case TableColumns.BIT: {
                long[] words = ((BitSet) v).toLongArray();
                long x = words.length == 0 ? 0 : words[0];
                if (x < 0) {
                    g.writeNumber(BigInteger.valueOf(x).add(BigInteger.ONE.shiftLeft(64)));
                } else {
                    g.writeNumber(x);
                }
                return;
            }
            case TableColumns.DATE: {
                long micros = (Long) v;
                g.writeString(micros == Long.MIN_VALUE ? "0000-00-00" : date(micros));
                return;
            }
            case TableColumns.DATETIME: case TableColumns.DATETIME2: case TableColumns.TIMESTAMP: case TableColumns.TIMESTAMP2: {
                long micros = (Long) v;
                boolean timestamp = type == TableColumns.TIMESTAMP || type == TableColumns.TIMESTAMP2;
                int fsp = type == TableColumns.DATETIME2 || type == TableColumns.TIMESTAMP2 ? t.meta[i] : 0;
                g.writeString(micros == Long.MIN_VALUE || (timestamp && micros == 0) ? zeroDateTime(fsp) : dateTime(micros, fsp));
                return;
            }
            case TableColumns.TIME: case TableColumns.TIME2: {
                long micros = (Long) v;
                int fsp = type == TableColumns.TIME2 ? t.meta[i] : 0;
                g.writeString(micros == Long.MIN_VALUE ? zeroTime(fsp) : time(micros, fsp));
                return;
            }
            case TableColumns.ENUM: {
                int index = ((Number) v).intValue();
                String[] values = t.enumValues[i];
                g.writeString(index <= 0 || index > values.length ? "" : values[index - 1]);
                return;
            }
            case TableColumns.SET: {
                long mask = ((Number) v).longValue();
                String[] values = t.setValues[i];
                g.writeStartArray();
                for (int k = 0; k < values.length; k++) {
                    if ((mask & (1L << k)) != 0) {
                        g.writeString(values[k]);
                    }
                }
                g.writeEndArray();
                return;
            }
            case TableColumns.JSON: {
                byte[] b = (byte[]) v;
                if (b.length == 0) {
                    g.writeNull();
                } else {
                    g.writeRawValue(JsonBinary.parseAsString(b));
                }
                return;
            }
            case TableColumns.GEOMETRY: {
                byte[] b = (byte[]) v;
                try {
                    g.writeString(wkt.render(b));
                } catch (CdcException e) {
                    throw new CdcException("column " + t.database + "." + t.table + "." + t.names[i] + ": " + e.getMessage(), e);
                }
                return;
            }
            default:
                if (t.strings[i]) {
                    byte[] b = v instanceof byte[] x ? x : v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    if (t.charsets[i] == null) {
                        g.writeString(Base64.getEncoder().encodeToString(b));
                    } else if (t.jsonText[i]) {
                        g.writeRawValue(new String(b, t.charsets[i])); // the server checked it with json_valid
                    } else {
                        g.writeString(new String(b, t.charsets[i]));
                    }
                    return;
                }
                throw new CdcException("column " + t.database + "." + t.table + "." + t.names[i] + " has binlog type " + type
                        + ", which the binlog source cannot render");
        }
    }

    /**
     * The connector turns DATE and DATETIME fields into epoch microseconds with a Gregorian
     * calendar that is Julian before October 1582, so they are read back the same way (a
     * proleptic calendar would move 1000-01-01 by five days).
     */
    private final java.util.GregorianCalendar calendar = new java.util.GregorianCalendar(java.util.TimeZone.getTimeZone("UTC"));

    private String date(long micros) {
        text.setLength(0);
        ymd(micros);
        return text.toString();
    }

    private long cachedDay = Long.MIN_VALUE;
    private String cachedYmd;

    /** Appends {@code YYYY-MM-DD}; the calendar is asked once per day in a row (rows of a batch share their days). */
    private void ymd(long micros) {
        long day = Math.floorDiv(micros, MICROS_PER_DAY);
        if (day != cachedDay) {
            int mark = text.length();
            calendar.setTimeInMillis(Math.floorDiv(micros, 1000L));
            pad(calendar.get(java.util.Calendar.YEAR), 4).append('-');
            pad(calendar.get(java.util.Calendar.MONTH) + 1, 2).append('-');
            pad(calendar.get(java.util.Calendar.DAY_OF_MONTH), 2);
            cachedYmd = text.substring(mark);
            cachedDay = day;
            return;
        }
        text.append(cachedYmd);
    }

    private String dateTime(long micros, int fsp) {
        text.setLength(0);
        ymd(micros);
        text.append(' ');
        long inDay = Math.floorMod(micros, MICROS_PER_DAY);
        clock(inDay / 3_600_000_000L, inDay % 1_000_000L, inDay, fsp);
        return text.toString();
    }

    private String time(long micros, int fsp) {
        text.setLength(0);
        if (micros < 0) {
            text.append('-'); // a negative TIME, as the server writes it: -01:02:03.000004
            micros = -micros;
        }
        clock(micros / 3_600_000_000L, micros % 1_000_000L, micros, fsp);
        return text.toString();
    }

    /** Appends {@code HH:MM:SS[.f]}: the hours may exceed 24 (TIME). */
    private void clock(long hours, long fraction, long micros, int fsp) {
        pad((int) hours, 2).append(':');
        pad((int) (micros / 60_000_000L % 60), 2).append(':');
        pad((int) (micros / 1_000_000L % 60), 2);
        if (fsp > 0) {
            String f = Long.toString(1_000_000L + fraction).substring(1);
            text.append('.').append(f, 0, Math.min(6, fsp));
        }
    }

    private static String zeroDateTime(int fsp) {
        return "0000-00-00 00:00:00" + (fsp > 0 ? "." + "0".repeat(fsp) : "");
    }

    private static String zeroTime(int fsp) {
        return "00:00:00" + (fsp > 0 ? "." + "0".repeat(fsp) : "");
    }

    private StringBuilder pad(int v, int width) {
        String s = Integer.toString(v);
        for (int k = s.length(); k < width; k++) {
            text.append('0');
        }
        return text.append(s);
    }
}
