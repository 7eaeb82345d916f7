package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import io.greenwell.cdc.opensearch.SearchRows;
import io.greenwell.cdc.opensearch.TestEngine;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fan-out, the way Maxwell's users run it: one Kafka topic with the recorded streams, two
 * {@code greenwell kafka} processes in consumer groups of their own, one into the database and one
 * into a search index (a pipeline each, with checkpoints of its own). Both end with the expected
 * rows: the tables in the database, the rows of tables with a key as documents.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OpenSearchFanOutIT {

    private static final String TOPIC = "fanout";
    private static KafkaBroker kafka;
    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaBroker();
        kafka.createTopic(TOPIC, 3);
        db = TestDatabase.create("fanout");
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
        kafka.close();
    }

    @Test
    void oneTopicTwoConsumerGroupsTheDatabaseAndTheIndexBothEndExact() throws Exception {
        TestEngine.deleteIndices("fanout");
        Map<String, Long> done = KafkaRecordedIT.produceRecorded(kafka, TOPIC);
        String[] common = {"kafka", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", TOPIC, "--batch-events", "7",
            "--consumer-property", "session.timeout.ms=6000", "--consumer-property", "heartbeat.interval.ms=500"};
        Process database = ChildJvm.start(dir, 1, concat(common, "--group", "fanout-db", "--pipeline", "fanout-db", "--jdbc-url", db.url()));
        Process index = ChildJvm.start(dir, 2, concat(common, "--group", "fanout-search", "--pipeline", "fanout-search", "--target",
                "opensearch", "--opensearch-url", TestEngine.url(), "--index", "fanout"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(KafkaExactlyOnceIT.checkpoints(db, "fanout-db").equals(done) && checkpoints("fanout-search").equals(done))
                && System.nanoTime() < deadline) {
            assertThat(database.isAlive()).as(ChildJvm.err(dir, 1)).isTrue();
            assertThat(index.isAlive()).as(ChildJvm.err(dir, 2)).isTrue();
            Thread.sleep(100);
        }
        assertThat(KafkaExactlyOnceIT.checkpoints(db, "fanout-db")).isEqualTo(done);
        assertThat(checkpoints("fanout-search")).isEqualTo(done);
        for (Process p : new Process[] {database, index}) {
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(database.exitValue()).as(ChildJvm.err(dir, 1)).isZero();
        assertThat(index.exitValue()).as(ChildJvm.err(dir, 2)).isZero();
        try (Connection c = db.connect()) {
            for (String scenario : KafkaRecordedIT.SCENARIOS) {
                assertThat(Scenarios.differences(Scenarios.expectedRows(scenario), Scenarios.actualRows(c, scenario))).as(scenario).isEmpty();
            }
        }
        var docs = TestEngine.documents("fanout");
        for (String scenario : KafkaRecordedIT.SCENARIOS) {
            var mine = docs.stream().filter(d -> SearchRows.expected(scenario).containsKey(
                    d.path("_source").path("_db").asText() + "." + d.path("_source").path("_table").asText())).toList();
            assertThat(SearchRows.differences(scenario, mine)).as(scenario).isEmpty();
        }
        long expected = 0;
        for (String scenario : KafkaRecordedIT.SCENARIOS) {
            expected += SearchRows.expected(scenario).values().stream().mapToLong(java.util.List::size).sum();
        }
        assertThat(docs).as("no document of a dropped or keyless table").hasSize((int) expected);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** @return the pipeline's checkpoint offsets in the control index, by stream */
    static Map<String, Long> checkpoints(String pipeline) {
        TestEngine.call("POST", "/greenwell_control/_refresh?ignore_unavailable=true&allow_no_indices=true", null);
        JsonNode r = TestEngine.call("POST", "/greenwell_control/_search?ignore_unavailable=true&allow_no_indices=true",
                "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"kind\":\"checkpoint\"}},{\"term\":{\"pipeline\":\"" + pipeline + "\"}}]}}}");
        Map<String, Long> out = new HashMap<>();
        for (JsonNode h : r.path("hits").path("hits")) {
            out.put(h.path("_source").path("stream").asText(), h.path("_source").path("offset").asLong());
        }
        return out;
    }
}
