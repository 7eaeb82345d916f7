package io.greenwell.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.Health;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code --metrics-port}: the JDK's HTTP server with two paths, {@code /metrics} (the registry in
 * Prometheus's text format) and {@code /health} (200 or 503 with a one-line JSON reason, from
 * {@link CdcPipeline#health()}). One thread of its own; it answers until closed.
 */
final class MetricsServer implements AutoCloseable {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @param port the port; 0 for any free one
     * @return a started server
     * @throws IOException when the address cannot be bound
     */
    static MetricsServer start(String host, int port, PrometheusMeterRegistry registry, CdcPipeline pipeline) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                send(exchange, 200, PROMETHEUS_TEXT, registry.scrape());
            }
        });
        server.createContext("/health", exchange -> {
            try (exchange) {
                Health h = pipeline.health();
                send(exchange, h.up() ? 200 : 503, "application/json",
                        "{\"status\":\"" + (h.up() ? "up" : "down") + "\",\"reason\":\"" + json(h.reason()) + "\"}\n");
            }
        });
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "greenwell-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new MetricsServer(server, executor);
    }

    /** @return the port it listens on */
    int port() {
        return server.getAddress().getPort();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Escapes a string for a JSON string literal. */
    static String json(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
