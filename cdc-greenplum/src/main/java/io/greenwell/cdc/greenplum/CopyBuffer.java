package io.greenwell.cdc.greenplum;

import java.sql.SQLException;

/**
 * Rows in PostgreSQL's COPY text format (tab between fields, {@code \N} for NULL, backslash
 * escapes for backslash, tab, newline and carriage return), encoded to UTF-8 into one reusable
 * buffer that is handed to the COPY stream whenever it fills. One per target session; not
 * thread-safe.
 */
final class CopyBuffer {

    /** Where full buffers go: the COPY stream, or a test's byte array. */
    @FunctionalInterface
    interface Sink {
        void write(byte[] bytes, int offset, int length) throws SQLException;
    }

    /** What to do with U+0000, which PostgreSQL text cannot hold. */
    enum Nul {
        STRIP,
        REJECT
    }

    private static final int FLUSH_AT = 1 << 16;

    private byte[] buf = new byte[FLUSH_AT + 1024];
    private int len;
    private Sink sink;
    private long bytesWritten;

    /** Starts writing to a sink; anything buffered before is dropped. */
    void start(Sink sink) {
        this.sink = sink;
        this.len = 0;
    }

    /** Hands what is buffered to the sink. */
    void flush() throws SQLException {
        if (len > 0) {
            sink.write(buf, 0, len);
            bytesWritten += len;
            len = 0;
        }
    }

    /** Ends a row; flushes when the buffer is full enough. Called between rows only. */
    void endRow() throws SQLException {
        put((byte) '\n');
        if (len >= FLUSH_AT) {
            flush();
        }
    }

    /** @return bytes handed to sinks so far */
    long bytesWritten() {
        return bytesWritten;
    }

    void tab() {
        put((byte) '\t');
    }

    void nullValue() {
        ensure(2);
        buf[len++] = '\\';
        buf[len++] = 'N';
    }

    /** Writes ASCII text that needs no escaping (numbers, booleans, generated literals). */
    void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    void ascii(char c) {
        put((byte) c);
    }

    /**
     * Writes text escaped for COPY, as UTF-8.
     *
     * @throws ValueException for a lone surrogate, or a NUL under {@link Nul#REJECT}
     */
    void text(String s, Nul nul) {
        int n = s.length();
        ensure(n * 2);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\':
                        ensure(2);
                        buf[len++] = '\\';
                        buf[len++] = '\\';
                        break;
                    case '\t':
                        ensure(2);
                        buf[len++] = '\\';
                        buf[len++] = 't';
                        break;
                    case '\n':
                        ensure(2);
                        buf[len++] = '\\';
                        buf[len++] = 'n';
                        break;
                    case '\r':
                        ensure(2);
                        buf[len++] = '\\';
                        buf[len++] = 'r';
                        break;
                    case 0:
                        if (nul == Nul.REJECT) {
                            throw new ValueException("text holds a NUL character (U+0000), which PostgreSQL cannot store");
                        }
                        break;
                    default:
                        put((byte) c);
                }
            } else if (c < 0x800) {
                ensure(2);
                buf[len++] = (byte) (0xC0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    ensure(4);
                    buf[len++] = (byte) (0xF0 | (cp >> 18));
                    buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    buf[len++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    throw new ValueException("text holds a lone UTF-16 surrogate (\\u" + Integer.toHexString(c) + "), which is not a character");
                }
            } else {
                ensure(3);
                buf[len++] = (byte) (0xE0 | (c >> 12));
                buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    /**
     * Writes UTF-8 bytes escaped for COPY (backslash, tab, newline, carriage return): a JSON text
     * verbatim, or a JSON string's content that holds no escape.
     */
    void utf8(byte[] b, int from, int to) {
        ensure((to - from) * 2);
        for (int i = from; i < to; i++) {
            byte c = b[i];
            switch (c) {
                case '\\':
                    buf[len++] = '\\';
                    buf[len++] = '\\';
                    break;
                case '\t':
                    buf[len++] = '\\';
                    buf[len++] = 't';
                    break;
                case '\n':
                    buf[len++] = '\\';
                    buf[len++] = 'n';
                    break;
                case '\r':
                    buf[len++] = '\\';
                    buf[len++] = 'r';
                    break;
                default:
                    buf[len++] = c;
            }
        }
    }

    // ---- COPY's binary format ----

    /** The header of a binary COPY: its signature, no flags, no extension. */
    void binaryHeader() {
        ensure(19);
        for (byte b : BINARY_SIGNATURE) {
            buf[len++] = b;
        }
        int32(0);
        int32(0);
    }

    /** Ends a row of a binary COPY; flushes when the buffer is full enough. */
    void endBinaryRow() throws SQLException {
        if (len >= FLUSH_AT) {
            flush();
        }
    }

    void int16(int v) {
        ensure(2);
        buf[len++] = (byte) (v >> 8);
        buf[len++] = (byte) v;
    }

    void int32(int v) {
        ensure(4);
        buf[len++] = (byte) (v >> 24);
        buf[len++] = (byte) (v >> 16);
        buf[len++] = (byte) (v >> 8);
        buf[len++] = (byte) v;
    }

    void int64(long v) {
        int32((int) (v >> 32));
        int32((int) v);
    }

    /** Writes bytes as they are. */
    void bytes(byte[] b, int from, int to) {
        ensure(to - from);
        System.arraycopy(b, from, buf, len, to - from);
        len += to - from;
    }

    private static final byte[] BINARY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    /** Writes bytes as a bytea hex literal, escaped for COPY ({@code \\x0a1b...}). */
    void byteaHex(byte[] bytes) {
        ensure(3 + bytes.length * 2);
        buf[len++] = '\\';
        buf[len++] = '\\';
        buf[len++] = 'x';
        for (byte b : bytes) {
            buf[len++] = HEX[(b >> 4) & 0xF];
            buf[len++] = HEX[b & 0xF];
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            byte[] bigger = new byte[Math.max(buf.length * 2, len + extra + 1024)];
            System.arraycopy(buf, 0, bigger, 0, len);
            buf = bigger;
        }
    }
}
