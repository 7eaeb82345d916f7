package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import io.greenwell.cdc.rabbitmq.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through RabbitMQ with real Maxwell output: the recorded {@code music}, {@code types}
 * and {@code ddl} streams published the way Maxwell's RabbitMQ producer does (a fanout exchange,
 * routing key {@code database.table}), consumed by {@code greenwell rabbitmq --declare} in a child
 * process, from a stream queue (RabbitMQ itself, over AMQP 0-9-1 and over the stream protocol) and from a classic queue (the broker
 * {@link TestBroker#forClassicQueues()} picks); the tables equal the expected states; stopped with
 * SIGTERM and started again, it reads nothing again.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RabbitRecordedIT {

    private static final List<String> SCENARIOS = List.of("music", "types", "ddl");

    @TempDir
    Path dir;

    private TestDatabase db;
    private TestBroker broker;
    private final String queue = "greenwell-" + UUID.randomUUID();
    private final String exchange = "maxwell-" + UUID.randomUUID();

    @BeforeEach
    void createDatabase() throws Exception {
        db = TestDatabase.create("rabbitrecorded");
    }

    @AfterEach
    void dropAll() throws Exception {
        db.close();
        if (broker != null) {
            broker.delete(List.of(queue), List.of(exchange));
            broker.close();
        }
    }

    @Test
    void fromAStreamQueue() throws Exception {
        broker = TestBroker.rabbitMq();
        run(true, List.of("--stream"), false);
    }

    @Test
    void fromAStreamQueueOverTheStreamProtocol() throws Exception {
        broker = TestBroker.rabbitMq();
        run(true, List.of("--stream-uri", TestBroker.streamUri()), true); // the packaged jar: the stream client's Netty is in it
    }

    @Test
    void fromAClassicQueue() throws Exception {
        broker = TestBroker.forClassicQueues();
        System.out.println("classic queue on " + broker.describe());
        run(false, List.of(), false);
    }

    @Test
    void theQuickStartConsumesAStreamQueue() throws Exception {
        broker = TestBroker.rabbitMq();
        List<byte[]> records = new ArrayList<>();
        for (Scenarios.Record r : Scenarios.records("music")) {
            records.add(r.bytes());
        }
        broker.declare(queue, "maxwell", true);
        broker.publish("maxwell", records);
        java.util.concurrent.atomic.AtomicReference<io.greenwell.cdc.pipeline.CdcPipeline> running = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CompletableFuture<io.greenwell.cdc.pipeline.RunSummary> done = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> RabbitQuickStart.run(broker.uri(), queue, db.url(), running::set));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!KafkaExactlyOnceIT.checkpoints(db, "orders").equals(Map.of(queue, (long) records.size() - 1)) && System.nanoTime() < deadline) {
            assertThat(done).isNotDone();
            Thread.sleep(100);
        }
        running.get().stop();
        io.greenwell.cdc.pipeline.RunSummary s = done.get(60, TimeUnit.SECONDS);
        assertThat(s.events()).isEqualTo(records.size());
        assertThat(s.deadLetters()).isZero();
        try (Connection conn = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(conn, "music"))).isEmpty();
        }
    }

    private void run(boolean stream, List<String> readOptions, boolean jar) throws Exception {
        List<byte[]> records = new ArrayList<>();
        for (String scenario : SCENARIOS) {
            for (Scenarios.Record r : Scenarios.records(scenario)) {
                records.add(r.bytes());
            }
        }
        broker.declare(queue, exchange, stream);
        broker.publish(exchange, records);
        // a stream's offsets start at 0; a classic queue's first channel numbers deliveries from 1
        long last = stream ? records.size() - 1 : records.size();
        Map<String, Long> done = Map.of(queue, last);
        for (int run = 1; run <= 2; run++) {
            List<String> args = new ArrayList<>(List.of("rabbitmq", "--uri", broker.uri(), "--queue", queue, "--declare", "--exchange", exchange,
                    "--jdbc-url", db.url(), "--batch-events", "7", "--pipeline", "recorded"));
            args.addAll(readOptions);
            Process p = jar ? ChildJvm.startJar(dir, run, args.toArray(String[]::new)) : ChildJvm.start(dir, run, args.toArray(String[]::new));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            if (run == 1) {
                while (!KafkaExactlyOnceIT.checkpoints(db, "recorded").equals(done) && System.nanoTime() < deadline) {
                    assertThat(p.isAlive()).as(ChildJvm.err(dir, run)).isTrue();
                    Thread.sleep(100);
                }
                assertThat(KafkaExactlyOnceIT.checkpoints(db, "recorded")).isEqualTo(done);
            } else {
                Path err = dir.resolve("err-" + run + ".txt");
                while (!Files.readString(err).contains("consuming") && System.nanoTime() < deadline) {
                    assertThat(p.isAlive()).as(ChildJvm.err(dir, run)).isTrue();
                    Thread.sleep(100);
                }
            }
            Thread.sleep(1000); // time to apply anything it wrongly read again, and for the last acknowledgements
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(ChildJvm.err(dir, run)).isZero();
            long[] c = ReplayCommandIT.counts(ChildJvm.lastLine(dir, run));
            if (run == 1) {
                assertThat(c[0]).isEqualTo(records.size());
                assertThat(c[4]).as("dead letters: %s", Workload.dump(db,
                        "SELECT stream || ' ' || \"offset\" || ' ' || left(error, 200) FROM greenwell.dead_letter LIMIT 3")).isZero();
            } else {
                assertThat(c[0]).as("the second run reads nothing again: %s", ChildJvm.err(dir, run)).isZero();
            }
            if (!stream) {
                assertThat(broker.ready(queue)).as("every message acknowledged after its batch committed").isZero();
            }
            try (Connection conn = db.connect()) {
                for (String scenario : SCENARIOS) {
                    assertThat(Scenarios.differences(Scenarios.expectedRows(scenario), Scenarios.actualRows(conn, scenario)))
                            .as("%s after run %d", scenario, run).isEmpty();
                }
            }
        }
    }
}
