package io.greenwell.cdc.opensearch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.NetChange;
import io.greenwell.cdc.compact.Origins;
import io.greenwell.cdc.compact.Rejected;
import io.greenwell.cdc.compact.TableChanges;
import io.greenwell.cdc.compact.Watermark;
import io.greenwell.cdc.compact.WatermarkKey;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.SourcePosition;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.spi.ApplyResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one batch to the engine, step by step, then its checkpoints. Owned by the target and
 * called on the pipeline's applier thread only.
 *
 * <p>Net changes of a {@link NetBatch.Changes} step become bulk actions in requests of at most
 * {@code bulkBytes}, up to {@code concurrency} of them in flight at once (the step ends when all
 * have): upserts an {@code index} of the whole document, deletes a {@code delete}, partial rows
 * (MINIMAL images) an {@code index} of the stored document with the new values laid over it, key
 * moves an {@code index} of the stored source document under the new key. A step holds one change
 * per key, but a move's actions reach a second document: the one it moves onto can also be the one
 * another key's change moves away from (the old key's delete). Where two actions touch one document
 * their versions decide, in whichever order they land. A partial row or a move whose stored
 * document is missing (its row was never indexed: older than the stream, or refused) has nothing
 * to start from: the partial row writes nothing, the move deletes what its new key held; both are counted
 * ({@link #missingTotal}) and logged once per table. Every action
 * carries the external version of the last event behind it ({@link Versions}), so the engine drops
 * whatever is not newer than what it holds: a replay, or an overlap after a restart, changes
 * nothing. The stored documents that partial rows and moves need are read with one multi-get before
 * the step's actions are sent, as the compactor's contract asks ("read the sources before deleting").
 *
 * <p>A bootstrap's rows carry no position. They get a version one above the highest the stream
 * applied before the {@code bootstrap-start} marker and are written with {@code external_gte}, so
 * they replace every document of the table that the stream wrote before the marker; Maxwell holds back the table's binlog rows during the bootstrap, and those come
 * later with higher versions. At {@code bootstrap-complete} the table's documents still below that
 * version (rows the snapshot no longer has) are deleted.
 *
 * <p>A failure leaves behind the documents already written and no checkpoint: applying the batch
 * again rewrites nothing that is already there (the versions are equal), so it is safe.
 */
final class Applier {

    private static final Logger log = LoggerFactory.getLogger(Applier.class);

    private final Engine engine;
    private final Control control;
    private final Indices indices;
    private final Documents documents;
    private final Schemas schemas;
    private final DeadLetterIndex deadLetters;
    private final Versioning versioning;
    private final long bulkBytes;
    private final int retries;
    private final long firstPause;
    private final long maxPause;
    private final Set<TableId> keylessLogged = ConcurrentHashMap.newKeySet();
    private final Set<TableId> missingLogged = ConcurrentHashMap.newKeySet();

    private String pipeline;
    private Map<String, Control.Stream> streams = new HashMap<>();
    /** The bulk request being built, the ones in flight, and the threads that send them. */
    private Bulk current = new Bulk();
    private final ArrayDeque<Future<Bulk.Outcome>> inFlight = new ArrayDeque<>();
    private final ExecutorService pool;
    private final int concurrency;
    /** The batch's origins, for the dead letters of requests that end while the next is built. */
    private Origins origins = Origins.NONE;
    /** The version of each event of the batch being applied, by sequence number, and each stream's highest. */
    private long[] versions = new long[0];
    private final Map<String, Long> maxByStream = new HashMap<>();
    /** The batch's working copies of its streams' state. */
    private Map<String, Control.Stream> work = new HashMap<>();

    // figures since the target was built, read by the meters
    volatile long staleTotal;
    volatile long keylessTotal;
    volatile long missingTotal;
    volatile long refusedTotal;

    // this batch's tallies
    private long applied;
    private long filtered;
    private long dead;
    private final Map<String, Long> deadByStream = new HashMap<>();
    private final Map<String, Long> filteredByStream = new HashMap<>();

    Applier(Engine engine, Control control, Indices indices, Documents documents, Schemas schemas, DeadLetterIndex deadLetters,
            Versioning versioning, long bulkBytes, int concurrency, int retries, long firstPause, long maxPause) {
        this.engine = engine;
        this.control = control;
        this.indices = indices;
        this.documents = documents;
        this.schemas = schemas;
        this.deadLetters = deadLetters;
        this.versioning = versioning;
        this.bulkBytes = bulkBytes;
        this.retries = retries;
        this.firstPause = firstPause;
        this.maxPause = maxPause;
        this.concurrency = concurrency;
        this.pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "greenwell-opensearch-bulk");
            t.setDaemon(true);
            return t;
        });
    }

    void loaded(String pipeline, Map<String, Control.Stream> streams) {
        this.pipeline = pipeline;
        this.streams = new HashMap<>(streams);
    }

    String pipeline() {
        return pipeline;
    }

    ApplyResult apply(NetBatch batch) {
        if (pipeline == null) {
            throw new IllegalStateException("loadCheckpoints must be called before apply");
        }
        applied = 0;
        filtered = 0;
        dead = 0;
        deadByStream.clear();
        filteredByStream.clear();
        long schemaChanges = 0;
        long t0 = System.nanoTime();
        Origins origins = batch.origins();
        this.origins = origins;
        versions(origins);
        // the streams' state changes on copies, each kept once its checkpoint is written: a batch
        // applied again after a failure starts from the state before it
        work = new HashMap<>();
        for (String s : batch.lastOffsets().keySet()) {
            work(s);
        }
        for (NetBatch.Step step : batch.steps()) {
            if (step instanceof NetBatch.Changes) {
                try {
                    applyChanges(((NetBatch.Changes) step).tables(), origins);
                } catch (RuntimeException e) {
                    drain();
                    throw e;
                }
            } else if (step instanceof NetBatch.Schema) {
                NetBatch.Schema s = (NetBatch.Schema) step;
                schemas.apply(s.change(), version(origins, s.source()));
                schemaChanges++;
            } else if (step instanceof NetBatch.BootstrapStart) {
                NetBatch.BootstrapStart b = (NetBatch.BootstrapStart) step;
                Control.Stream st = streamOf(origins, b.source());
                // one above every version the stream applied before the marker: the snapshot's rows replace those documents
                long v = Math.max(st.maxVersion, maxVersion(origins, st.stream, b.source())) + 1;
                st.bootstraps.put(key(b.table()), v);
                log.info("bootstrap of {} begins: its snapshot rows are written at version {}", b.table(), v);
            } else {
                NetBatch.BootstrapComplete b = (NetBatch.BootstrapComplete) step;
                Control.Stream st = streamOf(origins, b.source());
                Long v = st.bootstraps.remove(key(b.table()));
                if (v != null) {
                    long n = schemas.delete(b.table(), v, v);
                    log.info("bootstrap of {} complete: {} documents the snapshot did not hold deleted", b.table(), n);
                }
            }
        }
        long applyNanos = System.nanoTime() - t0;
        for (Rejected r : batch.rejected()) {
            deadLetter(origins, new int[] {r.source()}, tableOf(r), r.reason() + ": " + r.message());
        }
        if (deadLetters != null) {
            deadLetters.flush();
        }
        long t1 = System.nanoTime();
        for (Control.Stream st : work.values()) {
            st.offset = batch.lastOffsets().get(st.stream);
            for (Map.Entry<WatermarkKey, Watermark> w : batch.watermarks().entrySet()) {
                if (w.getKey().stream().equals(st.stream)) {
                    st.watermarks.put(w.getKey().serverId(), w.getValue());
                }
            }
            st.maxVersion = Math.max(st.maxVersion, maxByStream.getOrDefault(st.stream, -1L));
            control.write(pipeline, st);
            streams.put(st.stream, st);
        }
        long commitNanos = System.nanoTime() - t1;
        return new ApplyResult(applied, filtered, schemaChanges, dead, engine.takeRetries(), false, 0, applyNanos, commitNanos,
                filteredByStream, deadByStream);
    }

    private static TableId tableOf(Rejected r) {
        return r.event() instanceof io.greenwell.cdc.event.RowChange ? ((io.greenwell.cdc.event.RowChange) r.event()).table() : null;
    }

    private static String key(TableId t) {
        return t.database() + "." + t.table();
    }

    private Control.Stream streamOf(Origins o, int seq) {
        String s = o.stream(seq);
        return work(s == null ? "" : s);
    }

    /** The working copy of a stream's state for the batch being applied. */
    private Control.Stream work(String stream) {
        return work.computeIfAbsent(stream, s -> {
            Control.Stream st = streams.get(s);
            return st == null ? new Control.Stream(s) : st.copy();
        });
    }

    /**
     * Computes the version of every event of the batch once (a net change's, a DDL record's and a
     * stream's highest all read them from here), and the highest version of each stream.
     */
    private void versions(Origins o) {
        int n = o.size();
        if (versions.length < n) {
            versions = new long[Math.max(n, versions.length * 2)];
        }
        maxByStream.clear();
        String lastFile = null;
        long lastFileNumber = -1;
        String lastStream = null;
        long streamMax = -1;
        for (int seq = 0; seq < n; seq++) {
            long v;
            if (versioning == Versioning.OFFSET) {
                long off = o.offset(seq);
                v = off < 0 ? -1 : off + 1;
            } else {
                SourcePosition p = o.position(seq);
                if (p == null) {
                    v = -1;
                } else {
                    // a batch's events mostly share one binlog file name: its number is parsed once
                    if (p.file() != lastFile) {
                        lastFile = p.file();
                        lastFileNumber = p.fileNumber();
                    }
                    v = Versions.of(p, lastFileNumber);
                }
            }
            versions[seq] = v;
            String stream = o.stream(seq);
            if (stream != lastStream) {
                if (lastStream != null) {
                    maxByStream.merge(lastStream, streamMax, Math::max);
                }
                lastStream = stream;
                streamMax = -1;
            }
            streamMax = Math.max(streamMax, v);
        }
        if (lastStream != null) {
            maxByStream.merge(lastStream, streamMax, Math::max);
        }
    }

    /** The highest version of the stream's events with a sequence number below {@code end}; -1 for none (bootstraps only). */
    private long maxVersion(Origins o, String stream, int end) {
        long max = -1;
        for (int seq = 0; seq < end && seq < o.size(); seq++) {
            if (versions[seq] > max && stream.equals(o.stream(seq))) {
                max = versions[seq];
            }
        }
        return max;
    }

    /** The version of one event, or -1 when it has none. */
    private long version(Origins o, int seq) {
        return seq >= 0 && seq < o.size() ? versions[seq] : -1;
    }

    /** The version of a net change: that of its last event with one; -1 when none has one. */
    private long version(Origins o, int[] sources) {
        long v = -1;
        for (int seq : sources) {
            v = Math.max(v, version(o, seq));
        }
        return v;
    }

    // ---- changes ----

    /** What a bulk action stands for. */
    private record Tag(TableId table, String key, int[] sources) {}

    private void applyChanges(List<TableChanges> tables, Origins origins) {
        Map<String, JsonNode> stored = readStored(tables);
        current = new Bulk();
        for (TableChanges tc : tables) {
            if (tc.isEmpty()) {
                continue;
            }
            if (tc.keyColumns().isEmpty()) {
                keyless(tc, origins);
                continue;
            }
            TableId t = tc.table();
            String index = indices.of(t);
            Map<String, ColumnKind> kinds = schemas.kinds(t);
            String versionType = "external";
            long snapshotVersion = -1;
            if (tc.snapshot()) {
                versionType = "external_gte";
                snapshotVersion = snapshotVersion(tc, origins);
            }
            for (NetChange.Delete d : tc.deletes()) {
                long v = changeVersion(origins, d.sources(), snapshotVersion, t);
                if (v >= 0) {
                    String id = DocIds.of(t, tc.keyColumns(), d.key());
                    add(new Bulk.Action(index, id, current.actionLine("delete", index, id, v, versionType), null,
                            new Tag(t, id, d.sources())), origins);
                }
            }
            for (NetChange.Upsert u : tc.upserts()) {
                long v = changeVersion(origins, u.sources(), snapshotVersion, t);
                if (v >= 0) {
                    String id = DocIds.of(t, tc.keyColumns(), u.image());
                    JsonGenerator g = current.generator();
                    write(() -> documents.write(g, t, v, u.image(), kinds));
                    byte[] src = current.take(g);
                    add(new Bulk.Action(index, id, current.actionLine("index", index, id, v, versionType), src,
                            new Tag(t, id, u.sources())), origins);
                }
            }
            for (TableChanges.PartialGroup group : tc.partials()) {
                for (NetChange.Partial p : group.rows()) {
                    String id = DocIds.of(t, tc.keyColumns(), p.key());
                    JsonNode doc = stored.get(index + '\u0000' + id);
                    long v = changeVersion(origins, p.sources(), snapshotVersion, t);
                    if (v < 0) {
                        continue;
                    }
                    if (doc != null) {
                        overlay(index, id, v, versionType, t, doc, p.values(), kinds, p.sources(), origins);
                    } else {
                        missing(t);
                    }
                }
            }
            for (NetChange.Move m : tc.moves()) {
                String from = DocIds.of(t, tc.keyColumns(), m.fromKey());
                String id = DocIds.of(t, tc.keyColumns(), m.key());
                JsonNode doc = stored.get(index + '\u0000' + from);
                long v = changeVersion(origins, m.sources(), snapshotVersion, t);
                if (v < 0) {
                    continue;
                }
                if (doc != null) {
                    overlay(index, id, v, versionType, t, doc, m.overlay(), kinds, m.sources(), origins);
                } else {
                    missing(t);
                    add(new Bulk.Action(index, id, current.actionLine("delete", index, id, v, versionType), null,
                            new Tag(t, id, m.sources())), origins);
                }
            }
        }
        submit();
        awaitAll(origins);
    }

    /** After a failure: waits for the requests still in flight, and forgets what they did (the batch is applied again). */
    private void drain() {
        current = new Bulk();
        while (!inFlight.isEmpty()) {
            try {
                inFlight.poll().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                inFlight.forEach(f -> f.cancel(true));
                inFlight.clear();
                return;
            } catch (ExecutionException e) {
                // the batch fails already
            }
        }
    }

    /** The version for a change, or -1 after sending its events to the dead letters (no position). */
    private long changeVersion(Origins origins, int[] sources, long snapshotVersion, TableId t) {
        if (snapshotVersion >= 0) {
            return snapshotVersion;
        }
        long v = version(origins, sources);
        if (v < 0) {
            deadLetter(origins, sources, t, "no binlog position: turn on Maxwell's output_binlog_position, or version by offset");
        }
        return v;
    }

    private long snapshotVersion(TableChanges tc, Origins origins) {
        int first = tc.upserts().isEmpty() ? -1 : tc.upserts().get(0).sources()[0];
        Control.Stream st = first < 0 ? null : work(origins.stream(first) == null ? "" : origins.stream(first));
        Long v = st == null ? null : st.bootstraps.get(key(tc.table()));
        if (v != null) {
            return v;
        }
        // rows of a bootstrap whose start this target never saw: the stream's version so far
        return Math.max(0, st == null ? 0 : st.maxVersion);
    }

    private void keyless(TableChanges tc, Origins origins) {
        long n = tc.size();
        keylessTotal += n;
        filtered += n;
        for (NetChange.KeylessDelta d : tc.keylessInserts()) {
            countFiltered(origins, d.sources());
        }
        for (NetChange.KeylessDelta d : tc.keylessDeletes()) {
            countFiltered(origins, d.sources());
        }
        if (keylessLogged.add(tc.table())) {
            log.warn("table {} has no primary key: its rows are not indexed (a document id needs a key)", tc.table());
        }
    }

    /** Counts a partial row or move whose stored document is missing, and logs the first of each table. */
    private void missing(TableId t) {
        missingTotal++;
        if (missingLogged.add(t)) {
            log.warn("table {}: a partial row (MINIMAL image) or key change found no stored document to lay its values over (its row"
                    + " was never indexed: older than the stream, or refused), so no document is written for it; such changes are counted"
                    + " as greenwell.opensearch.missing.documents, and logged once per table", t);
        }
    }

    private void countFiltered(Origins origins, int[] sources) {
        String s = sources.length == 0 ? null : origins.stream(sources[0]);
        if (s != null) {
            filteredByStream.merge(s, 1L, Long::sum);
        }
    }

    private void overlay(String index, String id, long v, String versionType, TableId t, JsonNode doc, Row values,
            Map<String, ColumnKind> kinds, int[] sources, Origins origins) {
        JsonGenerator g = current.generator();
        write(() -> {
            g.writeStartObject();
            g.writeStringField(Documents.DB, t.database());
            g.writeStringField(Documents.TABLE, t.table());
            g.writeNumberField(Documents.VERSION, v);
            var fields = doc.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                String name = f.getKey();
                if (!values.has(name) && !name.equals(Documents.DB) && !name.equals(Documents.TABLE) && !name.equals(Documents.VERSION)) {
                    g.writeFieldName(name);
                    g.writeTree(f.getValue());
                }
            }
            for (int i = 0; i < values.size(); i++) {
                g.writeFieldName(values.name(i));
                ColumnKind k = kinds.get(values.name(i));
                documents.value(g, values.value(i), k == null ? ColumnKind.DYNAMIC : k);
            }
            g.writeEndObject();
        });
        byte[] src = current.take(g);
        add(new Bulk.Action(index, id, current.actionLine("index", index, id, v, versionType), src, new Tag(t, id, sources)), origins);
    }

    /** Reads the stored documents that the step's partial rows and moves start from, by index and id. */
    private Map<String, JsonNode> readStored(List<TableChanges> tables) {
        List<String[]> wanted = new ArrayList<>();
        for (TableChanges tc : tables) {
            if (tc.keyColumns().isEmpty() || tc.partials().isEmpty() && tc.moves().isEmpty()) {
                continue;
            }
            String index = indices.of(tc.table());
            for (TableChanges.PartialGroup g : tc.partials()) {
                for (NetChange.Partial p : g.rows()) {
                    wanted.add(new String[] {index, DocIds.of(tc.table(), tc.keyColumns(), p.key())});
                }
            }
            for (NetChange.Move m : tc.moves()) {
                wanted.add(new String[] {index, DocIds.of(tc.table(), tc.keyColumns(), m.fromKey())});
            }
        }
        Map<String, JsonNode> out = new HashMap<>();
        for (int from = 0; from < wanted.size(); from += 1000) {
            var body = Engine.JSON.createObjectNode();
            var docs = body.putArray("docs");
            for (String[] w : wanted.subList(from, Math.min(wanted.size(), from + 1000))) {
                docs.addObject().put("_index", w[0]).put("_id", w[1]);
            }
            Engine.Reply r = engine.expect("POST", "/_mget?realtime=true", Control.bytes(body), "reading stored documents");
            for (JsonNode d : r.body().path("docs")) {
                if (d.path("found").asBoolean()) {
                    out.put(d.path("_index").asText() + '\u0000' + d.path("_id").asText(), d.path("_source"));
                }
            }
        }
        return out;
    }

    private void add(Bulk.Action a, Origins origins) {
        current.add(a);
        if (current.bytes() >= bulkBytes) {
            submit();
        }
    }

    /**
     * Sends the request being built on a thread of the pool, once fewer than {@code concurrency}
     * are in flight (waiting for the oldest otherwise). Requests of one step may run side by side:
     * a step holds one change per key, so its actions touch one document once, except where a move
     * lands on a key that another change of the step leaves (a delete and an index of one id);
     * there the versions decide, whichever lands first.
     */
    private void submit() {
        if (current.isEmpty()) {
            return;
        }
        Bulk b = current;
        current = new Bulk();
        while (inFlight.size() >= concurrency) {
            handle(await(inFlight.poll()), origins);
        }
        inFlight.add(pool.submit(() -> b.send(engine, retries, firstPause, maxPause)));
    }

    /** Waits for every request in flight; the first failure is thrown once all have ended. */
    private void awaitAll(Origins origins) {
        RuntimeException failure = null;
        while (!inFlight.isEmpty()) {
            try {
                handle(await(inFlight.poll()), origins);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static Bulk.Outcome await(Future<Bulk.Outcome> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.greenwell.cdc.CdcException("interrupted while waiting for a bulk request", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            throw new ApplyException("a bulk request failed: " + c, null, null, false, null, c);
        }
    }

    private void handle(Bulk.Outcome out, Origins origins) {
        applied += out.applied;
        staleTotal += out.stale;
        for (int i = 0; i < out.refused.size(); i++) {
            Tag tag = (Tag) out.refused.get(i).tag;
            refusedTotal++;
            deadLetter(origins, tag.sources(), tag.table(), "refused by the engine (document " + tag.key() + "): " + out.reasons.get(i));
        }
    }

    /** Stops the bulk threads. */
    void close() {
        pool.shutdownNow();
    }

    private void deadLetter(Origins origins, int[] sources, TableId table, String reason) {
        if (deadLetters == null) {
            throw new ApplyException(reason, table, null, false, sources, null);
        }
        deadLetters.write(pipeline, origins, sources, table, reason);
        for (int seq : sources) {
            dead++;
            String s = origins.stream(seq);
            if (s != null) {
                deadByStream.merge(s, 1L, Long::sum);
            }
        }
    }

    private interface Writing {
        void run() throws IOException;
    }

    private static void write(Writing w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
