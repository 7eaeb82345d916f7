package io.greenwell.bench;

import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.greenplum.SchemaMapping;
import io.greenwell.cdc.kafka.KafkaSource;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.source.FileSource;
import io.greenwell.cdc.spi.ApplyResult;
import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.spi.Checkpoint;
import io.greenwell.cdc.spi.KeyResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Latency at a steady rate: an in-process Kafka broker (KRaft), a producer writing the
 * {@code narrow} workload of {@link ApplyBenchmark} to one partition at a fixed rate, Greenwell's
 * Kafka pipeline into PostgreSQL or Greenplum, and for every event the delay from its send to the
 * commit of the batch that holds it (the batch's last offset tells which events it committed;
 * Maxwell's row {@code ts} has whole seconds only, so the send times are the producer's own).
 *
 * <pre>
 * java -cp cdc-bench/target/benchmarks.jar io.greenwell.bench.LatencyBenchmark --jdbc-url URL
 *     [--rate 10000] [--seconds 60] [--warmup-seconds 20] [--max-delay-ms N] [--caught-up-delay-ms N] [--batch-events N]
 * </pre>
 *
 * <p>The producer starts once the pipeline's consumer holds the partition; the events of the first
 * {@code --warmup-seconds} (JIT, connections) are applied but not counted. Prints one line:
 * {@code rate_eps=N latency_p50_ms=X latency_p99_ms=Y max_ms=Z state_ok=true|false}; the state is
 * checked against the same events replayed from the file into another schema.
 */
public final class LatencyBenchmark {

    private static final String TOPIC = "maxwell";

    private LatencyBenchmark() {}

