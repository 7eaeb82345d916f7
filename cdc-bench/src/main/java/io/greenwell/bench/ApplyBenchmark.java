package io.greenwell.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.Value;
import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.greenplum.Maintenance;
import io.greenwell.cdc.greenplum.SchemaMapping;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.rabbitmq.RabbitSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.greenwell.cdc.source.FileSource;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Greenwell against the alternatives, in one run on one machine: (a) the pipeline from a file of
 * Maxwell events to committed tables; (b) the per-row baseline every JDBC sink does (one prepared
 * INSERT, UPDATE or DELETE per event, in event order, JDBC batches of 1,000 flushed when the
 * statement kind changes, {@code reWriteBatchedInserts=true}, a commit per batch); (c) the
 * ceiling: only tokenizing the file with Jackson, plus one raw COPY of the final rows; (d) the JDBC
 * sink users would pick instead, Debezium's, fed the same changes as a Debezium MySQL source gives
 * them ({@link DebeziumSink}; PostgreSQL only: its upserts are {@code ON CONFLICT}, which Greenplum 6
 * lacks). Each part runs once untimed on the first 100,000 events, then timed on all of them, each from an empty
 * table, and checks that its final table is the expected state.
 *
 * <pre>
 * java -cp cdc-bench/target/benchmarks.jar io.greenwell.bench.ApplyBenchmark --jdbc-url URL [--events N] [--variant narrow|tables20|wide50|bootstrap]
 * </pre>
 *
 * <p>{@code --variant bootstrap} is a Maxwell bootstrap of one table of N rows ({@code bootstrap-start},
 * the rows, {@code bootstrap-complete}); its parts are (a) and (k), one raw COPY of the same rows
 * into an empty table, and its last line compares their rows per second.
 *
 * <p>With {@code --rabbitmq-uri URI}, part (r) is the pipeline from a RabbitMQ stream queue: the
 * workload's records published to a fanout exchange bound to a new stream queue the way Maxwell's
 * producer does (untimed), then timed from the pipeline's start until the last record is applied;
 * with {@code --rabbitmq-stream-uri URI} as well, the source reads it over the stream protocol.
 * <p>{@code --maintenance off|SECONDS} (with {@code --parts a}) measures bloat: the tables are
 * created first with autovacuum off, Greenwell's maintenance runs every SECONDS (or not at all),
 * and the timed run prints the table's size at the end and the database time (COPY, statements,
 * commit) of the batches of its last 100,000 events; {@code --batch-events N} sets the batches'
 * size (default 200,000).
 *
 * <p>{@code --write-workload FILE} only writes the workload's Maxwell records to a file.
 * {@code --parts a,c} runs only some of the parts (for profiling one of them); the final line, which
 * compares them all, is then left out.
 */
public final class ApplyBenchmark {

    private static final JsonFactory JSON = new JsonFactory();

    private final int events;
    /** Events of the per-row baseline's timed run: all of them, or a prefix (its rate then stands for the whole). */
    private int baselineEvents;
    private final Workload workload;
    private final int tables;
    /** Whether Greenwell's pipeline runs with a meter registry. */
    private boolean metrics;
    /** Whether Greenwell's target commits synchronously. */
    private boolean synchronousCommit;
    /** Greenwell's batch size in events. */
    private int batchEvents;
    private final int extraColumns;
    private final String url;
    private final Path file;
    private final Path warmFile;
    /** The final rows per table: key to the rendered row (as the checks read it back). */
    private final List<Map<Long, String>> expected = new ArrayList<>();
    private final List<Map<Long, String>> warmExpected = new ArrayList<>();
    private String rabbitUri;
    /** The stream queue part (r) consumes, declared and filled by its untimed preparation. */
    private String rabbitQueue;
    /** Part (r) over RabbitMQ's stream protocol; null: over AMQP 0-9-1. */
    private String rabbitStreamUri;
    /** Part (r) over the stream protocol: the chunks the broker may send ahead; 0: the source's default. */
    private int rabbitCredits;
    private int rabbitRecords;
    /** {@code --maintenance}: null when not given, 0 for off, else the interval in seconds. */
    private Integer maintenanceSeconds;
    /** Whether the Greenwell part archives its events (part x). */
    private boolean archiving;
    /** Part (h): the maximum heap of the child {@code greenwell replay}, and its jar. */
    private int heapMb = 256;
    private String greenwellJar = "cdc-examples/target/greenwell.jar";
    /** Part (h)'s last child: its peak resident set, its garbage collector's pauses (total, count). */
    private long childPeakRssKb;
    private double childGcPauseMs;
    private int childGcPauses;

