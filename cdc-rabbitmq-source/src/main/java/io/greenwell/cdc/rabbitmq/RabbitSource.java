package io.greenwell.cdc.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.SourceRecord;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RabbitMQ queue that Maxwell's RabbitMQ producer feeds (through an exchange, {@code maxwell}
 * by default), as a {@link ChangeSource} over AMQP 0-9-1. The queue is one stream, named by the
 * queue's name.
 *
 * <h2>Guarantees by queue type</h2>
 * <ul>
 *   <li>{@link QueueType#STREAM}: exactly once. A record's offset is its stream offset (the
 *       {@code x-stream-offset} header); {@link #seek} consumes from the offset after the
 *       checkpoint ({@code x-stream-offset} consumer argument), or from the {@link Start} position
 *       when there is none. Deliveries are acknowledged as {@link #poll} hands them over: a
 *       stream keeps its messages, and acknowledgements only grant the next ones within the
 *       prefetch window, so a paused source holds at most the prefetch. With
 *       {@link Builder#streamUri} the queue is read over RabbitMQ's stream protocol instead
 *       (chunks for credits, several times faster; see {@link StreamProtocolReader}), with the
 *       same offsets and the same guarantee.</li>
 *   <li>{@link QueueType#CLASSIC} and {@link QueueType#QUORUM}: at least once from the broker.
 *       Messages are acknowledged only after the batch holding them committed (one multiple
 *       acknowledgement up to the batch's last delivery tag, in {@link #committed}, and in
 *       {@link #seek} up to the checkpoint). A message delivered again after a crash or a lost
 *       connection is dropped by the target's watermark when it carries a Maxwell position
 *       ({@code output_binlog_position=true}); without positions it is applied again, and
 *       {@link #redeliveries()} counts such deliveries. The offset of a record is
 *       {@code session × 2^32 + delivery tag}: it increases along the queue across reconnections,
 *       and its low 32 bits are the delivery tag that a dead letter names. The consumer is
 *       exclusive, so that a second consumer on the queue is refused by the broker before it
 *       takes any message (several consumers would break the order of a table's changes); with
 *       {@link Builder#singleActiveConsumer} the queue is declared with
 *       {@code x-single-active-consumer} and further instances wait as standbys instead.</li>
 * </ul>
 *
 * <h2>Connection</h2>
 * By URI ({@code amqp://user:password@host:port/vhost}, {@code amqps://} for TLS with the JVM's
 * trust store and host name verification, or a given {@link SSLContext}). The client's automatic
 * recovery is off: when the connection or the channel is lost, {@link #poll} connects again
 * (with a doubling pause, for at most {@link Builder#reconnectFor}) and reports the stream as
 * assigned again, so that the pipeline drops what it has not applied, reads the checkpoint and
 * {@link #seek}s: what is replayed is decided by the checkpoint, never by the client. The
 * broker's {@code consumer_timeout} (30 minutes by default) must be longer than the longest batch
 * takes, since classic and quorum messages stay unacknowledged until their batch commits.
 *
 * <p>Single-threaded like every source: the client's consumer threads only queue deliveries.
 */
public final class RabbitSource implements ChangeSource {

    private static final Logger log = LoggerFactory.getLogger(RabbitSource.class);
    private static final int POLL_RECORDS = 4096;
    private static final long SESSION = 1L << 32;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(5);

    /** The kind of queue, which decides the guarantee. */
    public enum QueueType {
        /** A classic queue: at least once, acknowledged after commit. */
        CLASSIC,
        /** A quorum queue: at least once, acknowledged after commit. */
        QUORUM,
        /** A stream queue (RabbitMQ 3.9+): exactly once, resumed at the checkpoint's offset. */
        STREAM
    }

    /** Where a stream queue without a checkpoint starts. */
    public enum Start {
        /** The first message the stream holds (the default). */
        FIRST,
        /** The last chunk of messages the stream holds. */
        LAST,
        /** Messages published from now on. */
        NEXT
    }

    private final ConnectionFactory factory;
    private final String endpoint;
    private final String queue;
    private final QueueType type;
    private final boolean declare;
    private final String exchange;
    private final String exchangeType;
    private final boolean exchangeDurable;
    private final String bindingKey;
    private final Map<String, Object> arguments;
    private final boolean singleActiveConsumer;
    private final int prefetch;
    private final Start start;
    private final Duration reconnectFor;
    /** Stream queues read over the stream protocol; null: over AMQP 0-9-1. */
    private final StreamProtocolReader streamReader;

    private Listener listener;
    private Connection connection;
    private Channel channel;
    /** The deliveries of the current consumer; a new consumer gets a new queue, so nothing of an old one is returned. */
    private LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    /** Why the connection or the consumer ended, set by the client's threads; null while it works. */
    private volatile Object broken;
    private boolean paused;
    /** Classic and quorum: the offset of delivery tag 0 on the current channel. */
    private long base = -1;
    /** The highest offset returned so far. */
    private long lastReturned = -1;
    /** Classic and quorum: the delivery tag acknowledged last on the current channel. */
    private long ackedTag;
    /** Stream: the first offset wanted; records before it (the rest of a chunk) are skipped. */
    private long from;
    private long redeliveries;
    /** Stream protocol: how many times the reader was opened again because its consumer stopped receiving. */
    private long reopened;
    private final List<Delivery> drained = new ArrayList<>(POLL_RECORDS);

    /** A message as the consumer thread hands it over. */
    private record Delivery(long tag, boolean redelivered, Object streamOffset, byte[] body) {}

    private RabbitSource(Builder b) {
        this.factory = b.factory;
        this.endpoint = b.endpoint;
        this.queue = b.queue;
        this.type = b.type;
        this.declare = b.declare;
        this.exchange = b.exchange;
        this.exchangeType = b.exchangeType;
        this.exchangeDurable = b.exchangeDurable;
        this.bindingKey = b.bindingKey;
        this.arguments = Map.copyOf(b.arguments);
        this.singleActiveConsumer = b.singleActiveConsumer;
        this.prefetch = b.prefetch;
        this.start = b.start;
        this.reconnectFor = b.reconnectFor;
        this.streamReader = b.streamUri == null ? null : new StreamProtocolReader(b.streamUri, b.queue, b.credits, b.reconnectFor);
    }

    /** @return a new builder, never null; methods can be chained */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the stream id of this source: the queue's name, never null */
    public String stream() {
        return queue;
    }

    /**
     * @return how many messages the broker delivered again (classic and quorum queues) in this
     *     source's life; those without a Maxwell position can have been applied twice
     */
    public long redeliveries() {
        return redeliveries;
    }

    /** @return stream protocol: how many times the client subscribed again by itself; for tests */
    long resubscriptions() {
        return streamReader == null ? 0 : streamReader.resubscriptions();
    }

    /** @return stream protocol: how many times a consumer that stopped receiving was replaced; for tests */
    long reopened() {
        return reopened;
    }

    /**
     * Connects and declares the topology (or checks that the queue exists); consuming starts at
     * {@link #seek}.
     *
     * @throws CdcException when the broker stays unreachable for the reconnect time, refuses the
     *     credentials, or refuses the topology (a queue of another type, a missing queue)
     */
    @Override
    public void open(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        try {
            connectWithin(reconnectFor);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CdcException("interrupted while connecting to RabbitMQ at " + endpoint, e);
        }
        if (streamReader != null) {
            closeConnection(); // AMQP 0-9-1 declared the topology; the stream protocol reads
            try {
                streamReader.open();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CdcException("interrupted while connecting to RabbitMQ at " + streamReader.endpoint(), e);
            }
        }
    }

    /**
     * Starts a new consumer after the checkpoint: a stream queue from the offset after it, a
     * classic or quorum queue after acknowledging everything up to it (the messages of batches
     * that were not applied are delivered again, on a new channel).
     */
    @Override
    public void seek(Map<String, Long> lastApplied) {
        Long last = lastApplied.get(queue);
        if (streamReader != null) {
            try {
                streamReader.seek(last != null ? last + 1 : -1, start);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CdcException("interrupted while subscribing to stream queue " + queue, e);
            }
            return;
        }
        if (connection == null) {
            return;
        }
        try {
            if (channel != null && channel.isOpen()) {
                if (type != QueueType.STREAM && last != null && last > base && last - base > ackedTag && last - base < SESSION) {
                    channel.basicAck(last - base, true);
                }
                closeChannel();
            }
            channel = connection.createChannel();
            channel.basicQos(prefetch, false);
            deliveries = new LinkedBlockingQueue<>();
            Map<String, Object> args = new HashMap<>();
            boolean exclusive = false;
            if (type == QueueType.STREAM) {
                from = last != null ? last + 1 : 0;
                args.put("x-stream-offset", last != null ? (Object) (last + 1) : start.name().toLowerCase(Locale.ROOT));
            } else {
                long floor = Math.max(last != null ? last : -1, lastReturned);
                base = (Math.floorDiv(floor, SESSION) + 1) * SESSION;
                ackedTag = 0;
                exclusive = !singleActiveConsumer;
            }
            channel.basicConsume(queue, false, "", false, exclusive, args, new Consumer(channel, deliveries));
            log.info("consuming {} queue {} on {} from {}", type.name().toLowerCase(Locale.ROOT), queue, endpoint,
                    type == QueueType.STREAM ? args.get("x-stream-offset") : "its head");
        } catch (IOException | RuntimeException e) {
            refusedOrBroken(e, "consuming queue " + queue);
        }
    }

    /**
     * Returns the deliveries that came in, in queue order; reconnects first when the connection
     * was lost (the listener is then told the stream is assigned again).
     *
     * @throws CdcException when the broker stays unreachable for the reconnect time or refuses to
     *     serve the queue
     */
    @Override
    public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
        if (streamReader != null) {
            return pollStreamProtocol(timeout);
        }
        if (broken != null) {
            reconnect();
            return List.of();
        }
        if (paused) {
            return List.of();
        }
        LinkedBlockingQueue<Delivery> q = deliveries;
        Delivery first = timeout.isZero() ? q.poll() : q.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (first == null) {
            return List.of();
        }
        drained.clear();
        drained.add(first);
        q.drainTo(drained, POLL_RECORDS - 1);
        List<SourceRecord> out = new ArrayList<>(drained.size());
        long lastTag = 0;
        for (int i = 0; i < drained.size(); i++) {
            Delivery d = drained.get(i);
            lastTag = d.tag;
            long offset;
            if (type == QueueType.STREAM) {
                if (!(d.streamOffset instanceof Number)) {
                    throw new CdcException("a message of stream queue " + queue + " has no x-stream-offset header: is it a stream queue?");
                }
                offset = ((Number) d.streamOffset).longValue();
                if (offset < from) {
                    continue; // the start of the chunk the wanted offset is in
                }
            } else {
                offset = base + d.tag;
                if (d.redelivered) {
                    redeliveries++;
                }
            }
            lastReturned = offset;
            out.add(new SourceRecord(queue, offset, d.body));
        }
        if (type == QueueType.STREAM) {
            try {
                channel.basicAck(lastTag, true);
            } catch (IOException | RuntimeException e) {
                brokenBy(e);
                return List.of();
            }
        }
        return out;
    }

    private List<SourceRecord> pollStreamProtocol(Duration timeout) throws InterruptedException {
        String why = streamReader.broken();
        if (why != null) {
            log.warn("the stream-protocol consumer of queue {} at {} stopped ({}); connecting again", queue, streamReader.endpoint(), why);
            streamReader.close();
            streamReader.open();
            reopened++;
            listener.assigned(List.of(queue)); // the pipeline drops what it holds, reads the checkpoint and seeks
            return List.of();
        }
        if (paused) {
            streamReader.paused();
            return List.of();
        }
        return streamReader.poll(timeout);
    }

    @Override
    public boolean isFinished() {
        return false;
    }

    /** Returns nothing until {@link #resume}; the broker stops delivering once the prefetch is unacknowledged. */
    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
    }

    /** Classic and quorum queues: acknowledges every delivery up to the batch's last one. */
    @Override
    public void committed(Map<String, Long> lastOffsets) {
        Long last = lastOffsets.get(queue);
        if (type == QueueType.STREAM || last == null || last <= base || last - base >= SESSION || channel == null) {
            return; // a stream needs no acknowledgement after commit; an older channel's tags are gone with it
        }
        long tag = last - base;
        if (tag <= ackedTag) {
            return;
        }
        try {
            channel.basicAck(tag, true);
            ackedTag = tag;
        } catch (IOException | RuntimeException e) {
            // the messages come again on the next channel and the watermark drops them
            brokenBy(e);
        }
    }

    /** Closes the connection; unacknowledged messages of a classic or quorum queue go back to it. */
    @Override
    public void close() {
        if (redeliveries > 0) {
            log.info("queue {}: {} messages were delivered again; those without a Maxwell position may have been applied twice",
                    queue, redeliveries);
        }
        if (streamReader != null) {
            streamReader.close();
        }
        closeConnection();
    }

    private void reconnect() throws InterruptedException {
        log.warn("the connection to RabbitMQ at {} was lost ({}); connecting again", endpoint, broken);
        closeConnection();
        connectWithin(reconnectFor);
        // the pipeline drops what it holds of the queue, reads the checkpoint and seeks
        listener.assigned(List.of(queue));
    }

    private void connectWithin(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        long pause = FIRST_PAUSE.toMillis();
        while (true) {
            try {
                connect();
                return;
            } catch (IOException | TimeoutException | RuntimeException e) {
                closeConnection();
                if (e instanceof CdcException || e instanceof AuthenticationFailureException || System.nanoTime() > deadline) {
                    throw e instanceof CdcException ? (CdcException) e
                            : new CdcException("cannot connect to RabbitMQ at " + endpoint + ": " + e.getMessage(), e);
                }
                log.warn("cannot connect to RabbitMQ at {} ({}); trying again in {} ms", endpoint, e.getMessage(), pause);
                Thread.sleep(pause);
                pause = Math.min(pause * 2, MAX_PAUSE.toMillis());
            }
        }
    }

    private void connect() throws IOException, TimeoutException {
        Connection c = factory.newConnection("greenwell " + queue);
        connection = c;
        broken = null;
        c.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                broken = cause.getMessage();
            }
        });
        try (Channel ch = c.createChannel()) {
            declareTopology(ch);
        } catch (IOException | RuntimeException e) {
            if (queueNotUpYet(e)) {
                // right after the broker started, a durable queue's leader may not run yet: try again
                throw new IOException("queue " + queue + " is not available yet: " + shutdownOf(e).getMessage(), e);
            }
            refusedOrBroken(e, "declaring the topology of queue " + queue);
        }
        log.info("connected to RabbitMQ at {}", endpoint);
    }

    private void declareTopology(Channel ch) throws IOException {
        if (!declare) {
            ch.queueDeclarePassive(queue);
            return;
        }
        Map<String, Object> args = new HashMap<>(arguments);
        if (type != QueueType.CLASSIC) {
            args.put("x-queue-type", type.name().toLowerCase(Locale.ROOT));
        }
        if (singleActiveConsumer) {
            args.put("x-single-active-consumer", true);
        }
        ch.queueDeclare(queue, true, false, false, args);
        if (!exchange.isEmpty()) {
            ensureExchange(ch.getConnection());
            ch.queueBind(queue, exchange, bindingKey);
        }
    }

    /** Declares the exchange the way Maxwell's producer does, when Maxwell has not done it yet; an existing one is left as it is. */
    private void ensureExchange(Connection c) throws IOException {
        try (Channel probe = c.createChannel()) {
            probe.exchangeDeclarePassive(exchange);
            return;
        } catch (IOException | TimeoutException | RuntimeException e) {
            ShutdownSignalException s = shutdownOf(e);
            if (s == null || s.isHardError() || !(s.getReason() instanceof AMQP.Channel.Close)
                    || ((AMQP.Channel.Close) s.getReason()).getReplyCode() != AMQP.NOT_FOUND) {
                throw e instanceof IOException ? (IOException) e : new IOException(e);
            }
        }
        try (Channel ch = c.createChannel()) {
            ch.exchangeDeclare(exchange, exchangeType, exchangeDurable, false, null);
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
    }

    /**
     * A channel-level refusal (a missing queue or exchange, another type or other arguments, no
     * permission) is a configuration problem and stops the pipeline; anything else marks the
     * connection broken, so that the next poll connects again.
     */
    private void refusedOrBroken(Exception e, String what) {
        ShutdownSignalException s = shutdownOf(e);
        if (s != null && !s.isHardError()) {
            throw new CdcException("RabbitMQ at " + endpoint + " refused " + what + ": " + s.getMessage(), e);
        }
        if (connection == null || !connection.isOpen() || s != null) {
            brokenBy(e);
            return;
        }
        throw new CdcException(what + " failed on RabbitMQ at " + endpoint + ": " + e.getMessage(), e);
    }

    /**
     * Whether a refusal says that the queue exists but its home node does not serve it yet (404,
     * "home node ... is down or inaccessible"), as for a while after the broker started again.
     */
    private static boolean queueNotUpYet(Throwable e) {
        ShutdownSignalException s = shutdownOf(e);
        if (s == null || s.isHardError() || !(s.getReason() instanceof AMQP.Channel.Close)) {
            return false;
        }
        AMQP.Channel.Close close = (AMQP.Channel.Close) s.getReason();
        return close.getReplyCode() == AMQP.NOT_FOUND && close.getReplyText() != null
                && close.getReplyText().contains("is down or inaccessible");
    }

    private static ShutdownSignalException shutdownOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException) {
                return (ShutdownSignalException) t;
            }
        }
        return null;
    }

    private void brokenBy(Exception e) {
        if (broken == null) {
            broken = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
    }

    private void closeChannel() {
        Channel ch = channel;
        channel = null;
        if (ch != null && ch.isOpen()) {
            try {
                ch.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                log.debug("closing the channel failed", e);
            }
        }
    }

    private void closeConnection() {
        channel = null;
        Connection c = connection;
        connection = null;
        if (c != null && c.isOpen()) {
            try {
                c.close(5_000);
            } catch (IOException | RuntimeException e) {
                log.debug("closing the connection failed", e);
            }
        }
    }

    /** Queues the deliveries of one consumer; a cancellation by the broker (queue deleted) breaks the session. */
    private final class Consumer extends DefaultConsumer {
        private final LinkedBlockingQueue<Delivery> into;

        Consumer(Channel channel, LinkedBlockingQueue<Delivery> into) {
            super(channel);
            this.into = into;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            Map<String, Object> headers = properties.getHeaders();
            into.add(new Delivery(envelope.getDeliveryTag(), envelope.isRedeliver(), headers == null ? null : headers.get("x-stream-offset"),
                    body));
        }

        @Override
        public void handleCancel(String consumerTag) {
            broken = "the broker cancelled the consumer of queue " + queue;
        }

        @Override
        public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
            if (!sig.isInitiatedByApplication()) {
                broken = sig.getMessage();
            }
        }
    }

    /**
     * Builds a {@link RabbitSource}: a URI and a queue are required. Every problem is reported at
     * once by {@link #build()}.
     */
    public static final class Builder {
        private ConnectionFactory factory;
        private String uri;
        private String endpoint;
        private SSLContext sslContext;
        private String queue;
        private QueueType type = QueueType.CLASSIC;
        private boolean declare;
        private String exchange = "maxwell";
        private String exchangeType = "fanout";
        private boolean exchangeDurable;
        private String bindingKey = "#";
        private final Map<String, Object> arguments = new HashMap<>();
        private boolean singleActiveConsumer;
        private int prefetch = -1;
        private Start start = Start.FIRST;
        private Duration heartbeat = Duration.ofSeconds(30);
        private Duration connectionTimeout = Duration.ofSeconds(10);
        private Duration reconnectFor = Duration.ofMinutes(5);
        private String streamUri;
        private int credits = 16;

        private Builder() {}

        /**
         * @param uri {@code amqp://user:password@host:port/vhost} or {@code amqps://...}, never null;
         *     the password is never logged
         * @return this builder
         */
        public Builder uri(String uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
            return this;
        }

        /**
         * @param context the TLS context of an {@code amqps://} URI; default the JVM's
         *     ({@code javax.net.ssl.trustStore}), with host name verification
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * @param queue the queue to consume, never null
         * @return this builder
         */
        public Builder queue(String queue) {
            this.queue = Objects.requireNonNull(queue, "queue");
            return this;
        }

        /**
         * @param type the queue's type; default {@link QueueType#CLASSIC}
         * @return this builder
         */
        public Builder queueType(QueueType type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * @param declare true: declare the queue (durable, of the type, with the arguments) and
         *     bind it to the exchange; false (the default): use the existing queue unchanged
         * @return this builder
         */
        public Builder declare(boolean declare) {
            this.declare = declare;
            return this;
        }

        /**
         * @param exchange the exchange to bind the declared queue to, Maxwell's
         *     {@code rabbitmq_exchange}; default {@code maxwell}; empty: no binding
         * @return this builder
         */
        public Builder exchange(String exchange) {
            this.exchange = Objects.requireNonNull(exchange, "exchange");
            return this;
        }

        /**
         * @param type the exchange's type when it does not exist yet, as Maxwell's
         *     {@code rabbitmq_exchange_type}; default {@code fanout}
         * @return this builder
         */
        public Builder exchangeType(String type) {
            this.exchangeType = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * @param durable whether the exchange, when it does not exist yet, is declared durable, as
         *     Maxwell's {@code rabbitmq_exchange_durable}; default false (Maxwell's default). A
         *     binding survives a broker restart only on a durable exchange
         * @return this builder
         */
        public Builder exchangeDurable(boolean durable) {
            this.exchangeDurable = durable;
            return this;
        }

        /**
         * @param key the binding key; default {@code #} (every routing key of a topic exchange;
         *     a fanout exchange ignores it)
         * @return this builder
         */
        public Builder bindingKey(String key) {
            this.bindingKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * @param name a queue argument for the declaration ({@code x-max-length-bytes},
         *     {@code x-stream-max-segment-size-bytes}...), never null
         * @param value its value, never null; a string that is an integer or {@code true} or
         *     {@code false} is passed as a number or a boolean, as configuration files give them
         * @return this builder
         */
        public Builder argument(String name, Object value) {
            arguments.put(Objects.requireNonNull(name, "name"), typed(Objects.requireNonNull(value, "value")));
            return this;
        }

        static Object typed(Object value) {
            if (!(value instanceof String)) {
                return value;
            }
            String v = (String) value;
            if (v.equals("true") || v.equals("false")) {
                return Boolean.valueOf(v);
            }
            try {
                return Long.valueOf(v);
            } catch (NumberFormatException e) {
                return v;
            }
        }

        /**
         * @param sac true: classic and quorum queues are declared with
         *     {@code x-single-active-consumer} and consumed non-exclusively, so that more instances
         *     wait as standbys; default false: the consumer is exclusive and a second one is refused
         * @return this builder
         */
        public Builder singleActiveConsumer(boolean sac) {
            this.singleActiveConsumer = sac;
            return this;
        }

        /**
         * @param prefetch the most unacknowledged messages, 1 to 65535; default 5,000 for a stream
         *     queue, 20,000 otherwise. With classic and quorum queues a batch holds at most this
         *     many records (they stay unacknowledged until it commits), so a larger batch closes at
         *     the pipeline's maximum delay instead
         * @return this builder
         */
        public Builder prefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /**
         * Reads a stream queue over RabbitMQ's stream protocol instead of AMQP 0-9-1: chunks of
         * messages for credits instead of a delivery per message, several times faster (the
         * broker's {@code rabbitmq_stream} plugin must be on). The topology is still declared over
         * the AMQP URI; every connection of the stream protocol goes to this URI's host and port
         * (the broker's advertised host names are not used), so a cluster is reached through one
         * address, a load balancer in front of its nodes.
         *
         * @param uri {@code rabbitmq-stream://user:password@host:5552/vhost} (the vhost
         *     URL-encoded: {@code %2f} for {@code /}), or {@code rabbitmq-stream+tls://...:5551/...};
         *     only with {@link QueueType#STREAM}
         * @return this builder
         */
        public Builder streamUri(String uri) {
            this.streamUri = Objects.requireNonNull(uri, "uri");
            return this;
        }

        /**
         * @param credits with {@link #streamUri}: how many chunks the broker may send ahead of what
         *     the pipeline took, 1 to 1000; default 16. A paused source holds at most this many chunks
         *     (a chunk is what the broker wrote at once: 50 messages on average and 512 at most in
         *     the benchmark's run); fewer credits are slower (1: about 0.7 of the default's rate)
         * @return this builder
         */
        public Builder credits(int credits) {
            this.credits = credits;
            return this;
        }

        /**
         * @param start where a stream queue without a checkpoint starts; default {@link Start#FIRST}
         * @return this builder
         */
        public Builder start(Start start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /**
         * @param heartbeat the AMQP heartbeat the client asks for; default 30 s
         * @return this builder
         */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
            return this;
        }

        /**
         * @param timeout how long to wait for one connection attempt; default 10 s
         * @return this builder
         */
        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @param within how long to keep trying to connect, at open and after a lost connection,
         *     before the pipeline fails; default 5 minutes
         * @return this builder
         */
        public Builder reconnectFor(Duration within) {
            this.reconnectFor = Objects.requireNonNull(within, "within");
            return this;
        }

        /**
         * @return the source; it connects on {@link RabbitSource#open}
         * @throws IllegalArgumentException naming every problem
         */
        public RabbitSource build() {
            StringBuilder problems = new StringBuilder();
            if (uri == null) {
                problems.append(" a URI is required;");
            }
            if (queue == null || queue.isEmpty()) {
                problems.append(" a queue is required;");
            }
            if (prefetch == -1) {
                prefetch = type == QueueType.STREAM ? 5_000 : 20_000;
            }
            if (prefetch < 1 || prefetch > 65_535) {
                problems.append(" the prefetch is 1 to 65535, not ").append(prefetch).append(';');
            }
            if (heartbeat.isNegative() || heartbeat.getSeconds() > 65_535) {
                problems.append(" the heartbeat is 0 to 65535 seconds, not ").append(heartbeat).append(';');
            }
            if (reconnectFor.isNegative()) {
                problems.append(" the reconnect time must not be negative;");
            }
            if (streamUri != null) {
                if (type != QueueType.STREAM) {
                    problems.append(" the stream protocol reads stream queues only (queue type ").append(type.name().toLowerCase(Locale.ROOT))
                            .append(");");
                }
                if (!streamUri.regionMatches(true, 0, "rabbitmq-stream://", 0, 18) && !streamUri.regionMatches(true, 0, "rabbitmq-stream+tls://", 0, 22)) {
                    problems.append(" the stream URI is rabbitmq-stream://... or rabbitmq-stream+tls://...;");
                } else {
                    try {
                        if (java.net.URI.create(streamUri).getHost() == null) {
                            problems.append(" the stream URI names no host;");
                        }
                    } catch (IllegalArgumentException e) {
                        problems.append(" the stream URI is not a URI;");
                    }
                }
                if (credits < 1 || credits > 1000) {
                    problems.append(" the credits are 1 to 1000, not ").append(credits).append(';');
                }
            }
            if (singleActiveConsumer && type == QueueType.STREAM) {
                problems.append(" single active consumer is for classic and quorum queues (a stream is resumed by offset);");
            }
            ConnectionFactory f = new ConnectionFactory();
            if (uri != null) {
                try {
                    f.setUri(uri);
                    if (uri.regionMatches(true, 0, "amqps:", 0, 6)) {
                        // setUri trusts every certificate for amqps: use a real trust store instead
                        f.useSslProtocol(sslContext != null ? sslContext : SSLContext.getDefault());
                        f.enableHostnameVerification();
                    }
                } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
                    problems.append(" the URI is not an amqp:// or amqps:// URI: ").append(redacted(e.getMessage())).append(';');
                }
            }
            if (problems.length() > 0) {
                throw new IllegalArgumentException("cannot build the RabbitMQ source:" + problems);
            }
            f.setAutomaticRecoveryEnabled(false);
            f.setTopologyRecoveryEnabled(false);
            f.setRequestedHeartbeat((int) heartbeat.getSeconds());
            f.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, connectionTimeout.toMillis()));
            factory = f;
            endpoint = (f.isSSL() ? "amqps://" : "amqp://") + f.getHost() + ":" + f.getPort() + "/" + f.getVirtualHost();
            return new RabbitSource(this);
        }

        private String redacted(String message) {
            return message == null ? "" : message.replace(uri, "<uri>");
        }
    }
}