    /** Runs the benchmark. */
    public static void main(String[] args) throws Exception {
        String url = null;
        int rate = 10_000;
        int seconds = 60;
        int warmup = 20;
        Long maxDelayMs = null;
        Long caughtUpDelayMs = null;
        Integer batchEvents = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jdbc-url": url = args[++i]; break;
                case "--rate": rate = Integer.parseInt(args[++i]); break;
                case "--seconds": seconds = Integer.parseInt(args[++i]); break;
                case "--warmup-seconds": warmup = Integer.parseInt(args[++i]); break;
                case "--max-delay-ms": maxDelayMs = Long.parseLong(args[++i]); break;
                case "--caught-up-delay-ms": caughtUpDelayMs = Long.parseLong(args[++i]); break;
                case "--batch-events": batchEvents = Integer.parseInt(args[++i]); break;
                default:
                    url = null;
                    i = args.length;
            }
        }
        if (url == null) {
            System.err.println("usage: LatencyBenchmark --jdbc-url URL [--rate N] [--seconds N] [--warmup-seconds N] [--max-delay-ms N]"
                    + " [--caught-up-delay-ms N]"
                    + " [--batch-events N]");
            System.exit(2);
        }
        int events = rate * (warmup + seconds);
        Path file = Files.createTempFile("greenwell-latency", ".jsonl");
        file.toFile().deleteOnExit();
        ApplyBenchmark.main(new String[] {"--write-workload", file.toString(), "--events", String.valueOf(events)});
        List<byte[]> records = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            records.add(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        dropSchemas(url, "latency", "latency_ref");

        KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        long[] sent = new long[records.size()];
        long[] committedAt = new long[records.size()];
        Arrays.fill(committedAt, -1);
        long[] done = {-1};
        try (KafkaSource source = KafkaSource.builder().bootstrapServers(kafka.bootstrapServers()).groupId("latency").topic(TOPIC)
                .build();
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(url)
                        .schemaMapping(SchemaMapping.builder().mapper(db -> "latency").build()).build()) {
            ChangeTarget timed = new Timed(target, (stream, last) -> {
                long now = System.nanoTime();
                for (long o = done[0] + 1; o <= last; o++) {
                    committedAt[(int) o] = now;
                }
                done[0] = Math.max(done[0], last);
            });
            CdcPipeline.Builder b = CdcPipeline.builder().name("latency").source(source).target(timed);
            if (maxDelayMs != null) {
                b.maxDelay(Duration.ofMillis(maxDelayMs));
            }
            if (caughtUpDelayMs != null) {
                b.caughtUpDelay(Duration.ofMillis(caughtUpDelayMs));
            }
            if (batchEvents != null) {
                b.batchLimits(new BatchLimits(batchEvents, BatchLimits.DEFAULT.maxBytes(), true));
            }
            CdcPipeline pipeline = b.build();
            pipeline.start();
            awaitMember(kafka.bootstrapServers(), "latency");
            long start = produce(kafka.bootstrapServers(), records, rate, sent);
            long lastSent = sent[sent.length - 1];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (done[0] < records.size() - 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            pipeline.stop();
            pipeline.await(Duration.ofSeconds(60));
            boolean complete = done[0] == records.size() - 1;
            // the first seconds warm the JIT, the connections and the group up: not counted
            int first = Math.min(records.size() - 1, rate * warmup);
            long[] delays = new long[records.size() - first];
            for (int i = 0; i < delays.length; i++) {
                int e = first + i;
                delays[i] = committedAt[e] < 0 ? Long.MAX_VALUE : committedAt[e] - sent[e];
            }
            Arrays.sort(delays);
            double eps = (records.size() - 1 - first) / ((lastSent - sent[first]) / 1e9);
            boolean ok = complete && sameTables(url, file);
            System.out.printf(Locale.ROOT, "rate_eps=%d latency_p50_ms=%.1f latency_p99_ms=%.1f max_ms=%.1f state_ok=%s%n", Math.round(eps),
                    millis(delays[delays.length / 2]), millis(delays[(int) (delays.length * 0.99)]), millis(delays[delays.length - 1]), ok);
        } finally {
            kafka.close();
        }
    }

    /** Waits until the pipeline's consumer is a member of its group holding the partition. */
    private static void awaitMember(String servers, String group) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
            while (System.nanoTime() < deadline) {
                try {
                    var d = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
                    if (d.members().size() == 1 && !d.members().iterator().next().assignment().topicPartitions().isEmpty()) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    // the group does not exist until the consumer joined
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("the pipeline's consumer did not join group " + group);
    }

    private static double millis(long nanos) {
        return nanos == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : nanos / 1e6;
    }

    /** Sends the records in order at the rate, noting each one's send time; returns the first's. */
    private static long produce(String servers, List<byte[]> records, int rate, long[] sent) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            long start = System.nanoTime();
            double gap = 1e9 / rate;
            for (int i = 0; i < records.size(); i++) {
                long due = start + (long) (i * gap);
                long wait = due - System.nanoTime();
                if (wait > 50_000) {
                    LockSupport.parkNanos(wait);
                }
                sent[i] = System.nanoTime();
                producer.send(new ProducerRecord<>(TOPIC, 0, null, records.get(i)));
            }
            producer.flush();
            return start;
        }
    }

    /** The same file replayed into another schema must give the same tables. */
    private static boolean sameTables(String url, Path file) throws Exception {
        try (FileSource source = FileSource.of(file);
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(url)
                        .schemaMapping(SchemaMapping.builder().mapper(db -> "latency_ref").build()).build()) {
            CdcPipeline.builder().name("latency_ref").source(source).target(target).build().run();
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'latency_ref'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                String a = "latency." + t;
                String b = "latency_ref." + t;
                try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM (SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b
                        + ") x) + (SELECT count(*) FROM (SELECT * FROM " + b + " EXCEPT ALL SELECT * FROM " + a + ") y)")) {
                    rs.next();
                    if (rs.getLong(1) != 0) {
                        return false;
                    }
                }
            }
            return !tables.isEmpty();
        }
    }

    private static void dropSchemas(String url, String... schemas) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String s : schemas) {
                st.execute("DROP SCHEMA IF EXISTS " + s + " CASCADE");
            }
            st.execute("DELETE FROM greenwell.checkpoint WHERE pipeline IN ('latency', 'latency_ref')");
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw e; // no checkpoint table yet is fine
            }
        }
    }

    /** Tells, after each commit, the last offset the batch committed. */
    @FunctionalInterface
    private interface Committed {
        void at(String stream, long lastOffset);
    }

    /** The target, and after each batch's commit the offsets it committed. */
    /** {@code -Dgreenwell.latency.trace=true}: one line per batch on standard error. */
    private static final boolean TRACE = Boolean.getBoolean("greenwell.latency.trace");

    private static final class Timed implements ChangeTarget {
        private final ChangeTarget target;
        private final Committed committed;

        Timed(ChangeTarget target, Committed committed) {
            this.target = target;
            this.committed = committed;
        }

        @Override
        public Map<String, Checkpoint> loadCheckpoints(String pipeline) {
            return target.loadCheckpoints(pipeline);
        }

        @Override
        public ApplyResult apply(NetBatch batch) {
            long t0 = System.nanoTime();
            ApplyResult r = target.apply(batch);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (TRACE) {
                System.err.printf(Locale.ROOT, "batch: %d events, %d net changes, applied in %d ms (COPY %d, statements %d, commit %d)%n",
                        batch.stats().events(), r.netChanges(), ms, r.stageNanos() / 1_000_000, r.applyNanos() / 1_000_000,
                        r.commitNanos() / 1_000_000);
            }
            batch.lastOffsets().forEach(committed::at);
            return r;
        }

        @Override
        public boolean includes(TableId table) {
            return target.includes(table);
        }

        @Override
        public KeyResolver keyResolver() {
            return target.keyResolver();
        }

        @Override
        public void close() {
            target.close();
        }
    }
}
