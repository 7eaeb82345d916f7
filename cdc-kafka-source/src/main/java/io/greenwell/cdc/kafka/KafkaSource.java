package io.greenwell.cdc.kafka;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.Instrumented;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.greenwell.cdc.spi.SourceRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maxwell's Kafka topics as a {@link ChangeSource}, on a consumer group: run several pipelines
 * with the same group id and each gets its share of the partitions. A stream is one partition,
 * named {@code topic-partition}.
 *
 * <p>The target's checkpoint decides where reading resumes: on every assignment the pipeline reads
 * the checkpoints and {@link #seek}s each partition right after the offset stored for it; a
 * partition without a checkpoint starts from the offset committed to Kafka, or else from the
 * {@link Start} position. Offsets are committed to Kafka only after the target committed them, for
 * monitoring (lag in Kafka's tools). {@link #pause()} pauses every assigned partition while
 * polling goes on, so the consumer stays in its group however long a batch takes. Record keys are
 * ignored, so every key format Maxwell writes ({@code hash}, {@code array}, the bare database name
 * or UUID of DDL) is accepted. Any consumer property passes through (SASL, SSL, timeouts).
 * Single-threaded, like every source.
 */
public final class KafkaSource implements ChangeSource, Instrumented {

    private static final Logger log = LoggerFactory.getLogger(KafkaSource.class);

    /** Where a partition without any stored offset starts. */
    public enum Start {
        /** The oldest record the topic holds (the default). */
        EARLIEST,
        /** Records produced from now on. */
        LATEST
    }

    private final Properties properties;
    private final List<String> topics;
    private final Pattern pattern;
    private final Start start;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Listener listener;
    private final Map<String, TopicPartition> assigned = new HashMap<>();
    private boolean paused;
    private boolean closing;
    /**
     * Per assigned stream, for the backlog meter: the partition's end offset as the last fetch saw
     * it, and the next offset to apply. Written on the reader thread, read by the meters.
     */
    private final Map<String, long[]> backlog = new ConcurrentHashMap<>();
    /** Null unless a pipeline with a meter registry bound the source's meters. */
    private KafkaMeters meters;

    private KafkaSource(Builder b) {
        this.properties = new Properties();
        properties.putAll(b.properties);
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, b.groupId);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, b.start == Start.LATEST ? "latest" : "earliest");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        this.topics = List.copyOf(b.topics);
        this.pattern = b.pattern;
        this.start = b.start;
    }

    /** @return a new builder, never null; methods can be chained */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the stream id of a partition: {@code topic-partition} */
    public static String streamOf(TopicPartition p) {
        return p.topic() + "-" + p.partition();
    }

    @Override
    public void open(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        consumer = new KafkaConsumer<>(properties);
        ConsumerRebalanceListener rebalance = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                revoked(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                revoked(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                List<String> streams = new ArrayList<>();
                for (TopicPartition p : partitions) {
                    assigned.put(streamOf(p), p);
                    streams.add(streamOf(p));
                    backlog.put(streamOf(p), new long[] {-1, -1});
                    if (meters != null) {
                        meters.stream(streamOf(p));
                    }
                }
                if (paused) {
                    consumer.pause(partitions);
                }
                KafkaSource.this.listener.assigned(streams);
            }
        };
        if (pattern != null) {
            consumer.subscribe(pattern, rebalance);
        } else {
            consumer.subscribe(topics, rebalance);
        }
    }

    private void revoked(Collection<TopicPartition> partitions) {
        if (closing) {
            // closing leaves the group: the run has ended, nobody needs telling
            assigned.clear();
            return;
        }
        List<String> streams = new ArrayList<>();
        for (TopicPartition p : partitions) {
            assigned.remove(streamOf(p));
            backlog.remove(streamOf(p));
            streams.add(streamOf(p));
        }
        if (!streams.isEmpty()) {
            listener.revoked(streams);
        }
    }

    @Override
    public void seek(Map<String, Long> lastApplied) {
        if (consumer == null) {
            return;
        }
        Set<TopicPartition> noCheckpoint = new HashSet<>();
        for (Map.Entry<String, TopicPartition> e : assigned.entrySet()) {
            Long last = lastApplied.get(e.getKey());
            long[] b = backlog.get(e.getKey());
            if (b != null) {
                b[1] = last == null ? -1 : last + 1;
            }
            if (last != null) {
                consumer.seek(e.getValue(), last + 1);
            } else {
                noCheckpoint.add(e.getValue());
            }
        }
        if (!noCheckpoint.isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(noCheckpoint);
            for (TopicPartition p : noCheckpoint) {
                OffsetAndMetadata c = committed.get(p);
                if (c != null) {
                    consumer.seek(p, c.offset());
                } else if (start == Start.LATEST) {
                    consumer.seekToEnd(List.of(p));
                } else {
                    consumer.seekToBeginning(List.of(p));
                }
            }
        }
    }

    @Override
    public List<SourceRecord> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(timeout);
        } catch (WakeupException e) {
            return List.of();
        } catch (RuntimeException e) {
            throw new CdcException("polling Kafka failed: " + e.getMessage(), e);
        }
        List<SourceRecord> out = new ArrayList<>(records.count());
        for (TopicPartition p : records.partitions()) {
            // one stream id per partition and poll, not one string per record
            String stream = streamOf(p);
            if (!assigned.containsKey(stream)) {
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> r : records.records(p)) {
                if (r.value() != null) {
                    out.add(new SourceRecord(stream, r.offset(), r.value()));
                }
            }
        }
        if (meters != null) {
            updateEnds(records);
        }
        return out;
    }

    /** The partitions' end offsets as the last fetch saw them (no request to the brokers). */
    private void updateEnds(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition p : records.partitions()) {
            long[] b = backlog.get(streamOf(p));
            if (b != null && b[1] < 0) {
                // no checkpoint yet: the next offset to apply is the first one fetched
                b[1] = records.records(p).get(0).offset();
            }
        }
        for (Map.Entry<String, TopicPartition> e : assigned.entrySet()) {
            OptionalLong lag = consumer.currentLag(e.getValue());
            long[] b = backlog.get(e.getKey());
            if (lag.isPresent() && b != null) {
                b[0] = consumer.position(e.getValue()) + lag.getAsLong();
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code greenwell.source.lag} (tag {@code stream}): the records of the partition that are
     * not applied yet, its end offset (as the last fetch saw it) minus the next offset to apply.
     */
    @Override
    public void bindMetrics(MeterRegistry registry, Tags tags) {
        meters = new KafkaMeters(registry, tags, backlog);
        for (String stream : backlog.keySet()) {
            meters.stream(stream);
        }
    }

    @Override
    public boolean isFinished() {
        return false;
    }

    @Override
    public void pause() {
        if (!paused) {
            paused = true;
            consumer.pause(consumer.assignment());
        }
    }

    @Override
    public void resume() {
        if (paused) {
            paused = false;
            consumer.resume(consumer.paused());
        }
    }

    @Override
    public void committed(Map<String, Long> lastOffsets) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        lastOffsets.forEach((stream, off) -> {
            long[] b = backlog.get(stream);
            if (b != null) {
                b[1] = off + 1;
            }
            TopicPartition p = assigned.get(stream);
            if (p != null) {
                offsets.put(p, new OffsetAndMetadata(off + 1));
            }
        });
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (o, e) -> {
                if (e != null) {
                    log.debug("committing offsets to Kafka failed (they are for monitoring only): {}", e.getMessage());
                }
            });
        }
    }

    @Override
    public void close() {
        closing = true;
        if (consumer != null) {
            try {
                consumer.close(java.time.Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("closing the consumer failed", e);
            }
            consumer = null;
        }
    }

    /** Builds a {@link KafkaSource}: bootstrap servers, a group and topics (or a pattern) are required. */
    public static final class Builder {
        private String bootstrapServers;
        private String groupId;
        private final List<String> topics = new ArrayList<>();
        private Pattern pattern;
        private Start start = Start.EARLIEST;
        private final Map<String, String> properties = new HashMap<>();

        private Builder() {}

        /**
         * @param servers {@code host:port,...}, never null
         * @return this builder
         */
        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = Objects.requireNonNull(servers, "servers");
            return this;
        }

        /**
         * @param groupId the consumer group: pipelines with the same group share the partitions
         * @return this builder
         */
        public Builder groupId(String groupId) {
            this.groupId = Objects.requireNonNull(groupId, "groupId");
            return this;
        }

        /**
         * @param topic a topic to read; call again for more
         * @return this builder
         */
        public Builder topic(String topic) {
            topics.add(Objects.requireNonNull(topic, "topic"));
            return this;
        }

        /**
         * @param pattern the topics to read, as a regular expression (instead of a list)
         * @return this builder
         */
        public Builder topicPattern(Pattern pattern) {
            this.pattern = Objects.requireNonNull(pattern, "pattern");
            return this;
        }

        /**
         * @param start where a partition with no stored offset starts; default {@link Start#EARLIEST}
         * @return this builder
         */
        public Builder start(Start start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /**
         * @param key any consumer property (SASL, SSL, {@code session.timeout.ms}...); the ones the
         *     source needs (auto commit off, deserializers) cannot be changed
         * @param value its value
         * @return this builder
         */
        public Builder property(String key, String value) {
            properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @return the source; the consumer is created on {@link KafkaSource#open}
         * @throws IllegalArgumentException naming every missing option
         */
        public KafkaSource build() {
            StringBuilder problems = new StringBuilder();
            if (bootstrapServers == null) {
                problems.append(" bootstrap servers are required;");
            }
            if (groupId == null) {
                problems.append(" a group id is required;");
            }
            if (topics.isEmpty() && pattern == null) {
                problems.append(" a topic or a topic pattern is required;");
            }
            if (!topics.isEmpty() && pattern != null) {
                problems.append(" topics and a pattern exclude each other;");
            }
            if (problems.length() > 0) {
                throw new IllegalArgumentException("cannot build the Kafka source:" + problems);
            }
            return new KafkaSource(this);
        }
    }
}
