package io.greenwell.cdc.rabbitmq;

import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.ChangeSourceProvider;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Provides {@link RabbitSource} as {@code rabbitmq}. Options: {@code uri} and {@code queue}
 * (required), {@code queue.type} ({@code classic}, {@code quorum} or {@code stream}; default
 * classic), {@code declare} ({@code true} or {@code false}), {@code exchange}, {@code exchange.type},
 * {@code exchange.durable}, {@code binding.key}, {@code single.active.consumer}, {@code prefetch},
 * {@code start} ({@code first}, {@code last} or {@code next}), {@code heartbeat.seconds},
 * {@code reconnect.seconds}, {@code stream.uri} (read a stream queue over the stream protocol, see
 * {@link RabbitSource.Builder#streamUri}) and {@code credits}; every option starting with {@code argument.} is a queue argument for
 * the declaration without that prefix (see {@link RabbitSource.Builder#argument}).
 */
public final class RabbitSourceProvider implements ChangeSourceProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public RabbitSourceProvider() {}

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public ChangeSource create(Map<String, String> options) {
        RabbitSource.Builder b = RabbitSource.builder();
        StringBuilder problems = new StringBuilder();
        String uri = options.get("uri");
        if (uri == null) {
            problems.append(" option 'uri' is required;");
        } else {
            b.uri(uri);
        }
        String queue = options.get("queue");
        if (queue == null) {
            problems.append(" option 'queue' is required;");
        } else {
            b.queue(queue);
        }
        String type = options.getOrDefault("queue.type", "classic");
        try {
            b.queueType(RabbitSource.QueueType.valueOf(type.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            problems.append(" option 'queue.type' is classic, quorum or stream, not ").append(type).append(';');
        }
        String start = options.getOrDefault("start", "first");
        try {
            b.start(RabbitSource.Start.valueOf(start.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            problems.append(" option 'start' is first, last or next, not ").append(start).append(';');
        }
        b.declare(flag(options, "declare", problems));
        b.exchangeDurable(flag(options, "exchange.durable", problems));
        b.singleActiveConsumer(flag(options, "single.active.consumer", problems));
        if (options.containsKey("exchange")) {
            b.exchange(options.get("exchange"));
        }
        if (options.containsKey("exchange.type")) {
            b.exchangeType(options.get("exchange.type"));
        }
        if (options.containsKey("binding.key")) {
            b.bindingKey(options.get("binding.key"));
        }
        Integer prefetch = number(options, "prefetch", problems);
        if (prefetch != null) {
            b.prefetch(prefetch);
        }
        if (options.containsKey("stream.uri")) {
            b.streamUri(options.get("stream.uri"));
        }
        Integer credits = number(options, "credits", problems);
        if (credits != null) {
            b.credits(credits);
        }
        Integer heartbeat = number(options, "heartbeat.seconds", problems);
        if (heartbeat != null) {
            b.heartbeat(Duration.ofSeconds(heartbeat));
        }
        Integer reconnect = number(options, "reconnect.seconds", problems);
        if (reconnect != null) {
            b.reconnectFor(Duration.ofSeconds(reconnect));
        }
        options.forEach((k, v) -> {
            if (k.startsWith("argument.")) {
                b.argument(k.substring(9), v);
            }
        });
        if (problems.length() > 0) {
            throw new IllegalArgumentException("cannot configure the RabbitMQ source:" + problems);
        }
        return b.build();
    }

    private static boolean flag(Map<String, String> options, String name, StringBuilder problems) {
        String v = options.getOrDefault(name, "false").toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            problems.append(" option '").append(name).append("' is true or false, not ").append(v).append(';');
        }
        return v.equals("true");
    }

    private static Integer number(Map<String, String> options, String name, StringBuilder problems) {
        String v = options.get(name);
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            problems.append(" option '").append(name).append("' is a number, not ").append(v).append(';');
            return null;
        }
    }
}
