package io.greenwell.cdc.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.http.HttpHost;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.client.RestClient;
import org.opensearch.common.settings.Settings;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * A real OpenSearch node (the server from Maven Central with its Netty transport), started once per
 * test JVM on loopback with an HTTP port of its own, or the engine at {@code GREENWELL_TEST_OPENSEARCH_URL}
 * when that is set. Tests keep apart by index names of their own.
 */
public final class TestEngine {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));
    private static String url;
    private static RestClient client;

    private TestEngine() {}

    /** A node with the Netty transport plugin, as the server's distribution has it. */
    private static final class LocalNode extends Node {
        LocalNode(Settings s) {
            super(InternalSettingsPreparer.prepareEnvironment(s, Map.of(), null, () -> "greenwell-test"), List.of(Netty4Plugin.class), true);
        }
    }

    /** @return the engine's URL, starting the node on first use */
    public static synchronized String url() {
        if (url == null) {
            String given = System.getenv("GREENWELL_TEST_OPENSEARCH_URL");
            url = given != null && !given.isBlank() ? given : start();
            client = RestClient.builder(HttpHost.create(url)).build();
            call("GET", "/_cluster/health?wait_for_status=yellow&timeout=60s", null);
        }
        return url;
    }

    private static String start() {
        try {
            Path home = Files.createTempDirectory("greenwell-opensearch");
            Settings s = Settings.builder().put("path.home", home.toString()).put("cluster.name", "greenwell-test")
                    .put("node.name", "greenwell-test").put("discovery.type", "single-node").put("network.host", "127.0.0.1")
                    .put("http.port", "0").put("transport.port", "0").put("http.type", "netty4").put("transport.type", "netty4")
                    .put("cluster.routing.allocation.disk.threshold_enabled", false).put("action.auto_create_index", true).build();
            Node node = new LocalNode(s);
            node.start();
            InetSocketAddress a = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().address();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    node.close();
                    node.awaitClose(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    // the JVM is going away
                }
                try (Stream<Path> files = Files.walk(home)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // a temporary directory left behind
                }
            }));
            return "http://127.0.0.1:" + a.getPort();
        } catch (Exception e) {
            throw new IllegalStateException("the in-process OpenSearch node did not start", e);
        }
    }

    /** Sends a request and returns the reply's JSON; an error status is returned as its JSON too. */
    public static JsonNode call(String method, String endpoint, String body) {
        url();
        Request r = new Request(method, endpoint);
        if (body != null) {
            r.setJsonEntity(body);
        }
        try {
            Response resp;
            try {
                resp = client.performRequest(r);
            } catch (ResponseException e) {
                resp = e.getResponse();
            }
            try (InputStream in = resp.getEntity().getContent()) {
                return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes indices by pattern (nothing when none matches). */
    public static void deleteIndices(String pattern) {
        call("DELETE", "/" + pattern + "?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=all", null);
    }

    /** @return every document of an index (or pattern) with its id, version and source, after a refresh */
    public static List<JsonNode> documents(String index) {
        call("POST", "/" + index + "/_refresh?ignore_unavailable=true&allow_no_indices=true", null);
        JsonNode r = call("POST", "/" + index + "/_search?ignore_unavailable=true&allow_no_indices=true",
                "{\"size\":10000,\"version\":true,\"query\":{\"match_all\":{}}}");
        List<JsonNode> out = new ArrayList<>();
        r.path("hits").path("hits").forEach(out::add);
        return out;
    }
}