    private ApplyBenchmark(String url, int events, String variant) throws IOException {
        this.url = url;
        this.events = events;
        this.workload = new Workload(variant);
        this.tables = workload.tables;
        this.extraColumns = workload.extraColumns;
        this.file = Files.createTempFile("greenwell-bench", ".jsonl");
        this.warmFile = Files.createTempFile("greenwell-bench-warm", ".jsonl");
        this.baselineEvents = events;
        file.toFile().deleteOnExit();
        warmFile.toFile().deleteOnExit();
    }

    /** Runs the benchmark. */
    public static void main(String[] args) throws Exception {
        String url = null;
        int events = 1_000_000;
        String variant = "narrow";
        String output = null;
        String parts = "a,b,c,d";
        int baselineEvents = -1;
        String rabbitUri = null;
        String rabbitStreamUri = null;
        int rabbitCredits = 0;
        boolean metrics = false;
        boolean synchronousCommit = false;
        String maintenance = null;
        int batchEvents = BatchLimits.DEFAULT.maxEvents();
        Integer heapMb = null;
        String jar = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--write-workload": output = args[++i]; break;
                case "--jdbc-url": url = args[++i]; break;
                case "--events": events = Integer.parseInt(args[++i]); break;
                case "--variant": variant = args[++i]; break;
                case "--parts": parts = args[++i]; break;
                case "--baseline-events": baselineEvents = Integer.parseInt(args[++i]); break;
                case "--rabbitmq-uri": rabbitUri = args[++i]; break;
                case "--rabbitmq-stream-uri": rabbitStreamUri = args[++i]; break;
                case "--rabbitmq-credits": rabbitCredits = Integer.parseInt(args[++i]); break;
                case "--metrics": metrics = true; break;
                case "--archive": parts += parts.contains("x") ? "" : ",x"; break;
                case "--synchronous-commit": synchronousCommit = true; break;
                case "--maintenance": maintenance = args[++i]; break;
                case "--batch-events": batchEvents = Integer.parseInt(args[++i]); break;
                case "--heap-mb": heapMb = Integer.parseInt(args[++i]); break;
                case "--greenwell-jar": jar = args[++i]; break;
                default:
                    System.err.println("usage: ApplyBenchmark --jdbc-url URL [--events N] [--variant narrow|tables20|wide50|bootstrap] [--parts a,b,c,d,h,k,r] [--baseline-events N] [--metrics] [--synchronous-commit] [--batch-events N] [--maintenance off|SECONDS] [--rabbitmq-uri URI [--rabbitmq-stream-uri URI [--rabbitmq-credits N]]] [--archive] [--heap-mb N] [--greenwell-jar PATH]");
                    System.exit(2);
            }
        }
        if (output != null) {
            // only write the workload, for profiling the parts separately
            ApplyBenchmark b = new ApplyBenchmark("none", events, variant);
            b.generate(Path.of(output), events, b.expected);
            return;
        }
        if (url == null || !List.of("narrow", "tables20", "wide50", "bootstrap").contains(variant)) {
            System.err.println("usage: ApplyBenchmark --jdbc-url URL [--events N] [--variant narrow|tables20|wide50|bootstrap]");
            System.exit(2);
        }
        if (variant.equals("bootstrap") && parts.equals("a,b,c,d")) {
            parts = "a,k";
        }
        ApplyBenchmark bench = new ApplyBenchmark(url, events, variant);
        if (baselineEvents > 0) {
            bench.baselineEvents = Math.min(baselineEvents, events);
        }
        bench.rabbitUri = rabbitUri;
        bench.rabbitStreamUri = rabbitStreamUri;
        bench.rabbitCredits = rabbitCredits;
        if (rabbitUri != null && !parts.contains("r")) {
            parts += ",r";
        }
        bench.metrics = metrics;
        bench.synchronousCommit = synchronousCommit;
        if (maintenance != null) {
            bench.maintenanceSeconds = maintenance.equals("off") ? 0 : Integer.parseInt(maintenance);
        }
        bench.batchEvents = batchEvents;
        if (heapMb != null) {
            bench.heapMb = heapMb;
        }
        if (jar != null) {
            bench.greenwellJar = jar;
        }
        bench.run(variant, List.of(parts.split(",")));
    }

    private void run(String variant, List<String> parts) throws Exception {
        long t0 = System.nanoTime();
        generate(file, events, expected);
        generate(warmFile, Math.min(100_000, events), warmExpected);
        System.out.printf(Locale.ROOT, "workload: %s, %,d events over %d table(s), %d columns, file %,d bytes, generated in %.1f s%n",
                variant, events, tables, 6 + extraColumns, Files.size(file), (System.nanoTime() - t0) / 1e9);
        double[] a = parts.contains("a") ? part("greenwell", this::greenwell) : null;
        double[] b = null;
        if (parts.contains("b") && baselineEvents < events) {
            // the per-row baseline on a prefix of the same workload; its events/s stand for the whole run
            Path bFile = Files.createTempFile("greenwell-bench-baseline", ".jsonl");
            Path bWarm = Files.createTempFile("greenwell-bench-baseline-warm", ".jsonl");
            bFile.toFile().deleteOnExit();
            bWarm.toFile().deleteOnExit();
            List<Map<Long, String>> bExpected = new ArrayList<>();
            List<Map<Long, String>> bWarmExpected = new ArrayList<>();
            generate(bFile, baselineEvents, bExpected);
            generate(bWarm, Math.max(1, Math.min(100_000, baselineEvents / 5)), bWarmExpected);
            System.out.printf(Locale.ROOT, "per-row baseline: on the first %,d events (warm-up on %,d), its rate scaled to the %,d%n",
                    baselineEvents, Math.max(1, Math.min(100_000, baselineEvents / 5)), events);
            b = part("per-row baseline", this::baseline, bWarm, bWarmExpected, bFile, bExpected, baselineEvents);
            b[0] = b[0] * events / baselineEvents;
        } else if (parts.contains("b")) {
            b = part("per-row baseline", this::baseline);
        }
        double[] c = parts.contains("c") ? part("ceiling", this::ceiling) : null;
        double[] h = parts.contains("h") ? part("greenwell replay, a process of its own with -Xmx" + heapMb + "m", this::smallHeap) : null;
        double[] k = parts.contains("k") ? part("raw COPY", this::rawCopy) : null;
        double[] d = null;
        if (parts.contains("d") && greenplum()) {
            System.out.println("part (d) left out: the Debezium JDBC sink's upserts are INSERT ... ON CONFLICT, which Greenplum 6 lacks");
        } else if (parts.contains("d")) {
            DebeziumSink sink = new DebeziumSink(workload);
            List<org.apache.kafka.connect.sink.SinkRecord>[] records = new List[1];
            d = part("Debezium JDBC sink", (input, schema) -> {
                records[0] = null;
                records[0] = sink.records(input);
                createTables(schema);
            }, (input, schema) -> DebeziumSink.apply(records[0], url, schema, 1_000), warmFile, warmExpected, file, expected, events);
            records[0] = null;
        }
        double[] x = null;
        long[] archived = null;
        if (parts.contains("x")) {
            archiving = true;
            x = part("greenwell with the change archive", this::greenwell);
            archiving = false;
            archived = archiveSize();
        }
        double[] r = null;
        if (parts.contains("r")) {
            if (rabbitUri == null) {
                throw new IllegalArgumentException("part r needs --rabbitmq-uri");
            }
            r = part("greenwell from a RabbitMQ stream queue", this::publishToStream, this::fromStream, warmFile, warmExpected, file, expected, events);
        }
        System.out.println();
        System.out.println("| part | seconds | events/s | state |");
        System.out.println("|---|---|---|---|");
        row("(a) Greenwell: file → pipeline → committed tables", a);
        row("(b) per-row JDBC baseline", b);
        row("(c) ceiling: Jackson tokenize + raw COPY of the final rows", c);
        row("(d) Debezium JDBC sink, reduction buffer, batches of 1,000", d);
        row("(k) raw COPY of the final rows into empty tables", k);
        row("(r) Greenwell: RabbitMQ stream queue " + (rabbitStreamUri != null ? "(stream protocol)" : "(AMQP 0-9-1)")
                + " → pipeline → committed tables", r);
        row("(x) Greenwell with the change archive", x);
        row("(h) greenwell replay in a JVM of its own, -Xmx" + heapMb + "m, default options", h);
        if (a != null && b != null && c != null) {
            boolean ok = a[1] == 1 && b[1] == 1 && c[1] == 1 && (d == null || d[1] == 1);
            System.out.printf(Locale.ROOT, "greenwell_eps=%d baseline_eps=%d speedup_vs_baseline=%.2f ceiling_over_greenwell=%.3f%s state_ok=%s%n",
                    Math.round(events / a[0]), Math.round(events / b[0]), b[0] / a[0], c[0] / a[0],
                    d == null ? "" : String.format(Locale.ROOT, " debezium_eps=%d speedup_vs_debezium=%.2f", Math.round(events / d[0]), d[0] / a[0]),
                    ok);
        } else if (a != null && d != null) {
            System.out.printf(Locale.ROOT, "greenwell_eps=%d debezium_eps=%d speedup_vs_debezium=%.2f state_ok=%s%n",
                    Math.round(events / a[0]), Math.round(events / d[0]), d[0] / a[0], a[1] == 1 && d[1] == 1);
        }
        if (a != null && k != null && workload.bootstrap) {
            System.out.printf(Locale.ROOT, "bootstrap_rows_per_s=%d raw_copy_rows_per_s=%d bootstrap_over_copy=%.3f state_ok=%s%n",
                    Math.round(events / a[0]), Math.round(events / k[0]), k[0] / a[0], a[1] == 1 && k[1] == 1);
        }
        if (h != null) {
            System.out.printf(Locale.ROOT, "heap_mb=%d replay_seconds=%.2f replay_eps=%d peak_rss_mb=%d gc_pause_ms=%.0f gc_pauses=%d state_ok=%s%n",
                    heapMb, h[0], Math.round(events / h[0]), childPeakRssKb / 1024, childGcPauseMs, childGcPauses, h[1] == 1);
        }
        if (x != null) {
            System.out.printf(Locale.ROOT, "archive_eps=%d%s archived_events=%d archive_bytes=%d archive_bytes_per_event=%.1f state_ok=%s%n",
                    Math.round(events / x[0]), a != null ? String.format(Locale.ROOT, " greenwell_eps=%d archive_over_plain=%.3f",
                            Math.round(events / a[0]), a[0] / x[0]) : "", archived[0], archived[1], (double) archived[1] / archived[0],
                    x[1] == 1 && (a == null || a[1] == 1) && archived[0] == records(file));
        }
        if (r != null && b != null) {
            System.out.printf(Locale.ROOT, "rabbitmq_stream_eps=%d protocol=%s baseline_eps=%d speedup_vs_baseline=%.2f%s state_ok=%s%n",
                    Math.round(events / r[0]), rabbitStreamUri != null ? "stream" : "amqp091", Math.round(events / b[0]), b[0] / r[0],
                    a != null ? String.format(Locale.ROOT, " file_over_stream=%.2f", r[0] / a[0]) : "", r[1] == 1 && b[1] == 1);
        }
    }

    private void row(String name, double[] r) {
        Workload.printRow(name, r, events);
    }

    @FunctionalInterface
    private interface Part {
        void run(Path input, String schema) throws Exception;
    }

    /** @return {seconds of the timed run, 1 when its state was right} */
    private double[] part(String name, Part p) throws Exception {
        return part(name, p, warmFile, warmExpected, file, expected, events);
    }

    /** @return {seconds of the timed run, 1 when its state was right} */
    private double[] part(String name, Part p, Path warm, List<Map<Long, String>> warmRows, Path timed, List<Map<Long, String>> timedRows,
            int n) throws Exception {
        return part(name, (input, schema) -> { }, p, warm, warmRows, timed, timedRows, n);
    }

    /** @return {seconds of the timed run, 1 when its state was right}; {@code prepare} runs before each run, untimed */
    private double[] part(String name, Part prepare, Part p, Path warm, List<Map<Long, String>> warmRows, Path timed,
            List<Map<Long, String>> timedRows, int n) throws Exception {
        reset("bench_warm");
        prepare.run(warm, "bench_warm");
        p.run(warm, "bench_warm");
        boolean warmOk = check("bench_warm", warmRows);
        reset("bench_run");
        prepare.run(timed, "bench_run");
        long t0 = System.nanoTime();
        p.run(timed, "bench_run");
        double secs = (System.nanoTime() - t0) / 1e9;
        boolean ok = warmOk && check("bench_run", timedRows);
        System.out.printf(Locale.ROOT, "%s: %.2f s, %,d events/s, state %s%n", name, secs, Math.round(n / secs), ok ? "ok" : "WRONG");
        return new double[] {secs, ok ? 1 : 0};
    }

    // ---- the parts ----

    /**
     * Part (h): the command line's {@code replay} of the file in a JVM of its own with a small maximum heap and every other
     * option at its default; its peak resident set read from {@code /proc} while it runs, its collector's pauses from its
     * {@code -Xlog:gc} log. A failing process (an {@code OutOfMemoryError}) fails the part.
     */
    private void smallHeap(Path input, String schema) throws Exception {
        Path gcLog = Files.createTempFile("greenwell-bench-gc", ".log");
        Path out = Files.createTempFile("greenwell-bench-replay", ".log");
        gcLog.toFile().deleteOnExit();
        out.toFile().deleteOnExit();
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(javaBin, "-Xmx" + heapMb + "m", "-Xlog:gc:file=" + gcLog, "-jar", greenwellJar, "replay",
                "--input", input.toString(), "--jdbc-url", url, "--schema-map", "bench=" + schema, "--pipeline", schema, "--quiet")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        Path status = Path.of("/proc/" + child.pid() + "/status");
        long peak = 0;
        while (!child.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peak = Math.max(peak, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (IOException e) {
                // it just ended, or there is no /proc here
            }
        }
        if (child.exitValue() != 0) {
            List<String> lines = Files.readAllLines(out);
            throw new IllegalStateException("greenwell replay -Xmx" + heapMb + "m exited " + child.exitValue() + ": "
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
        }
        double pauses = 0;
        int count = 0;
        java.util.regex.Pattern pause = java.util.regex.Pattern.compile("Pause.* ([0-9.]+)ms$");
        for (String line : Files.readAllLines(gcLog)) {
            java.util.regex.Matcher m = pause.matcher(line);
            if (m.find()) {
                pauses += Double.parseDouble(m.group(1));
                count++;
            }
        }
        childPeakRssKb = peak;
        childGcPauseMs = pauses;
        childGcPauses = count;
    }

    private void greenwell(Path input, String schema) throws Exception {
        if (maintenanceSeconds != null) {
            createTables(schema);
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                for (int t = 0; t < tables; t++) {
                    st.execute("ALTER TABLE " + schema + "." + tableName(t) + " SET (autovacuum_enabled = off)");
                }
            }
        }
        Maintenance maintenance = maintenanceSeconds == null || maintenanceSeconds == 0 ? null
                : Maintenance.every(Duration.ofSeconds(maintenanceSeconds));
        try (FileSource source = FileSource.of(input);
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(url).synchronousCommit(synchronousCommit).maintenance(maintenance)
                        .archive(archiving)
                        .schemaMapping(SchemaMapping.builder().mapper(db -> schema).build()).build()) {
            long[] phases = new long[5];
            List<long[]> batches = new ArrayList<>();
            CdcPipeline.Builder b = CdcPipeline.builder().name(schema).source(source).target(target)
                    .batchLimits(new BatchLimits(batchEvents, BatchLimits.DEFAULT.maxBytes(), true)).listener(r -> {
                        phases[0] += r.readNanos();
                        phases[1] += r.stageNanos();
                        phases[2] += r.applyNanos();
                        phases[3] += r.commitNanos();
                        phases[4] += r.netChanges();
                        batches.add(new long[] {r.events(), r.stageNanos() + r.applyNanos() + r.commitNanos()});
                    });
            if (metrics) {
                b.meterRegistry(new SimpleMeterRegistry());
            }
            b.build().run();
            if (input.equals(file)) {
                System.out.printf(Locale.ROOT, "  greenwell phases: read+decode+compact %.2f s (overlaps apply), COPY %.2f s, statements %.2f s,"
                        + " commit %.2f s, %,d net changes%n", phases[0] / 1e9, phases[1] / 1e9, phases[2] / 1e9, phases[3] / 1e9, phases[4]);
                if (maintenanceSeconds != null) {
                    bloat(schema, batches);
                }
            }
        }
    }

    /** Part (r), untimed: a new stream queue bound to a fanout exchange, and the records published to it as Maxwell's producer does. */
    private void publishToStream(Path input, String schema) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(rabbitUri);
        rabbitQueue = "greenwell-bench-" + schema + "-" + System.nanoTime();
        String exchange = rabbitQueue;
        long t0 = System.nanoTime();
        int n = 0;
        try (com.rabbitmq.client.Connection c = f.newConnection("greenwell-bench"); Channel ch = c.createChannel()) {
            ch.queueDeclare(rabbitQueue, true, false, false, Map.of("x-queue-type", "stream"));
            ch.exchangeDeclare(exchange, "fanout", false, true, null);
            ch.queueBind(rabbitQueue, exchange, "#");
            ch.confirmSelect();
            try (InputStream in = Files.newInputStream(input)) {
                for (byte[] line : lines(in)) {
                    ch.basicPublish(exchange, schema + "." + tableName(0), null, line);
                    if (++n % 50_000 == 0) {
                        ch.waitForConfirmsOrDie(120_000);
                    }
                }
            }
            ch.waitForConfirmsOrDie(120_000);
            ch.exchangeDelete(exchange);
        }
        rabbitRecords = n;
        System.out.printf(Locale.ROOT, "  published %,d records to stream queue %s in %.1f s (untimed)%n", n, rabbitQueue, (System.nanoTime() - t0) / 1e9);
        if (input.equals(file)) {
            if (rabbitStreamUri != null) {
                streamProtocolCeiling();
            } else {
                brokerCeiling(f);
            }
        }
    }

    /**
     * The broker's own ceiling, untimed for part (r): a bare AMQP 0-9-1 consumer of the same
     * stream queue, with the same prefetch, that only counts the deliveries (a multiple
     * acknowledgement every half prefetch). No source over AMQP 0-9-1 can be faster than this.
     */
    private void brokerCeiling(ConnectionFactory f) throws Exception {
        int prefetch = 5_000;
        CountDownLatch done = new CountDownLatch(1);
        try (com.rabbitmq.client.Connection c = f.newConnection("greenwell-bench"); Channel ch = c.createChannel()) {
            ch.basicQos(prefetch);
            long t0 = System.nanoTime();
            long[] count = new long[1];
            ch.basicConsume(rabbitQueue, false, Map.of("x-stream-offset", "first"), new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope e, AMQP.BasicProperties p, byte[] body)
                        throws IOException {
                    if (++count[0] % (prefetch / 2) == 0) {
                        ch.basicAck(e.getDeliveryTag(), true);
                    }
                    if (count[0] == rabbitRecords) {
                        done.countDown();
                    }
                }
            });
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the bare consumer did not get every record");
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "  broker ceiling: a bare AMQP 0-9-1 consumer of the same stream queue, prefetch %,d, counting only:"
                    + " %.2f s, %,d messages/s (untimed for part r)%n", prefetch, secs, Math.round(rabbitRecords / secs));
        }
    }

    /**
     * The broker's own ceiling over the stream protocol, untimed for part (r): a bare consumer of
     * the same stream queue, through the same URI and with the same credits as the source, that
     * only counts the messages.
     */
    private void streamProtocolCeiling() throws Exception {
        java.net.URI u = java.net.URI.create(rabbitStreamUri);
        com.rabbitmq.stream.Address entry = new com.rabbitmq.stream.Address(u.getHost(), u.getPort() < 0 ? 5552 : u.getPort());
        CountDownLatch done = new CountDownLatch(1);
        try (com.rabbitmq.stream.Environment env = com.rabbitmq.stream.Environment.builder().uri(rabbitStreamUri).addressResolver(a -> entry)
                .build()) {
            long t0 = System.nanoTime();
            java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
            try (com.rabbitmq.stream.Consumer consumer = env.consumerBuilder().stream(rabbitQueue)
                    .offset(com.rabbitmq.stream.OffsetSpecification.first()).noTrackingStrategy()
                    .flow().strategy(com.rabbitmq.stream.ConsumerFlowStrategy.creditWhenHalfMessagesProcessed(4)).builder()
                    .messageHandler((ctx, m) -> {
                        m.getBodyAsBinary();
                        ctx.processed();
                        if (count.incrementAndGet() == rabbitRecords) {
                            done.countDown();
                        }
                    }).build()) {
                if (!done.await(10, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the bare stream consumer did not get every record");
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "  broker ceiling: a bare stream-protocol consumer of the same stream queue, counting only:"
                    + " %.2f s, %,d messages/s (untimed for part r)%n", secs, Math.round(rabbitRecords / secs));
        }
    }

    /** Part (r), timed: the pipeline from the stream queue until its last record is applied. */
    private void fromStream(Path input, String schema) throws Exception {
        RabbitSource.Builder builder = RabbitSource.builder().uri(rabbitUri).queue(rabbitQueue).queueType(RabbitSource.QueueType.STREAM);
        if (rabbitStreamUri != null) {
            builder.streamUri(rabbitStreamUri);
            if (rabbitCredits > 0) {
                builder.credits(rabbitCredits);
            }
        }
        RabbitSource source = builder.build();
        try (source; GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(url).synchronousCommit(synchronousCommit)
                .schemaMapping(SchemaMapping.builder().mapper(db -> schema).build()).build()) {
            long[] seen = new long[1];
            CdcPipeline[] p = new CdcPipeline[1];
            p[0] = CdcPipeline.builder().name(schema).source(source).target(target)
                    .batchLimits(new BatchLimits(batchEvents, BatchLimits.DEFAULT.maxBytes(), true)).listener(r -> {
                seen[0] += r.events();
                if (seen[0] >= rabbitRecords) {
                    p[0].stop();
                }
            }).build();
            p[0].run();
            if (seen[0] != rabbitRecords) {
                throw new IllegalStateException("applied " + seen[0] + " of " + rabbitRecords + " records");
            }
        } finally {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(rabbitUri);
            try (com.rabbitmq.client.Connection c = f.newConnection("greenwell-bench"); Channel ch = c.createChannel()) {
                ch.queueDelete(rabbitQueue);
            }
        }
    }

    /** Prints the first table's size and statistics, and the database time of the batches of the last 100,000 events. */
    private void bloat(String schema, List<long[]> batches) throws SQLException {
        long events = 0;
        long nanos = 0;
        for (int i = batches.size() - 1; i >= 0 && events < 100_000; i--) {
            events += batches.get(i)[0];
            nanos += batches.get(i)[1];
        }
        String table = schema + "." + tableName(0);
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_total_relation_size('" + table + "'), vacuum_count, analyze_count"
                        + " FROM pg_stat_user_tables WHERE relid = '" + table + "'::regclass")) {
            rs.next();
            System.out.printf(Locale.ROOT, "  maintenance %s: %s %.1f MB at the end (vacuum_count %d, analyze_count %d); the last %,d events"
                    + " (%d batches) took %.2f s of COPY, statements and commit%n",
                    maintenanceSeconds == 0 ? "off" : "every " + maintenanceSeconds + " s", table, rs.getLong(1) / 1048576.0, rs.getLong(2),
                    rs.getLong(3), events, batches.size() - Math.max(0, batchesBefore(batches, events)), nanos / 1e9);
        }
    }

    private static int batchesBefore(List<long[]> batches, long lastEvents) {
        long seen = 0;
        int i = batches.size();
        while (i > 0 && seen < lastEvents) {
            seen += batches.get(--i)[0];
        }
        return i;
    }

    private void baseline(Path input, String schema) throws Exception {
        createTables(schema);
        MaxwellDecoder decoder = MaxwellDecoder.create();
        String sep = url.contains("?") ? "&" : "?";
        try (Connection c = DriverManager.getConnection(url + sep + "reWriteBatchedInserts=true")) {
            c.setAutoCommit(false);
            Map<String, PreparedStatement> statements = new HashMap<>();
            PreparedStatement current = null;
            int inBatch = 0;
            try (InputStream in = Files.newInputStream(input)) {
                for (byte[] line : lines(in)) {
                    ChangeEvent e = decoder.decode(line);
                    if (!(e instanceof RowChange)) {
                        continue;
                    }
                    RowChange r = (RowChange) e;
                    String table = schema + "." + r.table().table();
                    String kind = r.op() == Op.INSERT ? "I" : r.op() == Op.UPDATE ? "U" : "D";
                    PreparedStatement ps = statements.get(kind + table);
                    if (ps == null) {
                        ps = c.prepareStatement(statementFor(kind, table));
                        statements.put(kind + table, ps);
                    }
                    if (ps != current && current != null && inBatch > 0) {
                        current.executeBatch();
                        c.commit();
                        inBatch = 0;
                    }
                    current = ps;
                    bind(ps, kind, r);
                    ps.addBatch();
                    if (++inBatch == 1000) {
                        ps.executeBatch();
                        c.commit();
                        inBatch = 0;
                    }
                }
            }
            if (current != null && inBatch > 0) {
                current.executeBatch();
                c.commit();
            }
        }
    }

    private void ceiling(Path input, String schema) throws Exception {
        // what reading the input costs at the least
        try (InputStream in = Files.newInputStream(input); JsonParser p = JSON.createParser(in)) {
            long tokens = 0;
            while (p.nextToken() != null) {
                tokens++;
            }
            if (tokens == 0) {
                throw new IllegalStateException("empty input");
            }
        }
        // and what writing the result costs at the least
        rawCopy(input, schema);
    }

    /** Part (k), and the ceiling's second half: one COPY of the final rows into new empty tables. */
    private void rawCopy(Path input, String schema) throws Exception {
        createTables(schema);
        Map<Long, String>[] rows = input.equals(file) ? expected.toArray(new Map[0]) : warmExpected.toArray(new Map[0]);
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            for (int t = 0; t < tables; t++) {
                CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + schema + "." + tableName(t) + " FROM STDIN");
                StringBuilder sb = new StringBuilder(1 << 16);
                for (Map.Entry<Long, String> e : rows[t].entrySet()) {
                    sb.append(e.getValue().replace('|', '\t')).append('\n');
                    if (sb.length() > 60_000) {
                        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                        copy.writeToCopy(b, 0, b.length);
                        sb.setLength(0);
                    }
                }
                byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(b, 0, b.length);
                copy.endCopy();
            }
            c.commit();
        }
    }

    // ---- the workload ----

    private String tableName(int t) {
        return workload.tableName(t);
    }

    private List<String> columns() {
        return workload.columns();
    }

    private void createTables(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            for (int t = 0; t < tables; t++) {
                StringBuilder sb = new StringBuilder("CREATE TABLE " + schema + "." + tableName(t)
                        + " (id bigint PRIMARY KEY, a integer, b varchar(20), c numeric(12,2), d varchar(200), e timestamp(0)");
                for (int i = 0; i < extraColumns; i++) {
                    sb.append(", x").append(i).append(" integer");
                }
                st.execute(sb.append(")").toString());
            }
        }
    }

    /** @return the records of a workload file: every one is archived once */
    private static long records(Path f) throws IOException {
        try (var lines = Files.lines(f)) {
            return lines.count();
        }
    }

    /** @return {events archived, bytes on disk of the archive's partitions} */
    private long[] archiveSize() throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            long n;
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM greenwell.event_archive")) {
                rs.next();
                n = rs.getLong(1);
            }
            String parts = greenplum() ? "SELECT (partitionschemaname || '.' || partitiontablename)::regclass FROM pg_partitions WHERE tablename = 'event_archive'"
                    : "SELECT inhrelid FROM pg_inherits WHERE inhparent = 'greenwell.event_archive'::regclass";
            try (ResultSet rs = st.executeQuery("SELECT sum(pg_total_relation_size(p)) FROM (" + parts + ") AS x(p)")) {
                rs.next();
                return new long[] {n, rs.getLong(1)};
            }
        }
    }

    private boolean greenplum() throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            return rs.getString(1).contains("Greenplum");
        }
    }

    private void reset(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            // each archiving run starts with an empty archive, so that its size is the run's
            st.execute("DROP TABLE IF EXISTS greenwell.event_archive");
            st.execute("DROP TABLE IF EXISTS greenwell.archive_coverage");
            st.execute("DELETE FROM greenwell.checkpoint WHERE pipeline = '" + schema + "'");
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    private String statementFor(String kind, String table) {
        List<String> cols = columns();
        StringBuilder sb = new StringBuilder();
        switch (kind) {
            case "I":
                sb.append("INSERT INTO ").append(table).append(" (").append(String.join(", ", cols)).append(") VALUES (");
                for (int i = 0; i < cols.size(); i++) {
                    sb.append(i == 0 ? "?" : ", ?");
                }
                return sb.append(")").toString();
            case "U":
                sb.append("UPDATE ").append(table).append(" SET ");
                for (int i = 1; i < cols.size(); i++) {
                    sb.append(i == 1 ? "" : ", ").append(cols.get(i)).append(" = ?");
                }
                return sb.append(" WHERE id = ?").toString();
            default:
                return "DELETE FROM " + table + " WHERE id = ?";
        }
    }

    private void bind(PreparedStatement ps, String kind, RowChange r) throws SQLException {
        Row d = r.data();
        List<String> cols = columns();
        if (kind.equals("D")) {
            ps.setLong(1, Long.parseLong(d.get("id").asText()));
            return;
        }
        int p = 1;
        for (int i = kind.equals("I") ? 0 : 1; i < cols.size(); i++) {
            set(ps, p++, cols.get(i), d.get(cols.get(i)));
        }
        if (kind.equals("U")) {
            ps.setLong(p, Long.parseLong(r.before().get("id").asText()));
        }
    }

    private static void set(PreparedStatement ps, int i, String col, Value v) throws SQLException {
        if (v == null || v.isNull()) {
            ps.setObject(i, null);
            return;
        }
        switch (col) {
            case "id": ps.setLong(i, Long.parseLong(v.asText())); break;
            case "c": ps.setBigDecimal(i, new BigDecimal(v.asText())); break;
            case "e": ps.setTimestamp(i, java.sql.Timestamp.valueOf(v.asText())); break;
            case "b": case "d": ps.setString(i, v.asText()); break;
            default: ps.setInt(i, Integer.parseInt(v.asText()));
        }
    }

    /** Writes the seeded workload ({@link Workload}) and keeps its final rows, rendered as the checks read them back. */
    private void generate(Path out, int n, List<Map<Long, String>> finalRows) throws IOException {
        finalRows.clear();
        for (Map<Long, Object[]> rows : workload.generate(out, n, null)) {
            Map<Long, String> rendered = new TreeMap<>();
            rows.forEach((id, r) -> rendered.put(id, Workload.render(r)));
            finalRows.add(rendered);
        }
    }

    private static List<byte[]> lines(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                byte[] l = new byte[i - start];
                System.arraycopy(all, start, l, 0, l.length);
                out.add(l);
                start = i + 1;
            }
        }
        return out;
    }

    private boolean check(String schema, List<Map<Long, String>> want) throws SQLException {
        List<String> cols = columns();
        StringBuilder select = new StringBuilder("SELECT id");
        for (int i = 1; i < cols.size(); i++) {
            String c = cols.get(i);
            select.append(", ").append(c.equals("e") ? "to_char(e, 'YYYY-MM-DD HH24:MI:SS')" : c);
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (int t = 0; t < tables; t++) {
                Map<Long, String> got = new HashMap<>();
                try (ResultSet rs = st.executeQuery(select + " FROM " + schema + "." + tableName(t))) {
                    int n = cols.size();
                    while (rs.next()) {
                        StringBuilder sb = new StringBuilder();
                        for (int i = 1; i <= n; i++) {
                            sb.append(i == 1 ? "" : "|").append(rs.getString(i));
                        }
                        got.put(rs.getLong(1), sb.toString());
                    }
                }
                if (!got.equals(new HashMap<>(want.get(t)))) {
                    System.out.printf("table %s.%s differs: %d rows, %d expected%n", schema, tableName(t), got.size(), want.get(t).size());
                    return false;
                }
            }
        }
        return true;
    }
}
