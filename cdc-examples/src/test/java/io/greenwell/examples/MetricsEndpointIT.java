package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TcpProxy;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code greenwell replay --metrics-port} of a 200,000-event file in a child JVM, its endpoint read
 * over HTTP while it runs: the applied count grows from one reading to the next and never passes
 * the run's final figure, and the lag gauge, the phase timers and the health check are there; and
 * the health check turning 503 while the database cannot be reached, and 200 once it is back.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MetricsEndpointIT {

    private static final Pattern PORT = Pattern.compile("metrics at http://127\\.0\\.0\\.1:(\\d+)/metrics");
    private static final Pattern APPLIED = Pattern.compile("(?m)^greenwell_events_total\\{[^}]*outcome=\"applied\"[^}]*} (\\S+)$");

    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("metricscli");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    /** @return the base address of the endpoint of a child JVM's run, once it said it on standard error; null if it did not */
    static String endpoint(Path dir, int run, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && System.nanoTime() < deadline) {
            Matcher m = PORT.matcher(ChildJvm.err(dir, run));
            if (m.find()) {
                return "http://127.0.0.1:" + m.group(1);
            }
            Thread.sleep(20);
        }
        return null;
    }

    /** Writes a workload's stream to a file. */
    private Path input(Workload w) throws Exception {
        try (Connection c = db.connect()) {
            w.dropSchemas(c);
        }
        Path input = dir.resolve("stream.jsonl");
        try (var out = Files.newOutputStream(input)) {
            for (Scenarios.Record r : w.stream().records()) {
                out.write(r.bytes());
                out.write('\n');
            }
        }
        return input;
    }

    /** @return the body of a GET */
    static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theEndpointShowsTheRunGrowing() throws Exception {
        Workload w = new Workload(5, List.of("metered"), true, 200_000);
        Path input = input(w);
        Process p = ChildJvm.start(dir, 1, "replay", "--input", input.toString(), "--jdbc-url", db.url(), "--batch-events", "1000",
                "--metrics-port", "0", "--metrics-host", "127.0.0.1", "--quiet");
        String base = endpoint(dir, 1, p);
        assertThat(base).as("the endpoint's address on standard error: %s", ChildJvm.err(dir, 1)).isNotNull();
        List<Double> applied = new ArrayList<>();
        String last = null;
        List<String> health = new ArrayList<>();
        while (p.isAlive()) {
            HttpResponse<String> r;
            try {
                r = get(base + "/metrics");
                HttpResponse<String> h = get(base + "/health");
                health.add(h.statusCode() + " " + h.body());
            } catch (java.io.IOException e) {
                break; // the run ended between two readings
            }
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            Matcher m = APPLIED.matcher(r.body());
            if (m.find()) {
                applied.add(Double.parseDouble(m.group(1)));
                last = r.body();
            }
            Thread.sleep(25);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(ChildJvm.err(dir, 1)).isZero();
        long[] summary = ReplayCommandIT.counts(ChildJvm.lastLine(dir, 1));
        assertThat(applied).as("readings of the applied count while the run went on").hasSizeGreaterThanOrEqualTo(2);
        for (int i = 1; i < applied.size(); i++) {
            assertThat(applied.get(i)).as("reading %d", i).isGreaterThanOrEqualTo(applied.get(i - 1));
        }
        assertThat(applied.get(applied.size() - 1)).as("grew").isGreaterThan(applied.get(0));
        assertThat(applied).allSatisfy(v -> assertThat(v).isLessThanOrEqualTo(summary[1]));
        assertThat(last).contains("greenwell_lag_seconds{", "greenwell_table_lag_seconds{",
                "greenwell_phase_seconds_count{phase=\"copy\"", "greenwell_phase_seconds_count{phase=\"commit\"",
                "greenwell_batch_events_count{", "greenwell_sessions_lost_total{", "jvm_memory_used_bytes{");
        // the first readings may come before the pipeline started, the last after it finished, while the process ends
        assertThat(health).as("health while the run went on").contains("200 {\"status\":\"up\",\"reason\":\"running\"}\n")
                .allMatch(h -> h.matches("200 \\{\"status\":\"up\",\"reason\":\"(starting|running|finished)\"}\n"));
        w.assertState(db);
    }

    @Test
    void theHealthIs503WhileTheDatabaseCannotBeReachedAnd200OnceItIsBack() throws Exception {
        Workload w = new Workload(6, List.of("healthcut"), true, 200_000);
        Path input = input(w);
        URI server = URI.create(db.url().substring("jdbc:".length()));
        try (TcpProxy proxy = TcpProxy.to(server.getHost(), server.getPort() < 0 ? 5432 : server.getPort())) {
            String url = db.url().replaceFirst(Pattern.quote(server.getRawAuthority()), "127.0.0.1:" + proxy.port());
            Process p = ChildJvm.start(dir, 2, "replay", "--input", input.toString(), "--jdbc-url", url, "--batch-events", "1000",
                    "--metrics-port", "0", "--metrics-host", "127.0.0.1", "--health-threshold", "1", "--quiet");
            String base = endpoint(dir, 2, p);
            assertThat(base).as("the endpoint's address on standard error: %s", ChildJvm.err(dir, 2)).isNotNull();
            double applied = 0;
            while (applied == 0 && p.isAlive()) {
                Matcher m = APPLIED.matcher(get(base + "/metrics").body());
                applied = m.find() ? Double.parseDouble(m.group(1)) : 0;
                Thread.sleep(10);
            }
            proxy.down();
            assertThat(p.isAlive()).as("still running when the database went away").isTrue();
            assertThat(applied).as("applied before the cut").isPositive().isLessThan(w.stream().records().size());
            HttpResponse<String> down = awaitHealth(base, 503);
            assertThat(down.body()).as("one line of JSON with the reason")
                    .matches("\\{\"status\":\"down\",\"reason\":\"(a batch has not committed for|the checkpoints have not been read for)"
                            + "[^\"\n]*\"}\n");
            assertThat(down.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            String metrics = get(base + "/metrics").body();
            proxy.up();
            HttpResponse<String> up = awaitHealth(base, 200);
            assertThat(up.body()).matches("\\{\"status\":\"up\",\"reason\":\"(running|finished)\"}\n");
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(ChildJvm.err(dir, 2)).isZero();
            assertThat(Pattern.compile("(?m)^greenwell_sessions_lost_total\\{[^}]*} [1-9]").matcher(metrics).find())
                    .as("the lost session counted while the database was away:%n%s", metrics).isTrue();
        }
        w.assertState(db);
    }

    /** @return the first answer of {@code /health} with this status, within 60 s */
    private static HttpResponse<String> awaitHealth(String base, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> h;
        do {
            h = get(base + "/health");
            if (h.statusCode() == status) {
                return h;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("/health never answered " + status + "; last: " + h.statusCode() + " " + h.body());
    }
}
