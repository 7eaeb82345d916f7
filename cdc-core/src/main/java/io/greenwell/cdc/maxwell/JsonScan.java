package io.greenwell.cdc.maxwell;

/**
 * Strict JSON scanning over UTF-8 bytes for the decoder's fast path: each method checks the
 * grammar exactly as far as it reads (RFC 8259, as Jackson's defaults accept it) and returns the
 * offset after what it read. Anything it does not accept, valid or not, throws {@link #BAIL}, and
 * the decoder then reads the record with Jackson, which either accepts it or names the error.
 * Non-ASCII bytes are accepted only inside strings, which are then checked to be valid UTF-8, so a
 * record read to its end is valid UTF-8 throughout.
 */
final class JsonScan {

    /** Thrown to leave the fast path; preallocated, without a stack trace. */
    static final Bail BAIL = new Bail();

    /** Nested values deeper than this are left to Jackson (which enforces its own limit). */
    private static final int MAX_DEPTH = 64;

    /**
     * Names longer than this many bytes are left to Jackson, which refuses names of more than
     * 50,000 characters (its default); a name has at least as many bytes as characters.
     */
    private static final int MAX_NAME = 50_000;

    /** Numbers longer than this are left to Jackson (which enforces the decoder's limit). */
    private static final int MAX_NUMBER = 1000;

