package io.greenwell.cdc.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenwell.cdc.FencedException;
import io.greenwell.cdc.compact.Watermark;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.SourcePosition;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.spi.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The control index: one document per (pipeline, stream) holding its checkpoint, and one per
 * (index, table) holding the table's columns as the stream last described them.
 *
 * <p>A checkpoint document holds the offset, the watermarks, the highest version applied on the
 * stream ({@code max_version}) and the versions of the bootstraps under way. It is written after
 * the batch's bulk requests succeeded, conditionally on the sequence number and primary term read
 * or written last ({@code if_seq_no}, {@code if_primary_term}): when another instance wrote it
 * since, the write fails with 409, which is a fence. Reading does not write: instances of one
 * pipeline that share a Kafka consumer group read all its checkpoints at every rebalance, and a
 * read that fenced would fence the owners of the other partitions in turn, for ever. So the old
 * owner of a stream may still land its last batch after the new owner read the checkpoint; the new
 * owner is then fenced at its first write, reads again and goes on from there, and the versions make
 * the overlap harmless. Each write carries a token of this instance and a counter, so that a 409
 * after a lost reply is recognised as the write itself having landed.
 */
final class Control {

    /** One stream's checkpoint as stored, with what the conditional write needs. */
    static final class Stream {
        final String stream;
        long offset = -1;
        Map<Long, Watermark> watermarks = new HashMap<>();
        long maxVersion = -1;
        Map<String, Long> bootstraps = new LinkedHashMap<>();
        /** Sequence number and primary term of the stored document; -1 when there is none. */
        long seqNo = -1;
        long primaryTerm = -1;

        Stream(String stream) {
            this.stream = stream;
        }

        /** @return a copy to change while a batch applies, kept only once its checkpoint is written */
        Stream copy() {
            Stream c = new Stream(stream);
            c.offset = offset;
            c.watermarks = new HashMap<>(watermarks);
            c.maxVersion = maxVersion;
            c.bootstraps = new LinkedHashMap<>(bootstraps);
            c.seqNo = seqNo;
            c.primaryTerm = primaryTerm;
            return c;
        }
    }

    private final Engine engine;
    private final String index;
    /** Names this instance's checkpoint writes, with {@link #writes}. */
    private final String writer = java.util.UUID.randomUUID().toString();
    private long writes;

    Control(Engine engine, String index) {
        this.engine = engine;
        this.index = index;
    }

    String index() {
        return index;
    }

    /** Creates the control index unless it exists. */
    void create() {
        String body = "{\"settings\":{\"index\":{\"number_of_shards\":1,\"auto_expand_replicas\":\"0-1\"}},"
                + "\"mappings\":{\"dynamic\":false,\"properties\":{\"kind\":{\"type\":\"keyword\"},\"pipeline\":{\"type\":\"keyword\"},"
                + "\"stream\":{\"type\":\"keyword\"},\"target_index\":{\"type\":\"keyword\"}}}}";
        Indices.create(engine, index, body);
    }

    /**
     * Reads a pipeline's checkpoints.
     *
     * @return the streams by id
     */
    Map<String, Stream> load(String pipeline) {
        Map<String, Stream> out = new LinkedHashMap<>();
        for (JsonNode hit : search("{\"size\":10000,\"seq_no_primary_term\":true,\"query\":{\"bool\":{\"filter\":["
                + "{\"term\":{\"kind\":\"checkpoint\"}},{\"term\":{\"pipeline\":" + quote(pipeline) + "}}]}}}")) {
            JsonNode src = hit.path("_source");
            Stream s = new Stream(src.path("stream").asText());
            s.offset = src.path("offset").asLong();
            s.maxVersion = src.path("max_version").asLong(-1);
            for (JsonNode w : src.path("watermarks")) {
                SourcePosition p = new SourcePosition(w.path("file").asText(), w.path("position").asLong(), w.path("xoffset").asInt(-1),
                        w.path("commit").asBoolean(), w.path("gtid").isTextual() ? w.path("gtid").asText() : null);
                s.watermarks.put(w.path("server").asLong(), new Watermark(p, w.path("count").asLong()));
            }
            src.path("bootstraps").fields().forEachRemaining(e -> s.bootstraps.put(e.getKey(), e.getValue().asLong()));
            s.seqNo = hit.path("_seq_no").asLong();
            s.primaryTerm = hit.path("_primary_term").asLong();
            out.put(s.stream, s);
        }
        return out;
    }

    /** @return the checkpoint the SPI hands out */
    static Checkpoint checkpoint(Stream s) {
        return new Checkpoint(s.stream, s.offset, s.watermarks);
    }

