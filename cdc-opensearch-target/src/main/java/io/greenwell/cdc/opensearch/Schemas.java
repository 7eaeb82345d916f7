package io.greenwell.cdc.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.Value;
import java.util.Optional;
import io.greenwell.cdc.spi.TableShape;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the target knows of the tables, and what DDL does to their documents.
 *
 * <p>The columns of a table whose definition the stream carried are kept in the control index
 * (so a restart after the DDL still knows them) and mapped in the table's index. DDL is followed:
 * a table drop deletes the table's documents, a database drop those of every table in it, a rename
 * moves the documents to the new table's ids (and index), a renamed or dropped column is renamed or
 * removed in every document, a new key re-keys them, a new column just appears in the documents
 * written after it. These rewrites read the documents with a scroll and write them at the DDL
 * record's version (external), so in a replay they leave alone a document that a later event
 * wrote, and they need no script or reindex module on the engine. Called on the applier thread;
 * {@link #kinds} and {@link #shape} may be read from any thread.
 */
final class Schemas {

    private static final Logger log = LoggerFactory.getLogger(Schemas.class);

    private final Engine engine;
    private final Control control;
    private final Indices indices;
    private final Decimals decimals;
    private final String templateName;
    private final Map<TableId, Map<String, ColumnKind>> kinds = new ConcurrentHashMap<>();
    private final Map<TableId, TableShape> shapes = new ConcurrentHashMap<>();
    private final int retries;
    private final long firstPause;
    private final long maxPause;

    Schemas(Engine engine, Control control, Indices indices, Decimals decimals, String templateName, int retries, long firstPause,
            long maxPause) {
        this.engine = engine;
        this.control = control;
        this.indices = indices;
        this.decimals = decimals;
        this.templateName = templateName;
        this.retries = retries;
        this.firstPause = firstPause;
        this.maxPause = maxPause;
    }

    /** Installs the index template and, for a shared index, the index; reads the known tables. */
    void install() {
        String mappings = "{\"date_detection\":false,\"properties\":{\"" + Documents.DB + "\":{\"type\":\"keyword\"},\"" + Documents.TABLE
                + "\":{\"type\":\"keyword\"},\"" + Documents.VERSION + "\":{\"type\":\"long\"}}}";
        String template = "{\"index_patterns\":[" + Control.quote(indices.pattern()) + "],\"priority\":100,\"template\":{\"settings\":"
                + "{\"index.mapping.ignore_malformed\":true},\"mappings\":" + mappings + "}}";
        engine.expect("PUT", "/_index_template/" + templateName, template.getBytes(StandardCharsets.UTF_8),
                "installing the index template " + templateName);
        if (!indices.pattern().endsWith("*")) {
            Indices.create(engine, indices.pattern(), "{}");
        }
        kinds.clear();
        shapes.clear();
        control.loadTables(indices.pattern()).forEach((t, def) -> known(t, def));
    }

    private void known(TableId t, TableDef def) {
        kinds.put(t, kindsOf(def.columns()));
        List<String> names = new ArrayList<>();
        def.columns().forEach(c -> names.add(c.name()));
        shapes.put(t, new TableShape(def.primaryKey(), names));
    }

    /** @return the key and columns of a table the stream described, for the compactor */
    Optional<TableShape> shape(TableId t) {
        return Optional.ofNullable(shapes.get(t));
    }

    /** @return the kinds of a table's columns by name; empty when the stream never described it */
    Map<String, ColumnKind> kinds(TableId t) {
        return kinds.getOrDefault(t, Map.of());
    }

    private static Map<String, ColumnKind> kindsOf(List<ColumnDef> cols) {
        Map<String, ColumnKind> m = new HashMap<>();
        for (ColumnDef c : cols) {
            m.put(c.name(), ColumnKind.of(c));
        }
        return m;
    }

    /**
     * Applies one DDL record. What it writes carries the version of the record itself, so that in
     * a replay it neither deletes nor rewrites a document that a later event wrote.
     *
     * @param version the record's version, or -1 when it has none: documents keep their own
     */
    void apply(SchemaChange c, long version) {
        switch (c.kind()) {
            case TABLE_CREATE:
                describe(c.def());
                break;
            case TABLE_ALTER:
                if (c.def() != null) {
                    // the new table's mapping first, so that the rewritten documents fit it
                    describe(c.def());
                    if (c.table() != null) {
                        alter(c, version);
                    }
                }
                break;
            case TABLE_DROP:
                long n = delete(c.table(), -1, version);
                forget(c.table());
                log.info("table {} dropped: {} documents deleted", c.table(), n);
                break;
            case DATABASE_DROP:
                long m = deleteDatabase(c.database(), version);
                log.info("database {} dropped: {} documents deleted", c.database(), m);
                break;
            default:
                // database create and alter change nothing in the index
        }
    }

    private void describe(TableDef def) {
        TableId t = def.id();
        ObjectNode props = Engine.JSON.createObjectNode();
        for (ColumnDef col : def.columns()) {
            String m = ColumnKind.of(col).mapping(decimals);
            if (m != null) {
                props.set(col.name(), read(m));
            }
        }
        String index = indices.of(t);
        Indices.create(engine, index, "{}");
        ObjectNode body = Engine.JSON.createObjectNode();
        body.set("properties", props);
        Engine.Reply r = engine.expect("PUT", "/" + index + "/_mapping", Control.bytes(body), "mapping the columns of " + t, 400);
        if (r.status() == 400) {
            // a field another table (or an earlier type of this column) mapped otherwise: map the others one by one
            props.fields().forEachRemaining(f -> {
                ObjectNode one = Engine.JSON.createObjectNode();
                one.putObject("properties").set(f.getKey(), f.getValue());
                Engine.Reply each = engine.expect("PUT", "/" + index + "/_mapping", Control.bytes(one), "mapping column " + f.getKey() + " of " + t,
                        400);
                if (each.status() == 400) {
                    log.warn("index {} keeps its mapping of field {}, not the one column {} of {} asks for ({}): values that do not fit"
                            + " are kept in the documents but not indexed, or refused", index, f.getKey(), f.getKey(), t, Engine.reason(each.body()));
                }
            });
        }
        control.writeTable(indices.pattern(), t, def);
        known(t, def);
    }

    private void forget(TableId t) {
        kinds.remove(t);
        shapes.remove(t);
        control.writeTable(indices.pattern(), t, null);
    }

    private static JsonNode read(String json) {
        try {
            return Engine.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Deletes a table's documents whose {@code _v} is below {@code below} (all of them when it is -1).
     *
     * @param version the version of the deletes; -1 for each document's own
     * @return how many were deleted
     */
    long delete(TableId t, long below, long version) {
        String filter = tableFilter(t) + below(below >= 0 ? below : version);
        long[] n = {0};
        Bulk bulk = new Bulk();
        scroll(indices.of(t), "{\"bool\":{\"filter\":[" + filter + "]}}", false, hit -> {
            String id = hit.path("_id").asText();
            String index = hit.path("_index").asText();
            bulk.add(deletion(bulk, index, id, hit, version));
            n[0]++;
            if (bulk.bytes() > 1 << 20) {
                send(bulk);
            }
        });
        if (!bulk.isEmpty()) {
            send(bulk);
        }
        return n[0];
    }

    /** @return how many documents of the database's tables were deleted */
    private long deleteDatabase(String db, long version) {
        long n = 0;
        List<TableId> known = new ArrayList<>();
        for (TableId t : kinds.keySet()) {
            if (t.database().equals(db)) {
                known.add(t);
            }
        }
        // every table of the database, described or not: found by the documents' _db
        Bulk bulk = new Bulk();
        long[] count = {0};
        scroll(indices.pattern(), "{\"bool\":{\"filter\":[{\"term\":{\"" + Documents.DB + "\":" + Control.quote(db) + "}}" + below(version)
                + "]}}", false,
                hit -> {
                    String id = hit.path("_id").asText();
                    String index = hit.path("_index").asText();
                    bulk.add(deletion(bulk, index, id, hit, version));
                    count[0]++;
                    if (bulk.bytes() > 1 << 20) {
                        send(bulk);
                    }
                });
        if (!bulk.isEmpty()) {
            send(bulk);
        }
        n += count[0];
        for (TableId t : known) {
            forget(t);
        }
        return n;
    }

    /**
     * Rewrites a table's documents after a {@code table-alter} when what they hold no longer matches
     * the table: a new name (new ids, maybe a new index), a new primary key (new ids), renamed
     * columns (the field moves), dropped columns (the field goes); a dropped key deletes them (a
     * table without a key is not indexed). The new table's mapping is put first. Every document is
     * written at the DDL record's version with {@code external_gte} (two DDL records at one position,
     * such as the two renames of a table swap, write the same ids at the same version), and an old id
     * is deleted only when it is not also a new id of the rewrite and its document's write
     * succeeded; a document the engine refuses stays under its old id, and is logged.
     */
    private void alter(SchemaChange c, long version) {
        TableId from = c.table();
        TableDef def = c.def();
        TableDef old = c.oldDef();
        TableId to = def.id();
        Map<String, String> renames = old == null ? Map.of() : ColumnRenames.of(c.sql(), old, def);
        List<String> dropped = new ArrayList<>();
        if (old != null) {
            for (ColumnDef col : old.columns()) {
                if (def.column(col.name()) == null && !renames.containsKey(col.name())) {
                    dropped.add(col.name());
                }
            }
        }
        boolean keyChanged = old != null && !old.primaryKey().equals(def.primaryKey());
        if (keyChanged && def.primaryKey().isEmpty()) {
            long n = delete(from, -1, version);
            log.warn("table {} lost its primary key: its {} documents are deleted, and its rows are no longer indexed", from, n);
            return;
        }
        if (from.equals(to) && renames.isEmpty() && dropped.isEmpty() && !keyChanged) {
            return;
        }
        String fromIndex = indices.of(from);
        String toIndex = indices.of(to);
        String fromPrefix = DocIds.prefix(from);
        String toPrefix = DocIds.prefix(to);
        Map<String, ColumnKind> newKinds = kinds(to);
        Set<String> newIds = new HashSet<>();
        List<String[]> oldIds = new ArrayList<>();
        Bulk bulk = new Bulk();
        long[] n = {0};
        long[] refused = {0};
        Consumer<Bulk> send = b -> {
            Bulk.Outcome out = b.send(engine, retries, firstPause, maxPause);
            for (int i = 0; i < out.refused.size(); i++) {
                // its old document stays: the old id is not deleted
                String[] moved = (String[]) out.refused.get(i).tag;
                newIds.add(moved[0] + '\u0000' + moved[1]);
                refused[0]++;
                if (refused[0] <= 3) {
                    log.warn("rewriting {} after its DDL: the engine refused document {} ({}); it stays as it was", from, moved[1],
                            out.reasons.get(i));
                }
            }
        };
        // only documents older than the DDL: in a replay, those at its version or above are already in the new shape, or
        // belong to a later state (a later DDL moved other documents under these names)
        scroll(fromIndex, "{\"bool\":{\"filter\":[" + tableFilter(from) + below(version) + "]}}", true, hit -> {
            String id = hit.path("_id").asText();
            long v = version >= 0 ? version : hit.path("_version").asLong();
            ObjectNode src = (ObjectNode) hit.path("_source");
            renames.forEach((a, b) -> {
                JsonNode value = src.remove(a);
                if (value != null) {
                    src.set(b, value);
                }
            });
            dropped.forEach(src::remove);
            src.put(Documents.DB, to.database());
            src.put(Documents.TABLE, to.table());
            src.put(Documents.VERSION, v);
            String newId = keyChanged ? idFromSource(to, def.primaryKey(), src, newKinds, id)
                    : id.startsWith(fromPrefix) ? toPrefix + id.substring(fromPrefix.length()) : id;
            newIds.add(toIndex + '\u0000' + newId);
            oldIds.add(new String[] {hit.path("_index").asText(), id, Long.toString(v)});
            bulk.add(new Bulk.Action(toIndex, newId, bulk.actionLine("index", toIndex, newId, v, "external_gte"), Control.bytes(src),
                    new String[] {hit.path("_index").asText(), id}));
            n[0]++;
            if (bulk.bytes() > 1 << 20) {
                send.accept(bulk);
            }
        });
        if (!bulk.isEmpty()) {
            send.accept(bulk);
        }
        for (String[] o : oldIds) {
            if (!newIds.contains(o[0] + '\u0000' + o[1])) {
                bulk.add(new Bulk.Action(o[0], o[1], bulk.actionLine("delete", o[0], o[1], Long.parseLong(o[2]), "external_gte"), null, null));
                if (bulk.bytes() > 1 << 20) {
                    send(bulk);
                }
            }
        }
        if (!bulk.isEmpty()) {
            send(bulk);
        }
        if (!from.equals(to)) {
            forget(from);
        }
        log.info("table {} altered{}{}{}{}: {} documents rewritten{}", from, from.equals(to) ? "" : " (renamed to " + to + ")",
                renames.isEmpty() ? "" : " (columns renamed " + renames + ")", dropped.isEmpty() ? "" : " (columns dropped " + dropped + ")",
                keyChanged ? " (new primary key " + def.primaryKey() + ")" : "", n[0], refused[0] == 0 ? "" : ", " + refused[0] + " refused");
    }

    /**
     * The id of a document under a table's key, from the values in its source, turned back into
     * the text Maxwell writes (DATETIME and TIMESTAMP without {@code T} and {@code Z}); its old id
     * when a key value is missing.
     */
    private static String idFromSource(TableId t, List<String> key, ObjectNode src, Map<String, ColumnKind> kinds, String oldId) {
        Row.Builder b = Row.builder();
        for (String k : key) {
            JsonNode v = src.get(k);
            if (v == null || v.isNull()) {
                return oldId;
            }
            ColumnKind kind = kinds.getOrDefault(k, ColumnKind.DYNAMIC);
            if (v.isTextual() && (kind == ColumnKind.DATETIME || kind == ColumnKind.TIMESTAMP)) {
                String text = v.asText().replace('T', ' ');
                b.put(k, Value.text(text.endsWith("Z") ? text.substring(0, text.length() - 1) : text));
            } else {
                b.put(k, v.isTextual() ? Value.text(v.asText()) : v.isNumber() ? Value.number(v.asText()) : Value.text(v.toString()));
            }
        }
        return DocIds.of(t, key, b.build());
    }

    /** A delete of a hit at the given version (external), or at its own (external_gte) when that is -1. */
    private static Bulk.Action deletion(Bulk bulk, String index, String id, JsonNode hit, long version) {
        long v = version >= 0 ? version : hit.path("_version").asLong();
        return new Bulk.Action(index, id, bulk.actionLine("delete", index, id, v, version >= 0 ? "external" : "external_gte"), null, null);
    }

    /** Sends deletes; the engine refuses none but for a newer document (409), which is as it should be: anything else is logged. */
    private void send(Bulk bulk) {
        Bulk.Outcome out = bulk.send(engine, retries, firstPause, maxPause);
        if (!out.refused.isEmpty()) {
            log.warn("the engine refused {} deletes of DDL, such as of {}: {}", out.refused.size(), out.refused.get(0).id, out.reasons.get(0));
        }
    }

    /** @return the filter clause of documents below a version (with a leading comma), or nothing for -1 */
    private static String below(long version) {
        return version < 0 ? "" : ",{\"range\":{\"" + Documents.VERSION + "\":{\"lt\":" + version + "}}}";
    }

    private static String tableFilter(TableId t) {
        return "{\"term\":{\"" + Documents.DB + "\":" + Control.quote(t.database()) + "}},{\"term\":{\"" + Documents.TABLE + "\":"
                + Control.quote(t.table()) + "}}";
    }

    /** Calls {@code each} with every hit of a query, after a refresh, by scroll. */
    private void scroll(String index, String query, boolean source, Consumer<JsonNode> each) {
        engine.expect("POST", "/" + index + "/_refresh?ignore_unavailable=true&allow_no_indices=true", null, "refreshing " + index, 404);
        String body = "{\"size\":1000,\"version\":true,\"_source\":" + source + ",\"query\":" + query + "}";
        Engine.Reply r = engine.expect("POST", "/" + index + "/_search?scroll=5m&ignore_unavailable=true&allow_no_indices=true",
                body.getBytes(StandardCharsets.UTF_8), "searching " + index, 404);
        String scrollId = null;
        try {
            while (r.status() != 404) {
                scrollId = r.body().path("_scroll_id").asText(null);
                JsonNode hits = r.body().path("hits").path("hits");
                if (hits.size() == 0 || scrollId == null) {
                    break;
                }
                hits.forEach(each);
                String next = "{\"scroll\":\"5m\",\"scroll_id\":" + Control.quote(scrollId) + "}";
                r = engine.expect("POST", "/_search/scroll", next.getBytes(StandardCharsets.UTF_8), "searching " + index);
            }
        } finally {
            if (scrollId != null) {
                engine.call("DELETE", "/_search/scroll", ("{\"scroll_id\":" + Control.quote(scrollId) + "}").getBytes(StandardCharsets.UTF_8),
                        "clearing a scroll");
            }
        }
    }
}
