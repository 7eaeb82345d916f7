package io.greenwell.examples;

import java.util.List;

/** {@link RabbitExactlyOnceTests} with the stream queue read over AMQP 0-9-1 ({@code --stream}). */
class RabbitExactlyOnceIT extends RabbitExactlyOnceTests {

    @Override
    List<String> readOptions() {
        return List.of("--stream");
    }
}
