package io.greenwell.cdc.greenplum;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON object's members as the exact text of each value, so that an archived row image can be
 * taken apart and put together again without a number or a string passing through Java values
 * (nothing is rounded or re-escaped).
 */
final class JsonMembers {

    private static final JsonFactory JSON = new JsonFactory();

    private JsonMembers() {}

    /**
     * @param object a JSON object's text, or null
     * @return its members in order, name to the value's exact text; empty for null or {@code null}
     * @throws IllegalArgumentException when the text is not a JSON object
     */
    static Map<String, String> of(String object) {
        Map<String, String> out = new LinkedHashMap<>();
        if (object == null || object.equals("null")) {
            return out;
        }
        try (JsonParser p = JSON.createParser(object)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object: " + snippet(object));
            }
            // a value runs from its first token to where the next member (or the end) starts: the
            // parser reads strings lazily, so its position right after a value says nothing
            String name = null;
            int start = -1;
            for (JsonToken t = p.nextToken(); ; t = p.nextToken()) {
                if (t == null) {
                    throw new IllegalArgumentException("not a JSON object: " + snippet(object));
                }
                int at = (int) p.currentTokenLocation().getCharOffset();
                if (name != null) {
                    out.put(name, value(object, start, at));
                    name = null;
                }
                if (t == JsonToken.END_OBJECT) {
                    break;
                }
                name = p.currentName();
                p.nextToken();
                start = (int) p.currentTokenLocation().getCharOffset();
                p.skipChildren();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON object: " + snippet(object), e);
        }
        return out;
    }

    /**
     * @param array a JSON array's text, never null
     * @return the exact text of each element, in order
     * @throws IllegalArgumentException when the text is not a JSON array
     */
    static List<String> elements(String array) {
        List<String> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(array)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("not a JSON array: " + snippet(array));
            }
            int start = -1;
            for (JsonToken t = p.nextToken(); ; t = p.nextToken()) {
                if (t == null) {
                    throw new IllegalArgumentException("not a JSON array: " + snippet(array));
                }
                int at = (int) p.currentTokenLocation().getCharOffset();
                if (start >= 0) {
                    out.add(value(array, start, at));
                }
                if (t == JsonToken.END_ARRAY) {
                    break;
                }
                start = at;
                p.skipChildren();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON array: " + snippet(array), e);
        }
        return out;
    }

    /** @return the members written as a JSON object */
    static String write(Map<String, String> members) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, String> e : members.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            quote(sb, e.getKey());
            sb.append(':').append(e.getValue());
        }
        return sb.append('}').toString();
    }

    /** Appends a string as a JSON string. */
    static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"');
    }

    /**
     * @param value a JSON value's text, or null
     * @return the string it holds when it is a JSON string, else the text itself; null for null or {@code null}
     */
    static String text(String value) {
        if (value == null || value.equals("null")) {
            return null;
        }
        if (!value.startsWith("\"")) {
            return value;
        }
        try (JsonParser p = JSON.createParser(value)) {
            p.nextToken();
            return p.getText();
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON value: " + snippet(value), e);
        }
    }

    /** @return the text from a value's start to where the next token starts, without the comma and whitespace between */
    private static String value(String text, int start, int next) {
        int end = next;
        while (end > start && (Character.isWhitespace(text.charAt(end - 1)) || text.charAt(end - 1) == ',')) {
            end--;
            if (text.charAt(end) == ',') {
                break;
            }
        }
        return text.substring(start, end).strip();
    }

    private static String snippet(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
