package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.greenplum.TestDatabase;
import io.greenwell.cdc.kafka.KafkaSource;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;

/**
 * Scale-out with Kafka's consumer groups, and faults: three pipelines in one group over six
 * partitions (one per table), one stopped and another started mid-stream; then one pipeline
 * whose PostgreSQL connections are killed while it applies, and whose broker restarts mid-stream.
 * The final tables equal the one-by-one replay's state every time.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class KafkaScaleOutIT {

    private static final List<String> DBS = List.of("sa", "sb");
    private static KafkaBroker kafka;
    private static TestDatabase db;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaBroker();
        db = TestDatabase.create("kafkascale");
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
        kafka.close();
    }

    /** A pipeline on the test broker, with its source and target, run on a thread of its own. */
    private static final class Instance implements AutoCloseable {
        final KafkaSource source;
        final GreenplumTarget target;
        final CdcPipeline pipeline;

        Instance(String topic, String group, String pipelineName) {
            this(KafkaSource.builder().topic(topic), group, pipelineName);
        }

        Instance(KafkaSource.Builder topics, String group, String pipelineName) {
            source = topics.bootstrapServers(kafka.bootstrapServers()).groupId(group)
                    .property("session.timeout.ms", "6000").property("heartbeat.interval.ms", "500").build();
            target = GreenplumTarget.builder().jdbcUrl(db.url()).retryBackoff(Duration.ofMillis(50), Duration.ofSeconds(2)).retries(20).build();
            pipeline = CdcPipeline.builder().name(pipelineName).source(source).target(target)
                    .batchLimits(new BatchLimits(1000, 64L << 20, true)).maxDelay(Duration.ofMillis(200)).build();
            pipeline.start();
        }

        RunSummary stop() throws InterruptedException {
            pipeline.stop();
            RunSummary s = pipeline.await(Duration.ofSeconds(60));
            close();
            return s;
        }

        @Override
        public void close() {
            source.close();
            target.close();
        }
    }

    private static Map<String, Long> produce(String topic, Workload w, int partitions) throws Exception {
        kafka.createTopic(topic, partitions);
        return produceInto(topic, w, partitions);
    }

    private static Map<String, Long> produceInto(String topic, Workload w, int partitions) throws Exception {
        List<String> tables = new ArrayList<>();
        for (String d : DBS) {
            for (String t : Workload.TABLES) {
                tables.add(d + "." + t);
            }
        }
        // partitioned by table; a database's own DDL goes with its first table
        Map<Integer, Long> last = kafka.produce(topic, KafkaExactlyOnceIT.messages(w,
                o -> tables.indexOf(o[0] + "." + (o[1] == null ? Workload.TABLES.get(0) : o[1])) % partitions));
        Map<String, Long> done = new HashMap<>();
        last.forEach((p, off) -> done.put(topic + "-" + p, off));
        return done;
    }

    private static void await(Map<String, Long> done, String pipeline, List<Instance> running) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!KafkaExactlyOnceIT.checkpoints(db, pipeline).equals(done) && System.nanoTime() < deadline) {
            for (Instance i : running) {
                i.pipeline.await(Duration.ZERO); // throws when a pipeline failed
            }
            Thread.sleep(100);
        }
        assertThat(KafkaExactlyOnceIT.checkpoints(db, pipeline)).as("every partition applied to its end").isEqualTo(done);
    }

    private static long progress(String pipeline) throws SQLException {
        return KafkaExactlyOnceIT.checkpoints(db, pipeline).values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void threeInstancesShareSixPartitionsAndOneIsReplacedMidStream() throws Exception {
        Workload w = new Workload(21, DBS, true, 60_000);
        try (Connection c = db.connect()) {
            w.dropSchemas(c);
        }
        kafka.createTopic("scale", 6);
        List<Instance> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            running.add(new Instance("scale", "scale", "scale"));
        }
        // every instance holds partitions before the stream starts, so that all three apply
        kafka.awaitGroup("scale", 3);
        Map<String, Long> done = produceInto("scale", w, 6);
        long total = done.values().stream().mapToLong(Long::longValue).sum();
        while (progress("scale") < total / 3) {
            for (Instance i : running) {
                i.pipeline.await(Duration.ZERO);
            }
            Thread.sleep(20);
        }
        // stop one that has applied batches, so that its partitions really move mid-stream
        int busiest = 0;
        for (int i = 1; i < running.size(); i++) {
            if (running.get(i).pipeline.progress().batches() > running.get(busiest).pipeline.progress().batches()) {
                busiest = i;
            }
        }
        RunSummary stopped = running.remove(busiest).stop();
        assertThat(stopped.batches()).as("the stopped instance had applied batches").isPositive();
        running.add(new Instance("scale", "scale", "scale"));
        await(done, "scale", running);
        long instancesThatApplied = 0;
        for (Instance i : running) {
            if (i.stop().batches() > 0) {
                instancesThatApplied++;
            }
        }
        assertThat(instancesThatApplied + 1).as("the partitions were shared").isGreaterThanOrEqualTo(3);
        w.assertState(db);
    }

    @Test
    void killedDatabaseConnectionsAndABrokerRestartAreSurvived() throws Exception {
        Workload w = new Workload(31, DBS, true, 60_000);
        try (Connection c = db.connect()) {
            w.dropSchemas(c);
        }
        Map<String, Long> done = produce("faults", w, 2);
        long total = done.values().stream().mapToLong(Long::longValue).sum();
        AtomicBoolean killing = new AtomicBoolean(true);
        Thread killer = new Thread(() -> {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                for (int i = 0; i < 6 && killing.get(); i++) {
                    Thread.sleep(300);
                    st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND pid <> pg_backend_pid() AND application_name = 'greenwell'");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // topics named by a pattern this time
        try (Instance one = new Instance(KafkaSource.builder().topicPattern(java.util.regex.Pattern.compile("fau.ts")), "faults", "faults")) {
            while (progress("faults") <= 0) {
                one.pipeline.await(Duration.ZERO);
                Thread.sleep(10);
            }
            killer.start();
            while (progress("faults") < total / 2) {
                one.pipeline.await(Duration.ZERO);
                Thread.sleep(20);
            }
            killing.set(false);
            killer.join();
            kafka.restartBroker();
            await(done, "faults", List.of(one));
            RunSummary s = one.pipeline.progress();
            assertThat(s.batches()).isPositive();
            one.pipeline.stop();
            assertThat(one.pipeline.await(Duration.ofSeconds(60))).isNotNull();
        }
        w.assertState(db);
    }
}
