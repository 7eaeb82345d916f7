package io.greenwell.cdc.greenplum;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.greenwell.cdc.FencedException;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.Watermark;
import io.greenwell.cdc.compact.WatermarkKey;
import io.greenwell.cdc.event.SourcePosition;
import io.greenwell.cdc.spi.Checkpoint;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code checkpoint} table of the control schema: per (pipeline, stream) the offset of the
 * last record applied and the Maxwell watermarks as JSON text (sorted by server, so that equal
 * watermarks have equal text). Every write is fenced: the row is updated only while it still holds
 * what this instance read or wrote last; a stream seen for the first time is inserted, and a
 * concurrent first insert by another instance fails on the primary key. Both count as fenced.
 */
final class Checkpoints {

    /** A checkpoint row as stored. */
    record Stored(long offset, String position) {}

    private static final JsonFactory JSON = new JsonFactory();

    private final Sql sql;
    private final String schema;
    private String pipeline;
    /** What this instance read or committed, per stream: the fence. */
    private final Map<String, Stored> fence = new HashMap<>();
    private boolean fenceValid = true;
    /** What the open transaction writes, per stream. */
    private final Map<String, Stored> pending = new LinkedHashMap<>();
    /** The writes of an attempt whose COMMIT is in doubt, with the fence before it. */
    private Map<String, Stored> doubtedWrites;
    private Map<String, Stored> doubtedFence;

    Checkpoints(Sql sql, String schema) {
        this.sql = sql;
        this.schema = schema;
    }

    String pipeline() {
        return pipeline;
    }

    String schema() {
        return schema;
    }

