package io.greenwell.cdc.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.SourceRecord;
import java.time.Duration;
import io.greenwell.cdc.greenplum.TcpProxy;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Classic queues on the broker {@link TestBroker#forClassicQueues()} picks (the configured
 * RabbitMQ, else an in-process Qpid Broker-J): the recorded scenarios and a message that is not a
 * record end in the expected tables and one dead letter naming the queue and the delivery tag,
 * and every message is acknowledged once its batch committed; messages delivered again after a
 * crash between commit and acknowledgement are dropped by the watermark; a connection cut in the
 * middle loses nothing and applies nothing twice; a second consumer is refused.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClassicQueueIT extends QueueTests {

    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.forClassicQueues();
        System.out.println("classic-queue tests on " + broker.describe());
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Override
    TestBroker broker() {
        return broker;
    }

    @Override
    RabbitSource.Builder source(String uri, String queue, String exchange) {
        return super.source(uri, queue, exchange).prefetch(100);
    }

    private String[] topology(String name) throws Exception {
        String queue = "gw-" + name + "-" + UUID.randomUUID();
        String exchange = "maxwell-" + UUID.randomUUID();
        Recorded.declare(source(broker.uri(), queue, exchange).build());
        return new String[] {queue, exchange};
    }

    @Test
    void theRecordedScenariosEndInTheExpectedTablesAndEveryMessageIsAcknowledged() throws Exception {
        String[] t = topology("recorded");
        List<byte[]> records = Recorded.records();
        records.add(40, Recorded.GARBAGE);
        broker.publish(t[1], records);
        RabbitSource src = source(broker.uri(), t[0], t[1]).build();
        try (Recorded.Run run = new Recorded.Run(db, "classic", src, 7)) {
            run.await(() -> run.pipeline.progress().events() == records.size());
            RunSummary s = run.stop();
            assertThat(s.duplicates()).isZero();
            assertThat(s.deadLetters()).isEqualTo(1);
        }
        Recorded.assertTables(db);
        // on the first channel an offset is the delivery tag, and tags start at 1
        assertThat(Recorded.deadLetters(db, "classic")).containsExactly(t[0] + "@41: not a maxwell record");
        assertThat(broker.ready(t[0])).as("every message acknowledged after its batch committed").isZero();
        assertThat(src.redeliveries()).isZero();
    }

    @Test
    void messagesDeliveredAgainAfterACrashBeforeTheirAcknowledgementAreDroppedByTheWatermark() throws Exception {
        String[] t = topology("redelivered");
        List<byte[]> records = Recorded.records();
        broker.publish(t[1], records);
        // a process that dies after its commits and before their acknowledgements
        // (a prefetch above the messages: none is acknowledged)
        try (Recorded.Run crashing = new Recorded.Run(db, "again", new NoAcks(source(broker.uri(), t[0], t[1]).prefetch(1000).build()), 7)) {
            crashing.await(() -> crashing.pipeline.progress().events() == records.size());
        }
        Recorded.assertTables(db);
        assertThat(broker.ready(t[0])).as("nothing was acknowledged, so the broker holds every message again").isEqualTo(records.size());
        RabbitSource src = source(broker.uri(), t[0], t[1]).build();
        try (Recorded.Run again = new Recorded.Run(db, "again", src, 7)) {
            again.await(() -> again.pipeline.progress().events() == records.size());
            RunSummary s = again.stop();
            assertThat(s.duplicates()).as("every redelivered record carries a Maxwell position below the watermark").isEqualTo(records.size());
            assertThat(s.applied()).isZero();
        }
        assertThat(src.redeliveries()).isEqualTo(records.size());
        assertThat(broker.ready(t[0])).isZero();
        Recorded.assertTables(db);
    }

    @Test
    void aConnectionCutInTheMiddleLosesNothingAndAppliesNothingTwice() throws Exception {
        String[] t = topology("cut");
        List<byte[]> records = Recorded.records();
        broker.publish(t[1], records);
        try (TcpProxy proxy = Recorded.proxy(broker.uri())) {
            RabbitSource src = source(Recorded.through(broker.uri(), proxy), t[0], t[1]).prefetch(5).build();
            try (Recorded.Run run = new Recorded.Run(db, "cut", src, 3)) {
                run.await(() -> run.pipeline.progress().events() >= 20);
                proxy.down(); // the network goes away for a moment: the source's attempts to connect fail until it is back
                Thread.sleep(300);
                proxy.up();
                run.await(() -> Recorded.tablesMatch(db) && readyIsZero(t[0]));
                Thread.sleep(500); // the last acknowledgements
                run.stop();
            }
        }
        Recorded.assertTables(db);
        assertThat(broker.ready(t[0])).isZero();
    }

    @Test
    void aSecondConsumerOnTheQueueIsRefused() throws Exception {
        if (!broker.isRabbitMq()) {
            TestBroker.notRun("the broker's refusal of a second consumer is RabbitMQ's (exclusive consumer): Qpid Broker-J lets it in");
        }
        String[] t = topology("second");
        RabbitSource first = source(broker.uri(), t[0], t[1]).build();
        RabbitSource second = source(broker.uri(), t[0], t[1]).build();
        try {
            first.open(Recorded.NO_LISTENER);
            first.seek(Map.of());
            second.open(Recorded.NO_LISTENER);
            assertThatThrownBy(() -> second.seek(Map.of())).isInstanceOf(CdcException.class).hasMessageContaining("refused")
                    .hasMessageContaining(t[0]);
        } finally {
            first.close();
            second.close();
        }
    }

    private boolean readyIsZero(String queue) {
        try {
            return broker.ready(queue) == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** A source whose commits are never acknowledged, as when the process dies right after them. */
    private static final class NoAcks implements ChangeSource {
        private final ChangeSource in;

        NoAcks(ChangeSource in) {
            this.in = in;
        }

        @Override
        public void open(Listener listener) {
            in.open(listener);
        }

        @Override
        public void seek(Map<String, Long> lastApplied) {
            in.seek(Map.of()); // nor at a seek, which acknowledges up to the checkpoint
        }

        @Override
        public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
            return in.poll(timeout);
        }

        @Override
        public boolean isFinished() {
            return false;
        }

        @Override
        public void close() {
            in.close();
        }
    }
}
