package io.greenwell.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.opensearch.OpenSearchTarget;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.source.FileSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.client.RestClient;
import org.opensearch.client.RestClientBuilder;
import org.opensearch.common.settings.Settings;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * Greenwell into a search index against the ceiling, in one run on one machine: (a) the pipeline
 * from a file of Maxwell events ({@code FileSource}) into an {@link OpenSearchTarget}; (c) the
 * ceiling: reading the file with Jackson and keeping the final rows in memory, then indexing those
 * documents with one {@code _bulk} request of plain {@code index} actions (or as few as the
 * engine's default {@code http.max_content_length} of 100 MB allows). The workload is
 * {@link ApplyBenchmark}'s ({@link Workload}). Each part runs once untimed on the first 100,000
 * events, then timed on all of them, each into new indices, and checks after a {@code _refresh} that
 * the index holds exactly the final rows: one document per row with {@code _db}, {@code _table},
 * {@code _v} (the version of the row's last event) and the row's columns, decimals as strings in
 * plain notation, datetimes in ISO-8601.
 *
 * <pre>
 * java -cp cdc-bench/target/benchmarks.jar io.greenwell.bench.IndexBenchmark [--events N] [--variant narrow|tables20|wide50] [--opensearch-url URL]
 * </pre>
 *
 * <p>Without {@code --opensearch-url}, an OpenSearch node (the server from Maven Central with its
 * Netty transport) is started in this JVM on loopback, with a temporary home deleted at the end; it
 * shares the machine's cores and this JVM's heap with the benchmark. {@code --parts a} or
 * {@code --parts c} runs one part only (for profiling it); the final line is then left out.
 * {@code --batch-events N} sets Greenwell's batch size (default 200,000 events).
 */
public final class IndexBenchmark {

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** A bulk body is cut before this size: the engine's default {@code http.max_content_length} is 100 MB. */
    private static final int MAX_BODY_BYTES = (100 << 20) - (1 << 20);
    private static final String DATABASE = "bench";

    private final int events;
    private final Workload workload;
    private final String url;
    private final RestClient client;
    private final Path file;
    private final Path warmFile;
    private final Expected expected;
    private final Expected warmExpected;
    /** The ceiling's bulk requests of the run, their bytes and the time of sending them until the reply was read. */
    private int bulkRequests;
    private long bulkBytes;
    private long bulkNanos;
    /** Greenwell's batch size in events. */
    private int batchEvents = BatchLimits.DEFAULT.maxEvents();
    /** Bulk requests in flight per batch; 0 for the target's default. */
    private int bulkConcurrency;

    /** The final rows of a workload file, and the version of each one's last event. */
    private static final class Expected {
        List<Map<Long, Object[]>> rows;
        final List<Map<Long, Long>> versions = new ArrayList<>();

        int documents() {
            int n = 0;
            for (Map<Long, Object[]> t : rows) {
                n += t.size();
            }
            return n;
        }
    }

    private IndexBenchmark(String url, int events, String variant) throws IOException {
        this.url = url;
        this.events = events;
        this.workload = new Workload(variant);
        this.client = client(url);
        this.file = Files.createTempFile("greenwell-index-bench", ".jsonl");
        this.warmFile = Files.createTempFile("greenwell-index-bench-warm", ".jsonl");
        file.toFile().deleteOnExit();
        warmFile.toFile().deleteOnExit();
        this.expected = new Expected();
        this.warmExpected = new Expected();
    }

    /** Runs the benchmark. */
    public static void main(String[] args) throws Exception {
        String url = null;
        int events = 200_000;
        String variant = "narrow";
        String parts = "a,c";
        int batchEvents = BatchLimits.DEFAULT.maxEvents();
        int bulkConcurrency = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--opensearch-url": url = args[++i]; break;
                case "--events": events = Integer.parseInt(args[++i]); break;
                case "--variant": variant = args[++i]; break;
                case "--parts": parts = args[++i]; break;
                case "--batch-events": batchEvents = Integer.parseInt(args[++i]); break;
                case "--bulk-concurrency": bulkConcurrency = Integer.parseInt(args[++i]); break;
                default:
                    usage();
            }
        }
        if (!Workload.VARIANTS.contains(variant) || events < 1) {
            usage();
        }
        LocalNode node = null;
        if (url == null) {
            long t0 = System.nanoTime();
            node = LocalNode.launch();
            url = node.url;
            System.out.printf(Locale.ROOT, "in-process OpenSearch node at %s, started in %.1f s%n", url, (System.nanoTime() - t0) / 1e9);
        }
        try {
            IndexBenchmark bench = new IndexBenchmark(url, events, variant);
            bench.batchEvents = batchEvents;
            bench.bulkConcurrency = bulkConcurrency;
            try {
                bench.run(variant, List.of(parts.split(",")));
            } finally {
                bench.client.close();
            }
        } finally {
            if (node != null) {
                node.shutdown();
            }
        }
    }

    private static void usage() {
        System.err.println("usage: IndexBenchmark [--events N] [--variant narrow|tables20|wide50] [--opensearch-url URL] [--parts a,c] [--batch-events N] [--bulk-concurrency N]");
        System.exit(2);
    }

    private void run(String variant, List<String> parts) throws Exception {
        JsonNode root = call("GET", "/", null);
        call("GET", "/_cluster/health?wait_for_status=yellow&timeout=60s", null);
        long t0 = System.nanoTime();
        generate(file, events, expected);
        generate(warmFile, Math.min(100_000, events), warmExpected);
        System.out.printf(Locale.ROOT, "engine: %s %s at %s%n", root.path("version").path("distribution").asText("opensearch"),
                root.path("version").path("number").asText("?"), url);
        System.out.printf(Locale.ROOT, "workload: %s, %,d events over %d table(s), %d columns, file %,d bytes, %,d final documents,"
                + " generated in %.1f s%n", variant, events, workload.tables, workload.columns().size(), Files.size(file),
                expected.documents(), (System.nanoTime() - t0) / 1e9);
        double[] a = parts.contains("a") ? part("greenwell", this::greenwell, "bench_greenwell") : null;
        double[] c = parts.contains("c") ? part("ceiling", this::ceiling, "bench_ceiling") : null;
        if (a != null && c != null) {
            compareMappings("bench_greenwell_run", "bench_ceiling_run");
        }
        System.out.println();
        System.out.println("| part | seconds | events/s | state |");
        System.out.println("|---|---|---|---|");
        row("(a) Greenwell: file → pipeline → OpenSearch target (versioned bulk actions, checkpoints)", a);
        row("(c) ceiling: Jackson read of the file, final rows in memory, one _bulk of index actions", c);
        if (a != null && c != null) {
            System.out.printf(Locale.ROOT, "index_eps=%d ceiling_eps=%d ceiling_over_greenwell=%.3f documents=%d state_ok=%s%n",
                    Math.round(events / a[0]), Math.round(events / c[0]), c[0] / a[0], expected.documents(), a[1] == 1 && c[1] == 1);
        }
    }

    private void row(String name, double[] r) {
        Workload.printRow(name, r, events);
    }

    @FunctionalInterface
    private interface Part {
        void run(Path input, String index) throws Exception;
    }

    /** @return {seconds of the timed run, 1 when its state was right} */
    private double[] part(String name, Part p, String prefix) throws Exception {
        String warm = prefix + "_warm";
        reset(warm);
        p.run(warmFile, warm);
        boolean warmOk = check(warm, warmExpected);
        String timed = prefix + "_run";
        reset(timed);
        long t0 = System.nanoTime();
        p.run(file, timed);
        double secs = (System.nanoTime() - t0) / 1e9;
        boolean ok = warmOk && check(timed, expected);
        System.out.printf(Locale.ROOT, "%s: %.2f s, %,d events/s, state %s%n", name, secs, Math.round(events / secs), ok ? "ok" : "WRONG");
        return new double[] {secs, ok ? 1 : 0};
    }

    // ---- the parts ----

    private OpenSearchTarget target(String index) {
        OpenSearchTarget.Builder b = OpenSearchTarget.builder().url(url).index(index).controlIndex(index + "_control")
                .deadLetterIndex(index + "_dead");
        if (bulkConcurrency > 0) {
            b.bulkConcurrency(bulkConcurrency);
        }
        return b.build();
    }

    private void greenwell(Path input, String index) throws Exception {
        long[] phases = new long[5];
        try (FileSource source = FileSource.of(input);
                OpenSearchTarget target = target(index)) {
            CdcPipeline.builder().name(index).source(source).target(target)
                    .batchLimits(new BatchLimits(batchEvents, BatchLimits.DEFAULT.maxBytes(), true)).listener(r -> {
                        phases[0] += r.readNanos();
                        phases[1] += r.applyNanos();
                        phases[2] += r.commitNanos();
                        phases[3] += r.netChanges();
                        phases[4]++;
                    }).build().run();
            if (input.equals(file)) {
                System.out.printf(Locale.ROOT, "  greenwell phases: read+decode+compact %.2f s (overlaps apply), bulk requests %.2f s,"
                        + " checkpoints %.2f s, %,d net changes in %d batches, %d stale actions%n", phases[0] / 1e9, phases[1] / 1e9,
                        phases[2] / 1e9, phases[3], phases[4], target.staleActions());
            }
        }
    }

    /** A final row of the ceiling: the version of its last event and its values as the file has them. */
    private record Final(long version, String[] values) {}

    private void ceiling(Path input, String index) throws Exception {
        List<String> cols = workload.columns();
        Map<String, Integer> colIndex = new HashMap<>();
        for (int i = 0; i < cols.size(); i++) {
            colIndex.put(cols.get(i), i);
        }
        Map<String, Integer> tableIndex = new HashMap<>();
        List<Map<Long, Final>> rows = new ArrayList<>();
        for (int t = 0; t < workload.tables; t++) {
            tableIndex.put(workload.tableName(t), t);
            rows.add(new HashMap<>());
        }
        // reading the input: every token, the final row of every key kept
        long t0 = System.nanoTime();
        try (InputStream in = Files.newInputStream(input); JsonParser p = JSON.createParser(in)) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String table = null;
                String type = null;
                String position = null;
                int xoffset = -1;
                boolean commit = false;
                String[] values = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken v = p.nextToken();
                    switch (f) {
                        case "table": table = p.getText(); break;
                        case "type": type = p.getText(); break;
                        case "position": position = p.getText(); break;
                        case "xoffset": xoffset = p.getIntValue(); break;
                        case "commit": commit = v == JsonToken.VALUE_TRUE; break;
                        case "data":
                            values = new String[cols.size()];
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                Integer c = colIndex.get(p.currentName());
                                p.nextToken();
                                values[c] = p.getText();
                            }
                            break;
                        default:
                            p.skipChildren();
                    }
                }
                boolean delete = "delete".equals(type);
                if (delete || "insert".equals(type) || "update".equals(type)) {
                    Map<Long, Final> t = rows.get(tableIndex.get(table));
                    long id = Long.parseLong(values[0]);
                    if (delete) {
                        t.remove(id);
                    } else {
                        t.put(id, new Final(version(position, xoffset, commit), values));
                    }
                }
            }
        }
        // and writing the result: the index mapped as the target maps it, then the documents
        long t1 = System.nanoTime();
        Request create = new Request("PUT", "/" + index);
        create.setJsonEntity(indexBody());
        client.performRequest(create);
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 << 20);
        byte[] action = ("{\"index\":{\"_index\":\"" + index + "\",\"_id\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] actionEnd = "\"}}\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream doc = new ByteArrayOutputStream(4096);
        for (int t = 0; t < workload.tables; t++) {
            String table = workload.tableName(t);
            for (Map.Entry<Long, Final> e : rows.get(t).entrySet()) {
                doc.reset();
                doc.write(action);
                doc.write((DATABASE + "." + table + "/" + e.getKey()).getBytes(StandardCharsets.UTF_8));
                doc.write(actionEnd);
                try (JsonGenerator g = JSON.createGenerator(doc, JsonEncoding.UTF8)) {
                    g.writeStartObject();
                    g.writeStringField("_db", DATABASE);
                    g.writeStringField("_table", table);
                    g.writeNumberField("_v", e.getValue().version());
                    String[] v = e.getValue().values();
                    for (int i = 0; i < cols.size(); i++) {
                        g.writeFieldName(cols.get(i));
                        String col = cols.get(i);
                        if (v[i] == null) {
                            g.writeNull();
                        } else if (col.equals("c")) {
                            g.writeString(v[i].indexOf('E') < 0 && v[i].indexOf('e') < 0 ? v[i] : new BigDecimal(v[i]).toPlainString());
                        } else if (col.equals("e")) {
                            g.writeString(v[i].length() > 10 && v[i].charAt(10) == ' ' ? v[i].substring(0, 10) + 'T' + v[i].substring(11) : v[i]);
                        } else if (col.equals("b") || col.equals("d")) {
                            g.writeString(v[i]);
                        } else {
                            g.writeNumber(v[i]);
                        }
                    }
                    g.writeEndObject();
                }
                doc.write('\n');
                if (body.size() + doc.size() > MAX_BODY_BYTES) {
                    bulk(body);
                    body.reset();
                }
                doc.writeTo(body);
            }
        }
        if (body.size() > 0) {
            bulk(body);
        }
        if (input.equals(file)) {
            System.out.printf(Locale.ROOT, "  ceiling phases: read+final rows %.2f s, index creation, documents and bulk requests %.2f s"
                    + " (%d requests, %,d bytes, of which waiting for the engine %.2f s)%n", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9,
                    bulkRequests, bulkBytes, bulkNanos / 1e9);
        }
        bulkRequests = 0;
        bulkBytes = 0;
        bulkNanos = 0;
    }

    /** Sends one bulk body; any refused action is an error. */
    private void bulk(ByteArrayOutputStream body) throws IOException {
        long t0 = System.nanoTime();
        bulkRequests++;
        bulkBytes += body.size();
        Request r = new Request("POST", "/_bulk?filter_path=errors,items.*.error");
        r.setEntity(new ByteArrayEntity(body.toByteArray(), ContentType.APPLICATION_JSON));
        Response resp = client.performRequest(r);
        JsonNode reply;
        try (InputStream in = resp.getEntity().getContent()) {
            reply = MAPPER.readTree(in);
        }
        if (reply.path("errors").asBoolean()) {
            String s = reply.toString();
            throw new IllegalStateException("the bulk request had errors: " + (s.length() > 1000 ? s.substring(0, 1000) + "..." : s));
        }
        bulkNanos += System.nanoTime() - t0;
    }

    /** The version the target gives an event: binlog file number, offset, and row in the transaction (see its {@code Versions}). */
    private static long version(String position, int xoffset, boolean commit) {
        int colon = position.lastIndexOf(':');
        int dot = position.lastIndexOf('.', colon);
        long fileNumber = Long.parseLong(position.substring(dot + 1, colon));
        long offset = Long.parseLong(position.substring(colon + 1));
        long rank = commit ? 2047 : Math.min(Math.max(xoffset, 0), 2046);
        return fileNumber << 43 | offset << 11 | rank;
    }

    /** The settings and mappings the target gives its index: its template's, and each column's by its MySQL type. */
    private String indexBody() {
        StringBuilder props = new StringBuilder("\"_db\":{\"type\":\"keyword\"},\"_table\":{\"type\":\"keyword\"},\"_v\":{\"type\":\"long\"}");
        String text = "{\"type\":\"text\",\"fields\":{\"keyword\":{\"type\":\"keyword\",\"ignore_above\":256}}}";
        for (String c : workload.columns()) {
            String m;
            switch (c) {
                case "b": case "d": m = text; break;
                case "c": m = "{\"type\":\"keyword\",\"ignore_above\":8191}"; break;
                case "e": m = "{\"type\":\"date\",\"format\":\"strict_date_optional_time\"}"; break;
                default: m = "{\"type\":\"long\"}";
            }
            props.append(",\"").append(c).append("\":").append(m);
        }
        return "{\"settings\":{\"index.mapping.ignore_malformed\":true},\"mappings\":{\"date_detection\":false,\"properties\":{" + props
                + "}}}";
    }

    /** Warns when the ceiling's index is not mapped as the target mapped its own. */
    private void compareMappings(String greenwell, String ceiling) throws IOException {
        JsonNode a = call("GET", "/" + greenwell + "/_mapping", null).path(greenwell).path("mappings");
        JsonNode c = call("GET", "/" + ceiling + "/_mapping", null).path(ceiling).path("mappings");
        if (!a.equals(c)) {
            System.out.println("  warning: the indices are mapped differently: greenwell " + a + ", ceiling " + c);
        }
    }

    // ---- the workload and the checks ----

    private void generate(Path out, int n, Expected into) throws IOException {
        into.versions.clear();
        for (int t = 0; t < workload.tables; t++) {
            into.versions.add(new HashMap<>());
        }
        into.rows = workload.generate(out, n, (t, id, delete, position, xoffset, commit) -> {
            if (delete) {
                into.versions.get(t).remove(id);
            } else {
                into.versions.get(t).put(id, version("mysql-bin.000001:" + position, xoffset, commit));
            }
        });
    }

    /** Deletes the indices of a run. */
    private void reset(String index) throws IOException {
        call("DELETE", "/" + index + "," + index + "_control," + index + "_dead?ignore_unavailable=true&allow_no_indices=true", null);
    }

    /**
     * @return whether the index holds exactly the expected documents: one per final row, with its
     *     id, {@code _db}, {@code _table}, {@code _v} and columns, and no other
     */
    private boolean check(String index, Expected want) throws IOException {
        call("POST", "/" + index + "/_refresh", null);
        List<String> cols = workload.columns();
        Map<String, Map<String, String>> wanted = new HashMap<>();
        for (int t = 0; t < workload.tables; t++) {
            String table = workload.tableName(t);
            for (Map.Entry<Long, Object[]> e : want.rows.get(t).entrySet()) {
                Map<String, String> doc = new TreeMap<>();
                doc.put("_db", "s:" + DATABASE);
                doc.put("_table", "s:" + table);
                doc.put("_v", "n:" + want.versions.get(t).get(e.getKey()));
                Object[] r = e.getValue();
                for (int i = 0; i < cols.size(); i++) {
                    Object v = r[i];
                    String s;
                    if (v instanceof BigDecimal) {
                        s = "s:" + ((BigDecimal) v).toPlainString();
                    } else if (cols.get(i).equals("e")) {
                        s = "s:" + ((String) v).replace(' ', 'T');
                    } else if (v instanceof String) {
                        s = "s:" + v;
                    } else {
                        s = "n:" + v;
                    }
                    doc.put(cols.get(i), s);
                }
                wanted.put(DATABASE + "." + table + "/" + e.getKey(), doc);
            }
        }
        long found = 0;
        int wrong = 0;
        String firstWrong = null;
        JsonNode page = call("POST", "/" + index + "/_search?scroll=2m", "{\"size\":10000,\"sort\":[\"_doc\"],\"query\":{\"match_all\":{}}}");
        String scroll = page.path("_scroll_id").asText();
        try {
            while (page.path("hits").path("hits").size() > 0) {
                for (JsonNode hit : page.path("hits").path("hits")) {
                    found++;
                    String id = hit.path("_id").asText();
                    Map<String, String> got = new TreeMap<>();
                    hit.path("_source").properties().forEach(f -> got.put(f.getKey(), canonical(f.getValue())));
                    Map<String, String> w = wanted.remove(id);
                    if (!got.equals(w)) {
                        wrong++;
                        if (firstWrong == null) {
                            firstWrong = id + " holds " + got + ", expected " + w;
                        }
                    }
                }
                page = call("POST", "/_search/scroll", "{\"scroll\":\"2m\",\"scroll_id\":" + MAPPER.writeValueAsString(scroll) + "}");
                scroll = page.path("_scroll_id").asText(scroll);
            }
        } finally {
            call("DELETE", "/_search/scroll", "{\"scroll_id\":[" + MAPPER.writeValueAsString(scroll) + "]}");
        }
        if (wrong > 0 || !wanted.isEmpty()) {
            System.out.printf(Locale.ROOT, "index %s differs: %,d documents, %,d expected, %,d wrong, %,d missing%s%n", index, found,
                    want.documents(), wrong, wanted.size(), firstWrong == null ? "" : "; e.g. " + firstWrong);
            long dead = call("GET", "/" + index + "_dead/_count?ignore_unavailable=true", null).path("count").asLong();
            if (dead > 0) {
                System.out.printf(Locale.ROOT, "  %,d dead letters in %s_dead%n", dead, index);
            }
            return false;
        }
        return true;
    }

    private static String canonical(JsonNode v) {
        if (v.isTextual()) {
            return "s:" + v.asText();
        }
        return v.isNumber() ? "n:" + v.asText() : v.toString();
    }

    // ---- the engine ----

    private static RestClient client(String url) {
        URI uri = URI.create(url);
        int port = uri.getPort() < 0 ? ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 9200) : uri.getPort();
        RestClientBuilder b = RestClient.builder(new HttpHost(uri.getHost(), port, uri.getScheme() == null ? "http" : uri.getScheme()));
        String user = uri.getUserInfo();
        b.setHttpClientConfigCallback(h -> {
            if (user != null) {
                int colon = user.indexOf(':');
                BasicCredentialsProvider cp = new BasicCredentialsProvider();
                cp.setCredentials(AuthScope.ANY, new UsernamePasswordCredentials(colon < 0 ? user : user.substring(0, colon),
                        colon < 0 ? "" : user.substring(colon + 1)));
                h.setDefaultCredentialsProvider(cp);
            }
            return h;
        });
        // a bulk body of 100 MB takes a while
        b.setRequestConfigCallback(r -> r.setConnectTimeout(10_000).setSocketTimeout(600_000));
        return b.build();
    }

    /** Sends a request and returns the reply's JSON; an error status is an exception. */
    private JsonNode call(String method, String endpoint, String body) throws IOException {
        Request r = new Request(method, endpoint);
        if (body != null) {
            r.setJsonEntity(body);
        }
        Response resp;
        try {
            resp = client.performRequest(r);
        } catch (ResponseException e) {
            throw new IOException(method + " " + endpoint + ": " + e.getMessage(), e);
        }
        if (resp.getEntity() == null) {
            return MAPPER.nullNode();
        }
        try (InputStream in = resp.getEntity().getContent()) {
            return MAPPER.readTree(in);
        }
    }

    /**
     * An OpenSearch node in this JVM on loopback, with the Netty transport as the server's
     * distribution has it, a single-node cluster whose home is a temporary directory.
     */
    private static final class LocalNode extends Node {
        private final Path home;
        private String url;

        private LocalNode(Settings s, Path home) {
            super(InternalSettingsPreparer.prepareEnvironment(s, Map.of(), null, () -> "greenwell-bench"), List.of(Netty4Plugin.class), true);
            this.home = home;
        }

        static LocalNode launch() throws Exception {
            Path home = Files.createTempDirectory("greenwell-bench-opensearch");
            Settings s = Settings.builder().put("path.home", home.toString()).put("cluster.name", "greenwell-bench")
                    .put("node.name", "greenwell-bench").put("discovery.type", "single-node").put("network.host", "127.0.0.1")
                    .put("http.port", "0").put("transport.port", "0").put("http.type", "netty4").put("transport.type", "netty4")
                    .put("cluster.routing.allocation.disk.threshold_enabled", false).build();
            LocalNode node = new LocalNode(s, home);
            node.start();
            InetSocketAddress a = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().address();
            node.url = "http://127.0.0.1:" + a.getPort();
            return node;
        }

        void shutdown() {
            try {
                close();
                awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("closing the in-process node: " + e);
            }
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("deleting " + home + ": " + e);
            }
        }
    }
}
