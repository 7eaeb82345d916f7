package io.greenwell.cdc.opensearch;

import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.event.Value;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * Document ids from primary-key values: {@code <database>.<table>/} and then the key's values, in
 * key order, each as the text Maxwell wrote (numbers as written, in plain notation when Maxwell used
 * an exponent; strings as they are; binary as its base64), joined by {@code |}. Inside a value,
 * {@code \} and {@code |} are escaped by {@code \}; inside the names, {@code \}, {@code .} and
 * {@code /}, so the prefix ends unambiguously at the first unescaped {@code /}. Every id names its
 * table, also in an index of its own: two tables whose index names come out the same (they differ
 * only in case, or in characters an index name cannot hold) share the index, not the ids. An id
 * longer than the engine's 512 bytes becomes the prefix, {@code #} and the URL-safe base64 of the
 * SHA-256 of the key part.
 */
final class DocIds {

    static final int MAX_BYTES = 512;

    private DocIds() {}

    /**
     * @param table the row's table, never null
     * @param keyColumns the key columns in key order, never empty
     * @param row a row holding every key column, never null
     * @return the id, never null
     * @throws IllegalArgumentException when a key column is absent or NULL
     */
    static String of(TableId table, List<String> keyColumns, Row row) {
        StringBuilder key = new StringBuilder(32);
        for (int i = 0; i < keyColumns.size(); i++) {
            Value v = row.get(keyColumns.get(i));
            if (v == null || v == Value.NULL) {
                throw new IllegalArgumentException("key column " + keyColumns.get(i) + " of " + table + " is " + (v == null ? "absent" : "NULL"));
            }
            if (i > 0) {
                key.append('|');
            }
            escape(key, text(v), "|\\");
        }
        String prefix = prefix(table);
        String id = prefix + key;
        if (id.length() * 3 <= MAX_BYTES || id.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
            return id;
        }
        return prefix + '#' + sha256(key.toString());
    }

    /** @return the prefix of the ids of a table */
    static String prefix(TableId table) {
        StringBuilder b = new StringBuilder(table.database().length() + table.table().length() + 2);
        escape(b, table.database(), "./\\");
        b.append('.');
        escape(b, table.table(), "./\\");
        return b.append('/').toString();
    }

    private static String text(Value v) {
        if (v instanceof Value.Text) {
            return ((Value.Text) v).text();
        } else if (v instanceof Value.Numeric) {
            String n = ((Value.Numeric) v).text();
            return n.indexOf('E') < 0 && n.indexOf('e') < 0 ? n : new java.math.BigDecimal(n).toPlainString();
        } else if (v instanceof Value.Bool) {
            return ((Value.Bool) v).value() ? "true" : "false";
        }
        return ((Value.Json) v).json();
    }

    private static void escape(StringBuilder out, String s, String special) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (special.indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
    }

    /** @return the URL-safe base64 of the SHA-256 of the text's UTF-8 */
    static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }
}