    /** Creates the control schema and its tables when missing, in a transaction of their own. */
    void ensureTables(Connection c, Catalog catalog) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            boolean checkpoint = catalog.table(c, schema, "checkpoint") != null;
            boolean deadLetter = catalog.table(c, schema, "dead_letter") != null;
            if (checkpoint && deadLetter) {
                return;
            }
            try (Statement st = c.createStatement()) {
                if (!catalog.schemaExists(c, schema)) {
                    st.execute(sql.createSchema(schema));
                }
                if (!checkpoint) {
                    st.execute(sql.createCheckpointTable(schema));
                }
                if (!deadLetter) {
                    st.execute(sql.createDeadLetterTable(schema));
                }
                c.commit();
                return;
            } catch (SQLException e) {
                c.rollback();
                catalog.clear();
                // another instance created it at the same moment: look again, once
                if (attempt > 0 || !(isState(e, "23505") || isState(e, "42P06") || isState(e, "42P07"))) {
                    throw e;
                }
            }
        }
    }

    /** Reads a pipeline's checkpoints and fences every stream read. */
    Map<String, Checkpoint> load(Connection c, String pipeline) throws SQLException {
        this.pipeline = pipeline;
        Map<String, Checkpoint> out = new LinkedHashMap<>();
        Map<String, Stored> rows = read(c, pipeline);
        c.commit();
        fence.clear();
        fence.putAll(rows);
        fenceValid = true;
        doubtedWrites = null;
        rows.forEach((stream, s) -> out.put(stream, new Checkpoint(stream, s.offset, decode(s.position))));
        return out;
    }

    /**
     * Writes the checkpoints of a batch in the open transaction: per stream of the batch, its last
     * offset and its watermarks.
     *
     * @throws FencedException when a stream's row is no longer the one this instance knows
     */
    void write(Connection c, NetBatch batch, long nowMillis) throws SQLException {
        if (!fenceValid) {
            throw new FencedException(pipeline, "any: the checkpoints must be read again after another instance moved one");
        }
        pending.clear();
        pending.putAll(next(batch));
        Timestamp now = new Timestamp(nowMillis);
        boolean first = false;
        for (Map.Entry<String, Stored> e : pending.entrySet()) {
            String stream = e.getKey();
            Stored to = e.getValue();
            Stored from = fence.get(stream);
            if (from == null) {
                first = true;
                try (PreparedStatement ps = c.prepareStatement(sql.insertCheckpoint(schema))) {
                    ps.setString(1, pipeline);
                    ps.setString(2, stream);
                    ps.setLong(3, to.offset);
                    ps.setString(4, to.position);
                    ps.setTimestamp(5, now);
                    ps.executeUpdate();
                } catch (SQLException ex) {
                    if (isState(ex, "23505")) {
                        fenceLost();
                        throw new FencedException(pipeline, stream);
                    }
                    throw ex;
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement(sql.updateCheckpoint(schema))) {
                    ps.setLong(1, to.offset);
                    ps.setString(2, to.position);
                    ps.setTimestamp(3, now);
                    ps.setString(4, pipeline);
                    ps.setString(5, stream);
                    ps.setLong(6, from.offset);
                    ps.setString(7, from.position);
                    if (ps.executeUpdate() != 1) {
                        fenceLost();
                        throw new FencedException(pipeline, stream);
                    }
                }
            }
        }
        if (first) {
            // a stream's first checkpoint commits durably even with asynchronous commits: a source
            // starts a stream without one elsewhere (Kafka: at the group's committed offset), so
            // it must not be lost in a crash after the source moved on
            try (Statement st = c.createStatement()) {
                st.execute(Sql.SYNCHRONOUS_COMMIT_NOW);
            }
        }
    }

    /** Another instance moved a checkpoint: no stream may be written until the checkpoints are read again. */
    private void fenceLost() {
        fenceValid = false;
    }

    /**
     * @param stream a stream id, never null
     * @return the offset of its checkpoint as this instance read or committed it, or null when it has none
     */
    Long offsetOf(String stream) {
        Stored s = fence.get(stream);
        return s == null ? null : s.offset;
    }

    /** The open transaction committed: its checkpoints are the fence now. */
    void committed() {
        fence.putAll(pending);
        pending.clear();
        doubtedWrites = null;
    }

    /** The open transaction rolled back. */
    void rolledBack() {
        pending.clear();
    }

    /** The connection was lost while a transaction with these checkpoints was open or committing. */
    void inDoubt() {
        if (!pending.isEmpty()) {
            doubtedWrites = new LinkedHashMap<>(pending);
            doubtedFence = new HashMap<>(fence);
        }
        pending.clear();
    }

    boolean hasDoubt() {
        return doubtedWrites != null;
    }

    /**
     * Settles an attempt in doubt by reading the rows it wrote.
     *
     * @return true when it committed (the fence moves on), false when it did not
     * @throws FencedException when the rows hold neither the old nor the new checkpoint
     */
    boolean settleDoubt(Connection c) throws SQLException {
        Map<String, Stored> rows = read(c, pipeline);
        c.commit();
        boolean allNew = true;
        boolean allOld = true;
        for (Map.Entry<String, Stored> e : doubtedWrites.entrySet()) {
            Stored now = rows.get(e.getKey());
            allNew &= e.getValue().equals(now);
            Stored old = doubtedFence.get(e.getKey());
            allOld &= old == null ? now == null : old.equals(now);
            if (!allNew && !allOld) {
                String stream = e.getKey();
                doubtedWrites = null;
                throw new FencedException(pipeline, stream);
            }
        }
        boolean committed = allNew && !doubtedWrites.isEmpty();
        if (committed) {
            fence.putAll(doubtedWrites);
        }
        doubtedWrites = null;
        return committed;
    }

    /** @return true when this batch is the one whose commit was in doubt */
    boolean isDoubted(NetBatch batch) {
        return doubtedWrites != null && doubtedWrites.equals(next(batch));
    }

    private Map<String, Stored> next(NetBatch batch) {
        Map<String, Map<Long, Watermark>> marks = new TreeMap<>();
        batch.watermarks().forEach((WatermarkKey k, Watermark w) -> marks.computeIfAbsent(k.stream(), s -> new TreeMap<>()).put(k.serverId(), w));
        Map<String, Stored> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : new TreeMap<>(batch.lastOffsets()).entrySet()) {
            Map<Long, Watermark> m = marks.getOrDefault(e.getKey(), Map.of());
            out.put(e.getKey(), new Stored(e.getValue(), encode(m)));
        }
        return out;
    }

    private Map<String, Stored> read(Connection c, String pipeline) throws SQLException {
        Map<String, Stored> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql.selectCheckpoints(schema))) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), new Stored(rs.getLong(2), rs.getString(3)));
                }
            }
        }
        return rows;
    }

    /** @return the watermarks as JSON text, sorted by server id */
    static String encode(Map<Long, Watermark> marks) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartArray();
            for (Map.Entry<Long, Watermark> e : new TreeMap<>(marks).entrySet()) {
                SourcePosition p = e.getValue().position();
                g.writeStartObject();
                g.writeNumberField("server_id", e.getKey());
                g.writeStringField("file", p.file());
                g.writeNumberField("offset", p.offset());
                g.writeNumberField("xoffset", p.xoffset());
                g.writeBooleanField("commit", p.commit());
                if (p.gtid() != null) {
                    g.writeStringField("gtid", p.gtid());
                }
                g.writeNumberField("count", e.getValue().count());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** @return the watermarks of {@link #encode}'s text */
    static Map<Long, Watermark> decode(String text) {
        Map<Long, Watermark> out = new TreeMap<>();
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("a checkpoint position must be a JSON array: " + text);
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                long server = -1;
                String file = null;
                long offset = 0;
                int xoffset = -1;
                boolean commit = false;
                String gtid = null;
                long count = 1;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.getCurrentName();
                    p.nextToken();
                    switch (f) {
                        case "server_id": server = p.getLongValue(); break;
                        case "file": file = p.getText(); break;
                        case "offset": offset = p.getLongValue(); break;
                        case "xoffset": xoffset = p.getIntValue(); break;
                        case "commit": commit = p.getBooleanValue(); break;
                        case "gtid": gtid = p.getText(); break;
                        case "count": count = p.getLongValue(); break;
                        default: p.skipChildren();
                    }
                }
                out.put(server, new Watermark(new SourcePosition(file, offset, xoffset, commit, gtid), count));
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable checkpoint position: " + text, e);
        }
        return out;
    }

    static boolean isState(SQLException e, String state) {
        return state.equals(e.getSQLState());
    }
}
