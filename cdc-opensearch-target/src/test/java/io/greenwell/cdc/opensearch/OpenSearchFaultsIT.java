package io.greenwell.cdc.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.greenwell.cdc.greenplum.Scenarios;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The recorded scenarios replayed through a loopback proxy between the target and the real node
 * that injects faults on a fixed schedule: whole requests answered 429, 500 or 503 without being
 * forwarded, connections cut while a request is being read (never forwarded) and after a bulk
 * request was forwarded (the node applied it, the reply is lost), and bulk replies rewritten so
 * that items the node applied read 429, 500 or 503. The target must retry all of it and end with
 * exactly the expected documents and no dead letters: a retried item that had landed meets its own
 * version and is turned down as stale.
 */
class OpenSearchFaultsIT {

    /**
     * A plain HTTP/1.1 proxy on loopback in front of the node. Faults follow the count of requests
     * (and of bulk requests), so every kind comes early in a run and no request is faulted more
     * than a few times in a row: the target's retries (10) are never used up.
     */
    static final class FaultyProxy implements AutoCloseable {
        final AtomicInteger answered429 = new AtomicInteger();
        final AtomicInteger answered500 = new AtomicInteger();
        final AtomicInteger answered503 = new AtomicInteger();
        final AtomicInteger cutRequests = new AtomicInteger();
        final AtomicInteger lostReplies = new AtomicInteger();
        final AtomicInteger rewrittenItems = new AtomicInteger();
        final AtomicInteger forwarded = new AtomicInteger();
        private final AtomicLong requests = new AtomicLong();
        private final AtomicLong bulks = new AtomicLong();
        private final String node;
        private final HttpClient upstream;
        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "faulty-proxy");
            t.setDaemon(true);
            return t;
        });

        FaultyProxy(String node) throws IOException {
            this.node = node;
            this.upstream = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", ex -> {
                try {
                    handle(ex);
                } finally {
                    // without a reply sent, this closes the connection: a cut
                    ex.close();
                }
            });
            server.setExecutor(threads);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void handle(HttpExchange ex) throws IOException {
            long n = requests.incrementAndGet();
            String path = ex.getRequestURI().getRawPath();
            boolean bulk = path.equals("/_bulk");
            long length = ex.getRequestHeaders().getFirst("Content-length") == null ? 0
                    : Long.parseLong(ex.getRequestHeaders().getFirst("Content-length"));
            InputStream in = ex.getRequestBody();
            if ((n % 17 == 8 || (n > 8 && cutRequests.get() == 0)) && length > 1) {
                // cut while the request is being read: the node never sees it
                in.readNBytes((int) (length / 2));
                cutRequests.incrementAndGet();
                return;
            }
            byte[] body = in.readAllBytes();
            if (n % 7 == 2) {
                answer(ex, 429, "es_rejected_execution_exception", answered429);
                return;
            }
            if (n % 11 == 4) {
                answer(ex, 500, "exception", answered500);
                return;
            }
            if (n % 13 == 6) {
                answer(ex, 503, "cluster_block_exception", answered503);
                return;
            }
            long b = bulk ? bulks.incrementAndGet() : 0;
            String query = ex.getRequestURI().getRawQuery();
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(node + path + (query == null ? "" : "?" + query)))
                    .timeout(Duration.ofSeconds(60))
                    .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            String type = ex.getRequestHeaders().getFirst("Content-type");
            if (type != null) {
                req.header("Content-Type", type);
            }
            HttpResponse<byte[]> reply;
            try {
                reply = upstream.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            forwarded.incrementAndGet();
            byte[] out = reply.body();
            if (bulk && b % 4 == 1) {
                // the node applied the request; its reply is lost
                lostReplies.incrementAndGet();
                return;
            }
            // on the schedule, and until the first rewrite took (with requests in flight, or items the node already held,
            // the scheduled replies may have no applied item to rewrite)
            if (bulk && (b % 4 == 3 || rewrittenItems.get() == 0) && reply.statusCode() == 200) {
                out = rewrite(out);
            }
            reply.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
            send(ex, reply.statusCode(), out);
        }

        /** Every third item the node applied now reads 429, 500 or 503 in turn. */
        private byte[] rewrite(byte[] reply) throws IOException {
            JsonNode root = Engine.JSON.readTree(reply);
            int[] statuses = {429, 503, 500};
            int applied = 0;
            for (JsonNode item : root.path("items")) {
                ObjectNode result = (ObjectNode) item.elements().next();
                int status = result.path("status").asInt();
                if (status >= 200 && status < 300 && applied++ % 3 == 0) {
                    int s = statuses[rewrittenItems.getAndIncrement() % statuses.length];
                    result.put("status", s);
                    result.putObject("error").put("type", s == 429 ? "es_rejected_execution_exception" : "exception")
                            .put("reason", "injected by the test proxy");
                }
            }
            return Engine.JSON.writeValueAsBytes(root);
        }

        private static void answer(HttpExchange ex, int status, String type, AtomicInteger counter) throws IOException {
            counter.incrementAndGet();
            ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
            send(ex, status, ("{\"error\":{\"type\":\"" + type + "\",\"reason\":\"injected by the test proxy\"},\"status\":" + status + "}")
                    .getBytes(StandardCharsets.UTF_8));
        }

        private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                ex.getResponseBody().write(body);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }

        @Override
        public String toString() {
            return "429: " + answered429 + ", 500: " + answered500 + ", 503: " + answered503 + ", cut: " + cutRequests + ", lost replies: "
                    + lostReplies + ", rewritten items: " + rewrittenItems + ", forwarded: " + forwarded;
        }
    }

    @ParameterizedTest(name = "{0}, batches of {1}, bulk requests of {2} bytes, {3} in flight")
    @CsvSource({"music, 1, 5242880, 1", "music, 1000, 2000, 2", "types, 7, 5242880, 1", "ddl, 3, 5242880, 1", "ddl, 1000, 3000, 1"})
    void everyInjectedFaultIsRetriedAndTheIndexEndsExact(String scenario, int batch, long bulkBytes, int concurrency) throws IOException {
        String index = "faults_" + scenario + "_" + batch;
        TestEngine.deleteIndices(index + "*");
        List<Scenarios.Record> records = Scenarios.records(scenario);
        try (FaultyProxy proxy = new FaultyProxy(TestEngine.url())) {
            try (OpenSearchTarget t = OpenSearchTarget.builder().url(proxy.url()).index(index).controlIndex(index + "_control")
                    .deadLetterIndex(index + "_dead").bulkBytes(bulkBytes).bulkConcurrency(concurrency)
                    .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(20)).timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10)).build()) {
                Scenarios.replay(t, "p", "file:" + scenario, records, batch);
            }
            assertThat(proxy.answered429).as("%s", proxy).hasPositiveValue();
            assertThat(proxy.answered500).as("%s", proxy).hasPositiveValue();
            assertThat(proxy.answered503).as("%s", proxy).hasPositiveValue();
            assertThat(proxy.cutRequests).as("%s", proxy).hasPositiveValue();
            assertThat(proxy.lostReplies).as("%s", proxy).hasPositiveValue();
            assertThat(proxy.rewrittenItems).as("%s", proxy).hasPositiveValue();
        }
        assertThat(SearchRows.reasons(TestEngine.documents(index + "_dead"))).isEmpty();
        List<JsonNode> docs = TestEngine.documents(index);
        assertThat(SearchRows.differences(scenario, docs)).isEmpty();
        assertThat(SearchRows.actual(docs, scenario).keySet()).isEqualTo(SearchRows.expected(scenario).keySet());
    }
}
