package io.greenwell.examples;

import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.kafka.KafkaSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code greenwell kafka}: consumes Maxwell's Kafka topics into PostgreSQL or Greenplum, exactly
 * once, until SIGINT or SIGTERM; run several with one group to share the partitions.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Consumes Maxwell's Kafka topics into PostgreSQL or Greenplum, exactly once, until stopped (SIGINT/SIGTERM).")
final class KafkaCommand implements Callable<Integer> {

    /**
     * Splits consumer properties at a comma only where the next {@code key=} starts, so that
     * {@code ssl.enabled.protocols=TLSv1.2,TLSv1.3} stays one property.
     */
    static final String PROPERTIES = "\\s*,\\s*(?=[^,=\\s]+=)";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOSTS", description = "host:port,... of the Kafka brokers")
    String bootstrapServers;

    @Option(names = "--topic", paramLabel = "T", split = TargetOptions.LIST, splitSynopsisLabel = ",",
            description = "a topic to consume (repeatable, or comma-separated)")
    List<String> topics = new ArrayList<>();

    @Option(names = "--topic-pattern", paramLabel = "REGEX", description = "the topics to consume, as a regular expression")
    String topicPattern;

    @Option(names = "--group", required = true, paramLabel = "G", description = "the consumer group; instances with one group share the partitions")
    String group;

    @Option(names = "--consumer-property", paramLabel = "k=v", split = PROPERTIES, splitSynopsisLabel = ",",
            description = "any Kafka consumer property (repeatable, or comma-separated: a comma followed by k= starts the next)")
    List<String> consumerProperties = new ArrayList<>();

    @Option(names = "--start", paramLabel = "earliest|latest", defaultValue = "earliest",
            description = "where a partition with no stored offset starts (default ${DEFAULT-VALUE})")
    String start;

    @CommandLine.Mixin
    TargetOptions options;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (topics.isEmpty() == (topicPattern == null)) {
            throw new CommandLine.ParameterException(cl, "give --topic (one or more) or --topic-pattern");
        }
        KafkaSource.Builder b = KafkaSource.builder().bootstrapServers(bootstrapServers).groupId(group);
        topics.forEach(b::topic);
        if (topicPattern != null) {
            b.topicPattern(Pattern.compile(topicPattern));
        }
        switch (start.toLowerCase(Locale.ROOT)) {
            case "earliest":
                b.start(KafkaSource.Start.EARLIEST);
                break;
            case "latest":
                b.start(KafkaSource.Start.LATEST);
                break;
            default:
                throw ConfigFile.badValue(cl, "--start", start, "--start is earliest or latest, not " + start);
        }
        for (String p : consumerProperties) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw ConfigFile.badValue(cl, "--consumer-property", p, "--consumer-property needs k=v, not '" + p + "'");
            }
            b.property(p.substring(0, eq), p.substring(eq + 1));
        }
        ChangeTarget built = options.target(cl);
        try (KafkaSource source = b.build(); ChangeTarget target = built) {
            CdcPipeline p = options.pipeline(source, target, cl.getErr());
            try (MetricsServer metrics = options.serve(p, cl)) {
                return Runs.runStoppable(p, cl.getOut(), cl.getErr());
            }
        }
    }
}
