package io.greenwell.cdc.opensearch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.compact.Origins;
import io.greenwell.cdc.event.TableId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The dead-letter index: one document per event that could not be applied, with the pipeline,
 * stream, offset, table, the reason and the raw record as it came in ({@code record}, or
 * {@code record_base64} when its bytes are not UTF-8). Documents are collected
 * during a batch and written with one bulk request before its checkpoint, so an event is in the
 * dead letters before the checkpoint passes it. A document's id is its pipeline, stream and offset,
 * so a batch applied again after a failure does not write its dead letters twice. Used by the
 * applier thread only.
 */
final class DeadLetterIndex {

    private final Engine engine;
    private final String index;
    private final List<byte[]> pending = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();
    private final int retries;
    private final long firstPause;
    private final long maxPause;

    DeadLetterIndex(Engine engine, String index, int retries, long firstPause, long maxPause) {
        this.engine = engine;
        this.index = index;
        this.retries = retries;
        this.firstPause = firstPause;
        this.maxPause = maxPause;
    }

    void create() {
        Indices.create(engine, index, "{\"mappings\":{\"properties\":{\"pipeline\":{\"type\":\"keyword\"},\"stream\":{\"type\":\"keyword\"},"
                + "\"offset\":{\"type\":\"long\"},\"db\":{\"type\":\"keyword\"},\"table\":{\"type\":\"keyword\"},\"reason\":{\"type\":\"text\"},"
                + "\"record\":{\"type\":\"text\",\"index\":false},\"record_base64\":{\"type\":\"binary\"},\"failed_at\":{\"type\":\"date\"}}}}");
    }

    void write(String pipeline, Origins origins, int[] sources, TableId table, String reason) {
        for (int seq : sources) {
            ObjectNode doc = Engine.JSON.createObjectNode();
            doc.put("pipeline", pipeline);
            String stream = origins.stream(seq);
            if (stream != null) {
                doc.put("stream", stream);
            }
            doc.put("offset", origins.offset(seq));
            if (table != null) {
                doc.put("db", table.database()).put("table", table.table());
            }
            doc.put("reason", reason);
            byte[] raw = origins.rawBuffer(seq);
            if (raw != null) {
                try {
                    doc.put("record", StandardCharsets.UTF_8.newDecoder()
                            .decode(java.nio.ByteBuffer.wrap(raw, origins.rawStart(seq), origins.rawLength(seq))).toString());
                } catch (java.nio.charset.CharacterCodingException e) {
                    // not UTF-8 (an undecodable record): its bytes exactly, as base64
                    doc.put("record_base64", java.util.Base64.getEncoder().encodeToString(
                            java.util.Arrays.copyOfRange(raw, origins.rawStart(seq), origins.rawStart(seq) + origins.rawLength(seq))));
                }
            }
            doc.put("failed_at", Instant.now().toString());
            pending.add(Control.bytes(doc));
            ids.add(Indices.id(pipeline + "/" + (stream == null ? "" : stream) + "/" + origins.offset(seq)));
        }
    }

    /** Writes what was collected. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Bulk bulk = new Bulk();
        for (int i = 0; i < pending.size(); i++) {
            byte[] action = ("{\"index\":{\"_index\":" + Control.quote(index) + ",\"_id\":" + Control.quote(ids.get(i)) + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            bulk.add(new Bulk.Action(index, ids.get(i), action, pending.get(i), null));
        }
        pending.clear();
        ids.clear();
        Bulk.Outcome out = bulk.send(engine, retries, firstPause, maxPause);
        if (!out.refused.isEmpty()) {
            throw new ApplyException("the dead-letter index " + index + " refused " + out.refused.size() + " documents: " + out.reasons.get(0),
                    null, null, false, null, null);
        }
    }
}
