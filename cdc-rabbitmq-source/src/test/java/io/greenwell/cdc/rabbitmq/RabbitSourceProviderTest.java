package io.greenwell.cdc.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.spi.ChangeSourceProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RabbitSourceProviderTest {

    @Test
    void foundByNameAndConfiguredFromOptions() {
        ChangeSourceProvider p = ChangeSourceProvider.find("rabbitmq").orElseThrow();
        RabbitSource s = (RabbitSource) p.create(Map.of("uri", "amqp://u:p@127.0.0.1:5672/vh", "queue", "maxwell-greenwell", "queue.type",
                "stream", "declare", "true", "argument.x-max-length-bytes", "1000000", "prefetch", "100"));
        assertThat(s.stream()).isEqualTo("maxwell-greenwell");
        assertThat(ChangeSourceProvider.find("kafka")).isEmpty();
        assertThat(ChangeSourceProvider.find("file")).isPresent();
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        assertThatThrownBy(() -> new RabbitSourceProvider().create(Map.of("queue.type", "lazy", "start", "middle", "declare", "yes",
                "prefetch", "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'uri'").hasMessageContaining("'queue'").hasMessageContaining("lazy")
                .hasMessageContaining("middle").hasMessageContaining("yes").hasMessageContaining("many");
        assertThatThrownBy(() -> RabbitSource.builder().prefetch(70_000).build()).hasMessageContaining("a URI is required")
                .hasMessageContaining("a queue is required").hasMessageContaining("70000");
        assertThatThrownBy(() -> RabbitSource.builder().uri("amqp://u:p@h").queue("q").queueType(RabbitSource.QueueType.STREAM)
                .singleActiveConsumer(true).build()).hasMessageContaining("single active consumer");
        assertThatThrownBy(() -> new RabbitSourceProvider().create(Map.of("uri", "amqp://h", "queue", "q", "stream.uri",
                "rabbitmq-stream://h:5552", "credits", "2000")))
                .hasMessageContaining("the stream protocol reads stream queues only (queue type classic)")
                .hasMessageContaining("the credits are 1 to 1000, not 2000");
        assertThatThrownBy(() -> RabbitSource.builder().uri("amqp://h").queue("q").queueType(RabbitSource.QueueType.STREAM)
                .streamUri("amqp://user:secret@h:5552").build())
                .hasMessageContaining("rabbitmq-stream://").satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
        assertThat(new RabbitSourceProvider().create(Map.of("uri", "amqp://h", "queue", "q", "queue.type", "stream", "stream.uri",
                "rabbitmq-stream+tls://u:p@h:5551/%2f", "credits", "8"))).isInstanceOf(RabbitSource.class);
    }

    @Test
    void aBadUriIsReportedWithoutItsPassword() {
        assertThatThrownBy(() -> RabbitSource.builder().uri("http://user:secret@h:1/").queue("q").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amqp://")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
    }

    @Test
    void queueArgumentsAreTyped() {
        assertThat(RabbitSource.Builder.typed("1000")).isEqualTo(1000L);
        assertThat(RabbitSource.Builder.typed("true")).isEqualTo(Boolean.TRUE);
        assertThat(RabbitSource.Builder.typed("7D")).isEqualTo("7D");
        assertThat(RabbitSource.Builder.typed(5)).isEqualTo(5);
    }
}
