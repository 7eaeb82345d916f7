package io.greenwell.examples;

import io.greenwell.cdc.rabbitmq.TestBroker;
import java.util.List;

/**
 * {@link RabbitExactlyOnceTests} with the stream queue read over RabbitMQ's stream protocol
 * ({@code --stream-uri}, one chunk ahead so that a kill finds records in flight); needs the
 * {@code rabbitmq_stream} plugin (see {@link TestBroker#streamUri()}).
 */
class RabbitStreamProtocolExactlyOnceIT extends RabbitExactlyOnceTests {

    /** Looked up once, at the first run: right after the broker's restart its port may not answer yet. */
    private List<String> options;

    @Override
    List<String> readOptions() {
        if (options == null) {
            options = List.of("--stream-uri", TestBroker.streamUri(), "--credits", "1");
        }
        return options;
    }
}
