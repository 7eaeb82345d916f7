package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through Kafka with real Maxwell output: the recorded {@code music}, {@code types} and
 * {@code ddl} streams (one binlog, captured from Maxwell 1.44.1 on MariaDB) produced the way
 * Maxwell's producer writes them (key format {@code hash}, DDL keyed by a bare UUID, partitioned by
 * database with Maxwell's own partitioner over 3 partitions), consumed by {@code greenwell kafka}
 * in a child process; the tables equal the expected states; stopped with SIGTERM and started
 * again, it changes nothing.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KafkaRecordedIT {

    private static final String TOPIC = "recorded";
    static final List<String> SCENARIOS = List.of("music", "types", "ddl");
    private static KafkaBroker kafka;
    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaBroker();
        kafka.createTopic(TOPIC, 3);
        db = TestDatabase.create("kafkarecorded");
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
        kafka.close();
    }

    @Test
    void theRecordedStreamsThroughKafkaGiveTheExpectedTables() throws Exception {
        Map<String, Long> done = produceRecorded(kafka, TOPIC);

        for (int run = 1; run <= 2; run++) {
            Process p = ChildJvm.start(dir, run, "kafka", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", TOPIC, "--group",
                    "recorded", "--jdbc-url", db.url(), "--batch-events", "7", "--pipeline", "recorded",
                    "--consumer-property", "session.timeout.ms=6000", "--consumer-property", "heartbeat.interval.ms=500");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!KafkaExactlyOnceIT.checkpoints(db, "recorded").equals(done) && System.nanoTime() < deadline) {
                assertThat(p.isAlive()).as(ChildJvm.err(dir, run)).isTrue();
                Thread.sleep(100);
            }
            assertThat(KafkaExactlyOnceIT.checkpoints(db, "recorded")).isEqualTo(done);
            if (run == 2) {
                // the checkpoints were reached before it started: judge it only once it holds the
                // partitions (a SIGTERM before its JVM is up ends it with 143 and tells nothing)
                while (!ChildJvm.err(dir, run).contains("streams assigned") && System.nanoTime() < deadline) {
                    assertThat(p.isAlive()).as(ChildJvm.err(dir, run)).isTrue();
                    Thread.sleep(50);
                }
                assertThat(ChildJvm.err(dir, run)).as("the second run was assigned the partitions").contains("streams assigned");
                Thread.sleep(1000); // time to apply anything it wrongly read again
            }
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(ChildJvm.err(dir, run)).isZero();
            long[] c = ReplayCommandIT.counts(ChildJvm.lastLine(dir, run));
            if (run == 1) {
                assertThat(c[4]).as("dead letters: %s", Workload.dump(db,
                        "SELECT stream || ' ' || \"offset\" || ' ' || left(error, 200) FROM greenwell.dead_letter LIMIT 3")).isZero();
            } else {
                assertThat(c[0]).as("the second run reads nothing again: %s", ChildJvm.err(dir, run)).isZero();
            }
            try (Connection conn = db.connect()) {
                for (String scenario : SCENARIOS) {
                    assertThat(Scenarios.differences(Scenarios.expectedRows(scenario), Scenarios.actualRows(conn, scenario)))
                            .as("%s after run %d", scenario, run).isEmpty();
                }
            }
        }
    }

    /**
     * Produces the recorded streams to a topic of 3 partitions as Maxwell's producer would.
     *
     * @return the offset of the last message of each partition, by stream id ({@code topic-partition})
     */
    static Map<String, Long> produceRecorded(KafkaBroker kafka, String topic) throws Exception {
        List<KafkaBroker.Message> messages = new ArrayList<>();
        for (String scenario : SCENARIOS) {
            for (Scenarios.Record r : Scenarios.records(scenario)) {
                String text = new String(r.bytes(), StandardCharsets.UTF_8);
                String database = field(text, "database");
                String table = field(text, "table");
                boolean ddl = text.contains("\"type\":\"database-") || text.contains("\"type\":\"table-");
                String key = ddl ? UUID.randomUUID().toString() : "{\"database\":\"" + database + "\",\"table\":\"" + table + "\"}";
                // Maxwell's partitioner for producer_partition_by=database
                messages.add(new KafkaBroker.Message(Math.abs(database.hashCode() % 3), key.getBytes(StandardCharsets.UTF_8), r.bytes()));
            }
        }
        Map<Integer, Long> last = kafka.produce(topic, messages);
        Map<String, Long> done = new HashMap<>();
        last.forEach((p, off) -> done.put(topic + "-" + p, off));
        return done;
    }

    private static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\":\"");
        if (at < 0) {
            return "";
        }
        at += name.length() + 4;
        return json.substring(at, json.indexOf('"', at));
    }
}
