package io.greenwell.cdc.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.spi.ChangeSourceProvider;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class KafkaSourceProviderTest {

    @Test
    void foundByNameAndConfiguredFromOptions() {
        ChangeSourceProvider p = ChangeSourceProvider.find("kafka").orElseThrow();
        assertThat(p.create(Map.of("bootstrap.servers", "127.0.0.1:9092", "group", "g", "topics", "a,b", "consumer.session.timeout.ms", "6000")))
                .isInstanceOf(KafkaSource.class);
        assertThat(ChangeSourceProvider.find("file")).isPresent();
        assertThat(ChangeSourceProvider.find("rabbitmq")).isEmpty();
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        assertThatThrownBy(() -> new KafkaSourceProvider().create(Map.of("start", "middle")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bootstrap.servers")
                .hasMessageContaining("'group'")
                .hasMessageContaining("topics")
                .hasMessageContaining("middle");
        assertThatThrownBy(() -> KafkaSource.builder().build()).hasMessageContaining("bootstrap servers are required")
                .hasMessageContaining("group id").hasMessageContaining("topic");
    }

    @Test
    void aPartitionIsTheStreamTopicDashPartition() {
        assertThat(KafkaSource.streamOf(new TopicPartition("maxwell", 3))).isEqualTo("maxwell-3");
    }
}
