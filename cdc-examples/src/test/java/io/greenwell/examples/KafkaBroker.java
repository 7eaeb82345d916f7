package io.greenwell.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker (KRaft, one combined broker and controller) in the test's JVM, from the
 * Apache Kafka artifacts; no Docker.
 */
final class KafkaBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    KafkaBroker() throws Exception {
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "3")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("group.min.session.timeout.ms", "1000")
                .setConfigProp("message.max.bytes", String.valueOf(8 << 20))
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Waits until a consumer group is stable with this many members, each holding partitions. */
    void awaitGroup(String group, int members) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            while (true) {
                Object seen;
                try {
                    org.apache.kafka.clients.admin.ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all()
                            .get(60, TimeUnit.SECONDS).get(group);
                    if (d.groupState() == org.apache.kafka.common.GroupState.STABLE && d.members().size() == members
                            && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                        return;
                    }
                    seen = d;
                } catch (java.util.concurrent.ExecutionException e) {
                    // the group does not exist until its first member has joined (a slow target connection delays that)
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                        throw e;
                    }
                    seen = e.getCause().getMessage();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("group " + group + " not stable with " + members + " members: " + seen);
                }
                Thread.sleep(100);
            }
        }
    }

    /** A record to produce: its partition, key and value. */
    record Message(int partition, byte[] key, byte[] value) {}

    /** @return the offset of the last record of each partition written */
    Map<Integer, Long> produce(String topic, List<Message> messages) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 << 20));
        Map<Integer, Long> last = new java.util.TreeMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>(messages.size());
            for (Message m : messages) {
                sent.add(producer.send(new ProducerRecord<>(topic, m.partition(), m.key(), m.value())));
            }
            producer.flush();
            for (java.util.concurrent.Future<RecordMetadata> f : sent) {
                RecordMetadata md = f.get();
                last.merge(md.partition(), md.offset(), Math::max);
            }
        }
        return last;
    }

    /** Stops the broker and starts it again (the controller keeps running). */
    void restartBroker() throws Exception {
        kafka.server.BrokerServer b = cluster.brokers().values().iterator().next();
        b.shutdown();
        b.awaitShutdown();
        b.startup();
        cluster.waitForReadyBrokers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
