package io.greenwell.cdc.maxwell;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation of JSON text (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF, no truncated sequences, and no NUL byte (valid UTF-8, but JSON text never holds one
 * unescaped; it marks UTF-16 or UTF-32 input, which Jackson would otherwise detect and parse by
 * characters while the decoder slices values by bytes). Jackson alone accepts some of these (an overlong {@code C0 80} decodes
 * to U+0000) and never looks at the bytes of values it skips, so the decoder checks every record
 * once up front. ASCII, the common case, is checked eight bytes at a time, and a block with a
 * non-ASCII byte jumps straight to it.
 */
final class Utf8 {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long LOW_BITS = 0x0101010101010101L;

    private Utf8() {}

    /**
     * @param b the bytes
     * @param off the first byte to check
     * @param len how many bytes
     * @return the index of the first byte of the first invalid sequence, or -1 when all is valid
     */
    static int firstInvalid(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            if (i + 8 <= end) {
                long w = (long) LONGS.get(b, i);
                // the high bit of each non-ASCII byte, and of each zero byte
                long marks = (w | ((w - LOW_BITS) & ~w)) & HIGH_BITS;
                if (marks == 0) {
                    i += 8;
                    continue;
                }
                i += Long.numberOfTrailingZeros(marks) >>> 3; // jump to the first such byte of the block
            }
            int c = b[i] & 0xff;
            if (c == 0) {
                return i; // valid UTF-8, but never in JSON text: UTF-16 or UTF-32 input
            }
            if (c < 0x80) {
                i++;
            } else if (c < 0xc2) {
                return i; // continuation byte as a start, or overlong 2-byte form
            } else if (c < 0xe0) {
                if (i + 1 >= end || !cont(b[i + 1])) {
                    return i;
                }
                i += 2;
            } else if (c < 0xf0) {
                if (i + 2 >= end || !cont(b[i + 1]) || !cont(b[i + 2])) {
                    return i;
                }
                int c1 = b[i + 1] & 0xff;
                if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) {
                    return i; // overlong, or a UTF-16 surrogate
                }
                i += 3;
            } else if (c < 0xf5) {
                if (i + 3 >= end || !cont(b[i + 1]) || !cont(b[i + 2]) || !cont(b[i + 3])) {
                    return i;
                }
                int c1 = b[i + 1] & 0xff;
                if ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90)) {
                    return i; // overlong, or above U+10FFFF
                }
                i += 4;
            } else {
                return i;
            }
        }
        return -1;
    }

    private static boolean cont(byte b) {
        return (b & 0xc0) == 0x80;
    }
}
