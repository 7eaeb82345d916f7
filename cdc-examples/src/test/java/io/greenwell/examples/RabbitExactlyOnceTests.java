package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import io.greenwell.cdc.rabbitmq.TestBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exactly-once effect over a RabbitMQ stream queue, read over AMQP 0-9-1
 * ({@link RabbitExactlyOnceIT}) or over the stream protocol
 * ({@link RabbitStreamProtocolExactlyOnceIT}): 200,000 seeded Maxwell events (with
 * Maxwell's replays of whole transactions) published the way Maxwell's producer does to a fanout
 * exchange bound to a stream queue; {@code greenwell rabbitmq --stream} (or {@code --stream-uri}) in a child JVM is killed
 * with SIGKILL at random moments after it committed something, six times, and restarted; in the
 * middle of one run the broker itself is stopped and started ({@code rabbitmqctl stop_app},
 * {@code start_app}) and the same process goes on; at the end SIGTERM stops it cleanly (status 0)
 * and every table equals the one-by-one replay's state.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RabbitExactlyOnceTests {

    private static final int KILLS = 6;
    private TestBroker broker;
    private TestDatabase db;

    @TempDir
    Path dir;

    /** @return the options of {@code greenwell rabbitmq} that say how the stream queue is read */
    abstract List<String> readOptions();

    @BeforeAll
    void start() throws Exception {
        broker = TestBroker.rabbitMq();
        db = TestDatabase.create("rabbitonce");
    }

    @AfterAll
    void stop() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void killedAndRestartedAndTheBrokerRestartedEveryEventIsAppliedExactlyOnce() throws Exception {
        String queue = "greenwell-once-" + UUID.randomUUID();
        String exchange = "maxwell-once-" + UUID.randomUUID();
        Workload w = new Workload(17, List.of("ra", "rb", "rc"), true, 200_000);
        List<byte[]> records = new ArrayList<>();
        for (Scenarios.Record r : w.stream().records()) {
            records.add(r.bytes());
        }
        try {
            broker.declare(queue, exchange, true);
            broker.publish(exchange, records);
            Map<String, Long> done = Map.of(queue, (long) records.size() - 1);
            Random rnd = new Random(9);
            int kills = 0;
            int runs = 0;
            boolean restarted = false;
            long progress = -1;
            Process p;
            while (true) {
                runs++;
                List<String> args = new ArrayList<>(List.of("rabbitmq", "--uri", broker.uri(), "--queue", queue));
                args.addAll(readOptions());
                args.addAll(List.of("--declare", "--exchange", exchange, "--jdbc-url", db.url(), "--batch-events", "2000", "--pipeline", "rabbit",
                        "--quiet"));
                p = ChildJvm.start(dir, runs, args.toArray(String[]::new));
                progress = awaitProgress(p, runs, progress);
                if (kills == KILLS / 2 && !restarted) {
                    // the broker goes away under a running consumer and comes back: the same process goes on
                    broker.ctl("stop_app");
                    Thread.sleep(1000 + rnd.nextInt(2000));
                    broker.ctl("start_app");
                    restarted = true;
                    assertThat(p.isAlive()).as("the consumer outlives the broker's restart: %s", ChildJvm.err(dir, runs)).isTrue();
                    progress = awaitProgress(p, runs, progress);
                    // it may have applied what it held before it noticed: wait for the new connection too
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!ChildJvm.err(dir, runs).contains("connecting again") && System.nanoTime() < until && p.isAlive()) {
                        Thread.sleep(100);
                    }
                    assertThat(ChildJvm.err(dir, runs)).contains("connecting again");
                    if (!KafkaExactlyOnceIT.checkpoints(db, "rabbit").equals(done)) {
                        progress = awaitProgress(p, runs, progress); // and goes on after it
                    }
                }
                if (kills >= KILLS) {
                    break;
                }
                Thread.sleep(rnd.nextInt(400));
                if (KafkaExactlyOnceIT.checkpoints(db, "rabbit").equals(done)) {
                    break;
                }
                p.destroyForcibly(); // SIGKILL
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                kills++;
                progress = checkpoint(); // it may have committed once more before it died

            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!KafkaExactlyOnceIT.checkpoints(db, "rabbit").equals(done) && System.nanoTime() < deadline) {
                assertThat(p.isAlive()).as("the last run is alive: %s", ChildJvm.err(dir, runs)).isTrue();
                Thread.sleep(100);
            }
            assertThat(KafkaExactlyOnceIT.checkpoints(db, "rabbit")).as("the stream applied to its end").isEqualTo(done);
            p.destroy(); // SIGTERM: a clean stop
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(ChildJvm.err(dir, runs)).isZero();
            ReplayCommandIT.counts(ChildJvm.lastLine(dir, runs));
            System.out.printf("RabbitMQ stream (%s): %d records, %d runs, %d killed with SIGKILL, broker restarted: %s%n", String.join(" ", readOptions()), records.size(), runs, kills,
                    restarted);
            assertThat(kills).isGreaterThanOrEqualTo(KILLS);
            assertThat(restarted).isTrue();
            w.assertState(db);
        } finally {
            broker.delete(List.of(queue), List.of(exchange));
        }
    }

    private long checkpoint() throws Exception {
        return KafkaExactlyOnceIT.checkpoints(db, "rabbit").values().stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /** Waits until the run has committed beyond {@code progress}; returns the new checkpoint offset. */
    private long awaitProgress(Process p, int run, long progress) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long now = progress;
        while (now <= progress && System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("run %d is alive: %s", run, ChildJvm.err(dir, run)).isTrue();
            Thread.sleep(20);
            now = checkpoint();
        }
        assertThat(now).as("run %d made progress", run).isGreaterThan(progress);
        return now;
    }
}