    /** Leaves the fast path. */
    static final class Bail extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private Bail() {
            super("not on the fast path", null, false, false);
        }
    }

    private JsonScan() {}

    /** @return the offset of the first byte at or after {@code i} that is not JSON whitespace */
    static int ws(byte[] b, int i, int end) {
        while (i < end) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return i;
            }
            i++;
        }
        return i;
    }

    /** @return {@code i + 1} when {@code b[i]} is {@code c}; bails otherwise */
    static int expect(byte[] b, int i, int end, char c) {
        if (i >= end || b[i] != c) {
            throw BAIL;
        }
        return i + 1;
    }

    /**
     * A string without escapes whose opening quote is at {@code i}, such as a field name.
     *
     * @return the offset of its closing quote; bails on an escape or a control character
     */
    static int plainStringEnd(byte[] b, int i, int end) {
        if (i >= end || b[i] != '"') {
            throw BAIL;
        }
        int start = ++i;
        while (i < end) {
            byte c = b[i];
            if (c == '"') {
                if (i - start > MAX_NAME) {
                    throw BAIL;
                }
                return i;
            }
            if (c == '\\' || c < 0x20) { // an escape, a control character or a non-ASCII byte
                throw BAIL;
            }
            i++;
        }
        throw BAIL;
    }

    /**
     * A string that {@code text} is, written without escapes, whose opening quote is at {@code i}.
     *
     * @return the offset of its closing quote, or -1 when the bytes there are not that string
     */
    static int sameString(byte[] b, int i, int end, String text) {
        int len = text.length();
        int close = i + 1 + len;
        if (close >= end || b[i] != '"' || b[close] != '"') {
            return -1;
        }
        for (int k = 0; k < len; k++) {
            char c = text.charAt(k);
            // only printable ASCII stands for itself in a JSON string (a name decoded from escapes
            // may hold a quote, a backslash or a control character)
            if (b[i + 1 + k] != c || c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return -1;
            }
        }
        return close;
    }

    /**
     * @param start where the value begins (not whitespace)
     * @return the offset after the value: a string, number, literal, object or array
     */
    static int value(byte[] b, int start, int end) {
        return value(b, start, end, 0);
    }

    private static int value(byte[] b, int i, int end, int depth) {
        if (i >= end) {
            throw BAIL;
        }
        byte c = b[i];
        switch (c) {
            case '"':
                return string(b, i, end);
            case '{':
                return object(b, i, end, depth + 1);
            case '[':
                return array(b, i, end, depth + 1);
            case 't':
                return literal(b, i, end, "true");
            case 'f':
                return literal(b, i, end, "false");
            case 'n':
                return literal(b, i, end, "null");
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number(b, i, end);
                }
                throw BAIL;
        }
    }

    /** @return the offset after a string with any escapes, whose opening quote is at {@code i} */
    static int string(byte[] b, int i, int end) {
        int start = ++i;
        boolean ascii = true;
        while (i < end) {
            byte c = b[i];
            if (c == '"') {
                if (!ascii && Utf8.firstInvalid(b, start, i - start) >= 0) {
                    throw BAIL;
                }
                return i + 1;
            }
            if (c == '\\') {
                if (i + 1 >= end) {
                    throw BAIL;
                }
                byte e = b[i + 1];
                if (e == 'u') {
                    if (i + 6 > end) {
                        throw BAIL;
                    }
                    for (int k = i + 2; k < i + 6; k++) {
                        if (Character.digit(b[k], 16) < 0) {
                            throw BAIL;
                        }
                    }
                    i += 6;
                    continue;
                }
                if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
                    throw BAIL;
                }
                i += 2;
                continue;
            }
            if (c < 0x20) {
                if (c >= 0) {
                    throw BAIL; // a control character
                }
                ascii = false;
            }
            i++;
        }
        throw BAIL;
    }

    /**
     * A key of a nested object, whose opening quote is at {@code i}. Jackson checks names more
     * than values (their length, and surrogate escapes in pairs), so a key with an escape or of
     * more than {@link #MAX_NAME} bytes is left to it.
     *
     * @return the offset after its closing quote
     */
    private static int key(byte[] b, int i, int end) {
        if (i >= end || b[i] != '"') {
            throw BAIL;
        }
        int start = i + 1;
        for (int k = start; k < end; k++) {
            byte c = b[k];
            if (c == '"') {
                if (k - start > MAX_NAME) {
                    throw BAIL;
                }
                return string(b, i, end); // checks the UTF-8 of a non-ASCII key
            }
            if (c == '\\') {
                throw BAIL;
            }
        }
        throw BAIL;
    }

    /**
     * A JSON number: {@code -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?}, followed by a
     * delimiter.
     *
     * @return the offset after it
     */
    static int number(byte[] b, int i, int end) {
        int start = i;
        if (i < end && b[i] == '-') {
            i++;
        }
        if (i >= end) {
            throw BAIL;
        }
        if (b[i] == '0') {
            i++;
        } else if (b[i] >= '1' && b[i] <= '9') {
            i = digits(b, i, end);
        } else {
            throw BAIL;
        }
        if (i < end && b[i] == '.') {
            int d = digits(b, i + 1, end);
            if (d == i + 1) {
                throw BAIL;
            }
            i = d;
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int d = digits(b, i, end);
            if (d == i) {
                throw BAIL;
            }
            i = d;
        }
        if (i - start > MAX_NUMBER) {
            throw BAIL;
        }
        delimiter(b, i, end);
        return i;
    }

    private static int digits(byte[] b, int i, int end) {
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i;
    }

    private static int literal(byte[] b, int i, int end, String word) {
        int n = word.length();
        if (i + n > end) {
            throw BAIL;
        }
        for (int k = 0; k < n; k++) {
            if (b[i + k] != word.charAt(k)) {
                throw BAIL;
            }
        }
        delimiter(b, i + n, end);
        return i + n;
    }

    /** A number or literal must be followed by whitespace, a separator, a closer or the end. */
    private static void delimiter(byte[] b, int i, int end) {
        if (i < end) {
            byte c = b[i];
            if (c != ',' && c != '}' && c != ']' && c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                throw BAIL;
            }
        }
    }

    private static int object(byte[] b, int i, int end, int depth) {
        if (depth > MAX_DEPTH) {
            throw BAIL;
        }
        i = ws(b, i + 1, end);
        if (i < end && b[i] == '}') {
            return i + 1;
        }
        while (true) {
            i = ws(b, key(b, i, end), end);
            i = ws(b, expect(b, i, end, ':'), end);
            i = ws(b, value(b, i, end, depth), end);
            if (i >= end) {
                throw BAIL;
            }
            if (b[i] == '}') {
                return i + 1;
            }
            i = ws(b, expect(b, i, end, ','), end);
        }
    }

    private static int array(byte[] b, int i, int end, int depth) {
        if (depth > MAX_DEPTH) {
            throw BAIL;
        }
        i = ws(b, i + 1, end);
        if (i < end && b[i] == ']') {
            return i + 1;
        }
        while (true) {
            i = ws(b, value(b, i, end, depth), end);
            if (i >= end) {
                throw BAIL;
            }
            if (b[i] == ']') {
                return i + 1;
            }
            i = ws(b, expect(b, i, end, ','), end);
        }
    }

    /**
     * An integer field of the envelope ({@code ts}, {@code xid}...): digits with an optional minus,
     * at most 18 of them so that it fits a long; anything else is left to Jackson.
     *
     * @param start where the number begins
     * @param after the offset after it, from {@link #number}
     * @return its value
     */
    static long smallLong(byte[] b, int start, int after) {
        int i = start;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        if (after - i > 18 || after == i) {
            throw BAIL;
        }
        long v = 0;
        for (; i < after; i++) {
            byte c = b[i];
            if (c < '0' || c > '9') {
                throw BAIL; // a fraction or an exponent
            }
            v = v * 10 + (c - '0');
        }
        return negative ? -v : v;
    }

    /** @return true when {@code b[start, start + word.length())} holds exactly {@code word} */
    static boolean equalsAscii(byte[] b, int start, int len, String word) {
        if (len != word.length()) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (b[start + k] != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
