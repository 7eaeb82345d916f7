package io.greenwell.cdc.event;

import java.nio.charset.StandardCharsets;

/**
 * Reads one JSON value of a text that was validated before (by a JSON parser) into a {@link Value},
 * exactly as a parser would have given it: a string decoded, a number or an embedded object or
 * array as its exact text. It never checks the syntax again, so it must only be given values that
 * a parser accepted; on anything else it throws {@link IllegalStateException}.
 */
final class JsonValues {

    /** The numbers 0 to 1023, which are most of the integers in real streams. */
    private static final Value.Numeric[] SMALL_INTS = new Value.Numeric[1024];

    static {
        for (int i = 0; i < SMALL_INTS.length; i++) {
            SMALL_INTS[i] = new Value.Numeric(Integer.toString(i));
        }
    }

    private JsonValues() {}

    /**
     * @param b the JSON text, UTF-8
     * @param at where the value's first byte is
     * @return the value
     */
    static Value read(byte[] b, int at) {
        byte c = b[at];
        switch (c) {
            case '"':
                return new Value.Text(string(b, at));
            case 'n':
                return Value.NULL;
            case 't':
                return Value.TRUE;
            case 'f':
                return Value.FALSE;
            case '{':
            case '[':
                return new Value.Json(new String(b, at, end(b, at) - at, StandardCharsets.UTF_8));
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number(b, at);
                }
                throw new IllegalStateException("not the start of a JSON value at byte " + at);
        }
    }

    /**
     * @param b the JSON text
     * @param at where the value's first byte is
     * @return the offset just after the value (for a string, after its closing quote)
     */
    static int end(byte[] b, int at) {
        byte c = b[at];
        if (c == '"') {
            return stringEnd(b, at);
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            int i = at;
            while (true) {
                byte x = b[i];
                if (x == '"') {
                    i = stringEnd(b, i);
                    continue;
                }
                if (x == '{' || x == '[') {
                    depth++;
                } else if ((x == '}' || x == ']') && --depth == 0) {
                    return i + 1;
                }
                i++;
            }
        }
        int i = at + 1;
        while (i < b.length && isNumberOrWordByte(b[i])) {
            i++;
        }
        return i;
    }

    private static boolean isNumberOrWordByte(byte x) {
        return (x >= '0' && x <= '9') || (x >= 'a' && x <= 'z') || x == '.' || x == 'E' || x == '+' || x == '-';
    }

    private static Value.Numeric number(byte[] b, int at) {
        int end = end(b, at);
        int len = end - at;
        if (len <= 4 && b[at] != '-') {
            // JSON has no leading zeros, so digits only give the canonical text
            int v = 0;
            for (int i = at; i < end && v >= 0; i++) {
                int d = b[i] - '0';
                v = d >= 0 && d <= 9 ? v * 10 + d : -1;
            }
            if (v >= 0 && v < SMALL_INTS.length) {
                return SMALL_INTS[v];
            }
        }
        return new Value.Numeric(new String(b, at, len, StandardCharsets.ISO_8859_1));
    }

    /** The offset after the closing quote of the string whose opening quote is at {@code at}. */
    private static int stringEnd(byte[] b, int at) {
        int i = at + 1;
        while (true) {
            byte x = b[i];
            if (x == '"') {
                return i + 1;
            }
            i += x == '\\' ? 2 : 1;
        }
    }

    private static String string(byte[] b, int at) {
        int start = at + 1;
        int i = start;
        byte x;
        while ((x = b[i]) != '"') {
            if (x == '\\') {
                return escaped(b, start);
            }
            i++;
        }
        return new String(b, start, i - start, StandardCharsets.UTF_8);
    }

    private static String escaped(byte[] b, int start) {
        StringBuilder sb = new StringBuilder(32);
        int i = start;
        int run = start;
        while (true) {
            byte x = b[i];
            if (x == '"') {
                sb.append(new String(b, run, i - run, StandardCharsets.UTF_8));
                return sb.toString();
            }
            if (x != '\\') {
                i++;
                continue;
            }
            sb.append(new String(b, run, i - run, StandardCharsets.UTF_8));
            byte e = b[i + 1];
            i += 2;
            switch (e) {
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u':
                    sb.append((char) Integer.parseInt(new String(b, i, 4, StandardCharsets.ISO_8859_1), 16));
                    i += 4;
                    break;
                default: sb.append((char) e); break; // '"', '\\' and '/'
            }
            run = i;
        }
    }
}