    /**
     * Writes a stream's checkpoint document, conditionally on what was read or written last.
     *
     * @throws FencedException when another instance wrote it since
     */
    void write(String pipeline, Stream s) {
        ObjectNode doc = Engine.JSON.createObjectNode();
        doc.put("kind", "checkpoint").put("pipeline", pipeline).put("stream", s.stream).put("offset", s.offset)
                .put("max_version", s.maxVersion).put("updated_at", Instant.now().toString()).put("writer", writer)
                .put("write", ++writes);
        ArrayNode ws = doc.putArray("watermarks");
        s.watermarks.forEach((server, w) -> {
            ObjectNode n = ws.addObject().put("server", server).put("file", w.position().file()).put("position", w.position().offset())
                    .put("xoffset", w.position().xoffset()).put("commit", w.position().commit()).put("count", w.count());
            if (w.position().gtid() != null) {
                n.put("gtid", w.position().gtid());
            }
        });
        ObjectNode bs = doc.putObject("bootstraps");
        s.bootstraps.forEach(bs::put);
        String id = encode(Indices.id("checkpoint/" + pipeline + "/" + s.stream));
        String query = s.seqNo < 0 ? "?op_type=create" : "?if_seq_no=" + s.seqNo + "&if_primary_term=" + s.primaryTerm;
        Engine.Reply r = engine.expect("PUT", "/" + index + "/_doc/" + id + query, bytes(doc), "writing the checkpoint of " + s.stream, 409);
        if (r.status() == 409) {
            // the reply to an earlier attempt of this very write may have been lost: then the document is ours
            Engine.Reply now = engine.expect("GET", "/" + index + "/_doc/" + id, null, "reading the checkpoint of " + s.stream, 404);
            JsonNode src = now.body().path("_source");
            if (now.status() == 404 || !src.path("writer").asText().equals(writer) || src.path("write").asLong() != writes) {
                throw new FencedException(pipeline, s.stream);
            }
            s.seqNo = now.body().path("_seq_no").asLong();
            s.primaryTerm = now.body().path("_primary_term").asLong();
            return;
        }
        s.seqNo = r.body().path("_seq_no").asLong();
        s.primaryTerm = r.body().path("_primary_term").asLong();
    }

    /** @return every table described for the target index (columns and key), by table */
    Map<TableId, TableDef> loadTables(String targetIndex) {
        Map<TableId, TableDef> out = new HashMap<>();
        for (JsonNode hit : search("{\"size\":10000,\"query\":{\"bool\":{\"filter\":[{\"term\":{\"kind\":\"table\"}},"
                + "{\"term\":{\"target_index\":" + quote(targetIndex) + "}}]}}}")) {
            JsonNode src = hit.path("_source");
            List<ColumnDef> cols = new ArrayList<>();
            for (JsonNode c : src.path("columns")) {
                cols.add(new ColumnDef(c.path("name").asText(), c.path("type").asText(),
                        c.path("signed").isBoolean() ? c.path("signed").asBoolean() : null,
                        c.path("charset").isTextual() ? c.path("charset").asText() : null, List.of(), null));
            }
            List<String> key = new ArrayList<>();
            src.path("primary_key").forEach(k -> key.add(k.asText()));
            out.put(TableId.of(src.path("db").asText(), src.path("table").asText()),
                    new TableDef(src.path("db").asText(), src.path("table").asText(), null, cols, key));
        }
        return out;
    }

    /** Stores a table's columns and key (null: forgets the table). */
    void writeTable(String targetIndex, TableId table, TableDef def) {
        String id = encode(Indices.id("table/" + targetIndex + "/" + table.database() + "." + table.table()));
        if (def == null) {
            engine.expect("DELETE", "/" + index + "/_doc/" + id, null, "forgetting the columns of " + table, 404);
            return;
        }
        ObjectNode doc = Engine.JSON.createObjectNode();
        doc.put("kind", "table").put("target_index", targetIndex).put("db", table.database()).put("table", table.table());
        ArrayNode cs = doc.putArray("columns");
        ArrayNode key = doc.putArray("primary_key");
        def.primaryKey().forEach(key::add);
        for (ColumnDef c : def.columns()) {
            ObjectNode n = cs.addObject().put("name", c.name()).put("type", c.type());
            if (c.signed() != null) {
                n.put("signed", c.signed());
            }
            if (c.charset() != null) {
                n.put("charset", c.charset());
            }
        }
        engine.expect("PUT", "/" + index + "/_doc/" + id, bytes(doc), "storing the columns of " + table);
    }

    private List<JsonNode> search(String query) {
        engine.expect("POST", "/" + index + "/_refresh", null, "refreshing " + index);
        Engine.Reply r = engine.expect("POST", "/" + index + "/_search", query.getBytes(StandardCharsets.UTF_8), "reading " + index);
        List<JsonNode> hits = new ArrayList<>();
        r.body().path("hits").path("hits").forEach(hits::add);
        return hits;
    }

    static String quote(String s) {
        return Engine.JSON.getNodeFactory().textNode(s).toString();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static byte[] bytes(JsonNode n) {
        try {
            return Engine.JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
