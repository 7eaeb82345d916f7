package io.greenwell.cdc.rabbitmq;

import io.greenwell.cdc.greenplum.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** What the queue tests share: a database of its own per test, and the queues and exchanges it declared deleted after it. */
abstract class QueueTests {

    TestDatabase db;
    final List<String> queues = new ArrayList<>();
    final List<String> exchanges = new ArrayList<>();

    /** @return the broker of the test class */
    abstract TestBroker broker();

    @BeforeEach
    void createDatabase() throws Exception {
        db = TestDatabase.create(getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
    }

    @AfterEach
    void deleteTopology() throws Exception {
        broker().delete(queues, exchanges);
        db.close();
    }

    /** @return a source of the queue, declared and bound to the exchange, both deleted after the test */
    RabbitSource.Builder source(String uri, String queue, String exchange) {
        queues.add(queue);
        exchanges.add(exchange);
        return RabbitSource.builder().uri(uri).queue(queue).declare(true).exchange(exchange);
    }
}
