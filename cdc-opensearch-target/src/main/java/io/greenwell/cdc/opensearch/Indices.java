package io.greenwell.cdc.opensearch;

import io.greenwell.cdc.event.TableId;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Index names and index-level requests. A table's index is the shared index, or the per-table
 * template with {@code {db}} and {@code {table}} replaced, lower-cased, and every character an index
 * name cannot hold ({@code \ / * ? " < > | , #}, space, and a leading {@code - _ +}) replaced by
 * {@code _}. Two tables whose names differ only in case or in such characters share an index; their
 * documents stay apart because every id carries its table ({@link DocIds}). A template must start
 * with a literal prefix ({@code mysql.{db}.{table}}), which names the index template's pattern.
 */
final class Indices {

    private final String shared;
    private final String template;

    /**
     * @param shared the one index of every table, or null when {@code template} is used
     * @param template the per-table template, or null
     */
    Indices(String shared, String template) {
        this.shared = shared;
        this.template = template;
        if (template != null && (template.startsWith("{") || sanitize(template.substring(0, template.indexOf('{') < 0 ? template.length()
                : template.indexOf('{'))).replace("_", "").isEmpty())) {
            throw new IllegalArgumentException("an index template must start with a literal prefix (mysql.{db}.{table}), so that its"
                    + " pattern does not match other indices: " + template);
        }
    }

    /** @return the index of a table's documents */
    String of(TableId t) {
        if (template == null) {
            return shared;
        }
        return sanitize(template.replace("{db}", t.database()).replace("{table}", t.table()));
    }

    /** @return the pattern of every index this target writes rows to, for the index template */
    String pattern() {
        if (template == null) {
            return shared;
        }
        int brace = template.indexOf('{');
        return sanitize(brace < 0 ? template : template.substring(0, brace)) + "*";
    }

    static String sanitize(String name) {
        StringBuilder b = new StringBuilder(name.length());
        String lower = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            boolean bad = "\\/*?\"<>|,# :".indexOf(c) >= 0 || (i == 0 && "-_+".indexOf(c) >= 0);
            b.append(bad ? '_' : c);
        }
        String s = b.toString();
        if (s.isEmpty() || s.equals(".") || s.equals("..")) {
            return "_" + s;
        }
        return s;
    }

    /** Creates an index unless it exists. */
    static void create(Engine engine, String index, String body) {
        Engine.Reply r = engine.expect("PUT", "/" + index, body.getBytes(StandardCharsets.UTF_8), "creating index " + index, 400);
        if (r.status() == 400 && !r.body().path("error").path("type").asText().equals("resource_already_exists_exception")) {
            throw new io.greenwell.cdc.ApplyException("creating index " + index + " failed: " + Engine.reason(r.body()), null, null, false,
                    null, null);
        }
    }

    /** @return the text as a document id: itself, or a hash of it when longer than the engine allows */
    static String id(String text) {
        if (text.length() * 3 <= DocIds.MAX_BYTES || text.getBytes(StandardCharsets.UTF_8).length <= DocIds.MAX_BYTES) {
            return text;
        }
        return "#" + DocIds.sha256(text);
    }
}
