package io.greenwell.examples;

import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.rabbitmq.RabbitSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code greenwell rabbitmq}: consumes the queue that Maxwell's RabbitMQ producer feeds into
 * PostgreSQL or Greenplum until SIGINT or SIGTERM: exactly once from a stream queue, acknowledged
 * after commit (and deduplicated by Maxwell's positions) from a classic or quorum queue.
 */
@Command(name = "rabbitmq", mixinStandardHelpOptions = true,
        description = {"Consumes a RabbitMQ queue fed by Maxwell's RabbitMQ producer into PostgreSQL or Greenplum, until stopped (SIGINT/SIGTERM).",
            "A stream queue (--stream) is applied exactly once; a classic or quorum queue at least once from the broker, exactly once in effect"
                + " when Maxwell writes binlog positions (output_binlog_position=true)."})
final class RabbitCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--uri", required = true, paramLabel = "URI",
            description = "amqp://user:password@host:5672/vhost, or amqps:// for TLS (the JVM's trust store, host name verified)")
    String uri;

    @Option(names = "--queue", required = true, paramLabel = "NAME", description = "the queue to consume; one queue is one stream of the checkpoint")
    String queue;

    @Option(names = "--stream", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "the queue is a stream queue (RabbitMQ 3.9+): exactly once, resumed at the checkpoint's offset")
    boolean stream;

    @Option(names = "--stream-uri", paramLabel = "URI",
            description = "read the stream queue over RabbitMQ's stream protocol (the rabbitmq_stream plugin), several times faster than AMQP 0-9-1:"
                + " rabbitmq-stream://user:password@host:5552/vhost (%%2f for /), or rabbitmq-stream+tls://...:5551/...; implies --stream."
                + " Every connection goes to this host and port; --uri still declares the topology")
    String streamUri;

    @Option(names = "--credits", paramLabel = "N",
            description = "with --stream-uri: chunks the broker may send ahead, 1 to 1000 (default 16)")
    Integer credits;

    @Option(names = "--quorum", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "the queue is a quorum queue (with --declare, declared as one)")
    boolean quorum;

    @Option(names = "--declare", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "declare the queue (durable, of its type, with --queue-argument) and bind it to --exchange; without it the queue must exist and is used unchanged")
    boolean declare;

    @Option(names = "--exchange", paramLabel = "X", defaultValue = "maxwell",
            description = "with --declare: the exchange to bind to, Maxwell's rabbitmq_exchange (default ${DEFAULT-VALUE}); '' for no binding")
    String exchange;

    @Option(names = "--exchange-type", paramLabel = "T", defaultValue = "fanout",
            description = "with --declare: the exchange's type when it does not exist yet, as Maxwell's rabbitmq_exchange_type (default ${DEFAULT-VALUE})")
    String exchangeType;

    @Option(names = "--exchange-durable", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "with --declare: declare a missing exchange durable, as Maxwell's rabbitmq_exchange_durable=true (a binding survives a broker restart only on a durable exchange)")
    boolean exchangeDurable;

    @Option(names = "--binding-key", paramLabel = "K", defaultValue = "#",
            description = "with --declare: the binding key (default ${DEFAULT-VALUE}: every routing key of a topic exchange; a fanout exchange ignores it)")
    String bindingKey;

    @Option(names = "--queue-argument", paramLabel = "k=v", split = TargetOptions.LIST, splitSynopsisLabel = ",",
            description = "with --declare: a queue argument (repeatable, or comma-separated), e.g. x-max-length-bytes=20000000000; integers and true/false are typed")
    List<String> queueArguments = new ArrayList<>();

    @Option(names = "--single-active-consumer", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "classic and quorum queues: consume without exclusivity, so that further instances wait as standbys"
                + " (with --declare the queue gets x-single-active-consumer; without it the queue must have it)")
    boolean singleActiveConsumer;

    @Option(names = "--prefetch", paramLabel = "N", description = "unacknowledged messages at most, 1 to 65535 (default 5000 for a stream,"
            + " 20000 otherwise; a classic or quorum batch holds at most this many records)")
    Integer prefetch;

    @Option(names = "--start", paramLabel = "first|last|next", defaultValue = "first",
            description = "where a stream queue without a checkpoint starts (default ${DEFAULT-VALUE})")
    String start;

    @Option(names = "--heartbeat", paramLabel = "SECONDS", defaultValue = "30", description = "the AMQP heartbeat (default ${DEFAULT-VALUE})")
    int heartbeatSeconds;

    @Option(names = "--reconnect-for", paramLabel = "SECONDS", defaultValue = "300",
            description = "how long to keep connecting to an unreachable broker before failing (default ${DEFAULT-VALUE})")
    int reconnectSeconds;

    @CommandLine.Mixin
    TargetOptions options;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        boolean streamQueue = stream || streamUri != null;
        if (streamQueue && quorum) {
            throw new CommandLine.ParameterException(cl, "--stream and --quorum exclude each other");
        }
        RabbitSource.Builder b = RabbitSource.builder().uri(uri).queue(queue)
                .queueType(streamQueue ? RabbitSource.QueueType.STREAM : quorum ? RabbitSource.QueueType.QUORUM : RabbitSource.QueueType.CLASSIC)
                .declare(declare).exchange(exchange).exchangeType(exchangeType).exchangeDurable(exchangeDurable).bindingKey(bindingKey)
                .singleActiveConsumer(singleActiveConsumer).heartbeat(Duration.ofSeconds(heartbeatSeconds))
                .reconnectFor(Duration.ofSeconds(reconnectSeconds));
        try {
            b.start(RabbitSource.Start.valueOf(start.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw ConfigFile.badValue(cl, "--start", start, "--start is first, last or next, not " + start);
        }
        for (String a : queueArguments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw ConfigFile.badValue(cl, "--queue-argument", a, "--queue-argument needs k=v, not '" + a + "'");
            }
            b.argument(a.substring(0, eq), a.substring(eq + 1));
        }
        if (prefetch != null) {
            b.prefetch(prefetch);
        }
        if (streamUri != null) {
            b.streamUri(streamUri);
            if (credits != null) {
                b.credits(credits);
            }
        } else if (credits != null) {
            throw new CommandLine.ParameterException(cl, "--credits is for --stream-uri (AMQP 0-9-1 has --prefetch)");
        }
        RabbitSource source;
        try {
            source = b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        ChangeTarget built = options.target(cl);
        try (RabbitSource s = source; ChangeTarget target = built) {
            CdcPipeline p = options.pipeline(s, target, cl.getErr());
            try (MetricsServer metrics = options.serve(p, cl)) {
                return Runs.runStoppable(p, cl.getOut(), cl.getErr());
            }
        }
    }
}
