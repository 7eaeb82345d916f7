package io.greenwell.cdc.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.pipeline.RunSummary;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Quorum queues, on RabbitMQ itself (Qpid has none): declared by the source with
 * {@code x-queue-type: quorum}, the recorded scenarios end in the expected tables and every
 * message is acknowledged after its batch committed (redeliveries go the same way as on a
 * classic queue, see {@link ClassicQueueIT}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class QuorumQueueIT extends QueueTests {

    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.rabbitMq();
    }

    @Override
    TestBroker broker() {
        return broker;
    }

    @Override
    RabbitSource.Builder source(String uri, String queue, String exchange) {
        return super.source(uri, queue, exchange).queueType(RabbitSource.QueueType.QUORUM).prefetch(1000);
    }

    @Test
    void theRecordedScenariosEndInTheExpectedTablesAndEveryMessageIsAcknowledged() throws Exception {
        String queue = "gw-quorum-" + UUID.randomUUID();
        String exchange = "maxwell-" + UUID.randomUUID();
        Recorded.declare(source(broker.uri(), queue, exchange).build());
        List<byte[]> records = Recorded.records();
        broker.publish(exchange, records);
        try (Recorded.Run run = new Recorded.Run(db, "quorum", source(broker.uri(), queue, exchange).build(), 7)) {
            run.await(() -> run.pipeline.progress().events() == records.size());
            RunSummary s = run.stop();
            assertThat(s.duplicates()).isZero();
            assertThat(s.deadLetters()).isZero();
        }
        Recorded.assertTables(db);
        assertThat(broker.ready(queue)).as("every message acknowledged after its batch committed").isZero();
    }
}
