package io.greenwell.cdc.greenplum;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Target identifiers. A MySQL name is kept exactly (case, spaces, quotes, unicode), always quoted,
 * never folded. PostgreSQL and Greenplum cut names at 63 bytes, so a longer name keeps as much of
 * its beginning as fits and ends in {@code _} and 8 hex digits of the SHA-256 of the whole name:
 * stable across runs, and two long names that share a prefix stay apart.
 */
final class Names {

    /** NAMEDATALEN - 1. */
    static final int MAX_BYTES = 63;

    private static final int SUFFIX = 9;

    private Names() {}

    /**
     * @param name a MySQL name, never null
     * @return the target name: the same when it fits in 63 bytes of UTF-8
     */
    static String target(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_BYTES) {
            return name;
        }
        int budget = MAX_BYTES - SUFFIX;
        int bytes = 0;
        int end = 0;
        while (end < name.length()) {
            int cp = name.codePointAt(end);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > budget) {
                break;
            }
            bytes += len;
            end += Character.charCount(cp);
        }
        return name.substring(0, end) + "_" + hash(utf8);
    }

    /**
     * @param name a target name, never null
     * @return it as a quoted identifier
     */
    static String quote(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 2).append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"') {
                sb.append('"');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /**
     * @param schema a target schema, never null
     * @param table a target table, never null
     * @return {@code "schema"."table"}
     */
    static String qualify(String schema, String table) {
        return quote(schema) + "." + quote(table);
    }

    private static String hash(byte[] utf8) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(utf8);
            StringBuilder sb = new StringBuilder(8);
            for (int i = 0; i < 4; i++) {
                sb.append(Character.forDigit((d[i] >> 4) & 0xF, 16)).append(Character.forDigit(d[i] & 0xF, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
