package io.greenwell.cdc.kafka;

import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.ChangeSourceProvider;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Provides {@link KafkaSource} as {@code kafka}. Options: {@code bootstrap.servers},
 * {@code group}, {@code topics} (comma-separated) or {@code topic.pattern}, {@code start}
 * ({@code earliest} or {@code latest}); every option starting with {@code consumer.} is passed to
 * the consumer without that prefix.
 */
public final class KafkaSourceProvider implements ChangeSourceProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public KafkaSourceProvider() {}

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public ChangeSource create(Map<String, String> options) {
        KafkaSource.Builder b = KafkaSource.builder();
        StringBuilder problems = new StringBuilder();
        String servers = options.get("bootstrap.servers");
        if (servers == null) {
            problems.append(" option 'bootstrap.servers' is required;");
        } else {
            b.bootstrapServers(servers);
        }
        String group = options.get("group");
        if (group == null) {
            problems.append(" option 'group' is required;");
        } else {
            b.groupId(group);
        }
        String topics = options.get("topics");
        String pattern = options.get("topic.pattern");
        if ((topics == null) == (pattern == null)) {
            problems.append(" give option 'topics' or 'topic.pattern';");
        } else if (topics != null) {
            for (String t : topics.split(",")) {
                if (!t.isBlank()) {
                    b.topic(t.trim());
                }
            }
        } else {
            b.topicPattern(Pattern.compile(pattern));
        }
        String start = options.getOrDefault("start", "earliest").toLowerCase(Locale.ROOT);
        if (start.equals("latest")) {
            b.start(KafkaSource.Start.LATEST);
        } else if (!start.equals("earliest")) {
            problems.append(" option 'start' is earliest or latest, not ").append(start).append(';');
        }
        options.forEach((k, v) -> {
            if (k.startsWith("consumer.")) {
                b.property(k.substring(9), v);
            }
        });
        if (problems.length() > 0) {
            throw new IllegalArgumentException("cannot configure the Kafka source:" + problems);
        }
        return b.build();
    }
}
