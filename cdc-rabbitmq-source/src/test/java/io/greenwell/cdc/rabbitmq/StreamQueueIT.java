package io.greenwell.cdc.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.greenplum.TcpProxy;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stream queues on RabbitMQ itself (see {@link TestBroker#rabbitMq()}): the recorded scenarios
 * and a message that is not a record, published as Maxwell's producer does, end in exactly the
 * expected tables and one dead letter naming the queue and the stream offset; a second run
 * resumes at the checkpoint and reads nothing again; a connection cut in the middle of a run
 * loses nothing and applies nothing twice.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StreamQueueIT extends QueueTests {

    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.rabbitMq();
    }

    @Override
    TestBroker broker() {
        return broker;
    }

    @Override
    RabbitSource.Builder source(String uri, String queue, String exchange) {
        return super.source(uri, queue, exchange).queueType(RabbitSource.QueueType.STREAM)
                .prefetch(50);
    }

    @Test
    void theRecordedScenariosArriveExactlyOnceAndARestartReadsNothingAgain() throws Exception {
        String queue = "gw-stream-" + UUID.randomUUID();
        String exchange = "maxwell-" + UUID.randomUUID();
        List<byte[]> records = Recorded.records();
        records.add(40, Recorded.GARBAGE);
        long last = records.size() - 1; // a new stream's offsets start at 0
        declare(queue, exchange);
        try (Recorded.Run first = new Recorded.Run(db, "stream", source(broker.uri(), queue, exchange).build(), 7)) {
            broker.publish(exchange, records);
            first.await(() -> Recorded.checkpoint(db, "stream", queue) == last);
            RunSummary s = first.stop();
            assertThat(s.events()).isEqualTo(records.size());
            assertThat(s.duplicates()).isZero();
            assertThat(s.deadLetters()).isEqualTo(1);
        }
        Recorded.assertTables(db);
        assertThat(Recorded.deadLetters(db, "stream")).containsExactly(queue + "@40: not a maxwell record");
        try (Recorded.Run second = new Recorded.Run(db, "stream", source(broker.uri(), queue, exchange).build(), 7)) {
            Thread.sleep(1500); // time to read anything again that it wrongly would
            assertThat(second.stop().events()).as("the second run resumes after the checkpoint").isZero();
        }
        Recorded.assertTables(db);
    }

    @Test
    void aConnectionCutInTheMiddleLosesNothingAndAppliesNothingTwice() throws Exception {
        String queue = "gw-stream-cut-" + UUID.randomUUID();
        String exchange = "maxwell-" + UUID.randomUUID();
        List<byte[]> records = Recorded.records();
        try (TcpProxy proxy = readProxy()) {
            RabbitSource src = throughProxy(queue, exchange, proxy).build();
            declare(queue, exchange);
            try (Recorded.Run run = new Recorded.Run(db, "cut", src, 3)) {
                broker.publish(exchange, records);
                run.await(() -> Recorded.checkpoint(db, "cut", queue) >= 20);
                assertThat(Recorded.deadLetters(db, "cut")).isEmpty();
                proxy.down(); // the network goes away for a moment: the source's attempts to connect fail until it is back
                Thread.sleep(300);
                proxy.up();
                run.await(() -> Recorded.checkpoint(db, "cut", queue) == records.size() - 1);
                RunSummary s = run.stop();
                assertThat(s.duplicates()).as("the stream is read again from the checkpoint, not from what the client had").isZero();
                assertThat(s.events()).isEqualTo(records.size());
            }
            afterCut(src);
        }
        Recorded.assertTables(db);
    }

    /** Checks what the source did about the cut; over AMQP 0-9-1 its reconnection is what the pipeline's results show. */
    void afterCut(RabbitSource source) {}

    /** @return a relay in front of the port the records are read from */
    TcpProxy readProxy() throws java.io.IOException {
        return Recorded.proxy(broker.uri());
    }

    /** @return a source that reads the queue through the relay, a few records at a time */
    RabbitSource.Builder throughProxy(String queue, String exchange, TcpProxy proxy) {
        return source(Recorded.through(broker.uri(), proxy), queue, exchange).prefetch(5);
    }

    /** Declares and binds the queue before anything is published, as a user runs {@code --declare} before Maxwell. */
    private void declare(String queue, String exchange) {
        Recorded.declare(source(broker.uri(), queue, exchange).build());
    }
}
