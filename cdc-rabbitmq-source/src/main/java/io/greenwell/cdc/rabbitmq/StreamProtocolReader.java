package io.greenwell.cdc.rabbitmq;

import com.rabbitmq.stream.Address;
import com.rabbitmq.stream.AuthenticationFailureException;
import com.rabbitmq.stream.BackOffDelayPolicy;
import com.rabbitmq.stream.Consumer;
import com.rabbitmq.stream.ConsumerFlowStrategy;
import com.rabbitmq.stream.Environment;
import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.MessageHandler;
import com.rabbitmq.stream.NoOffsetException;
import com.rabbitmq.stream.OffsetSpecification;
import com.rabbitmq.stream.StreamDoesNotExistException;
import com.rabbitmq.stream.StreamStats;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.spi.SourceRecord;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream queue read over RabbitMQ's stream protocol (the {@code rabbitmq_stream} plugin,
 * port 5552), for {@link RabbitSource}: chunks of messages instead of one AMQP 0-9-1 delivery
 * per message.
 *
 * <p>Owns one {@link Environment} (its connections) and at most one consumer at a time. Called
 * by the pipeline's reader thread only; the client's threads only queue messages. The offsets
 * are the stream's own, so a record's offset is the same as over AMQP 0-9-1.
 *
 * <ul>
 *   <li><b>Flow:</b> the broker sends a chunk only for a credit, and a credit is given when half
 *       of a chunk's messages were handed to the pipeline ({@link #poll}); a paused source takes
 *       nothing, so at most {@code credits} chunks wait in memory.</li>
 *   <li><b>Where it resumes:</b> {@link #seek} subscribes at the offset after the checkpoint.
 *       When the client connects again by itself (a lost connection, a broker restart), it
 *       subscribes at the offset after the last message queued, which Greenwell chooses, not
 *       the client: the pipeline still holds everything before it, and a stream never changes
 *       what an offset holds, so nothing is lost or read twice. Messages before the wanted
 *       offset (the start of a chunk) are passed over.</li>
 *   <li><b>Failure:</b> connecting and subscribing are tried again for the reconnect time
 *       (refused credentials and a stream that does not exist at once stop the pipeline). While
 *       the pipeline waits for records, the stream is looked up every few seconds: a stream that
 *       no longer exists stops the pipeline; a broker that stays unreachable for the reconnect
 *       time stops it. Where the broker gives stream statistics (RabbitMQ 3.11+), a stream that
 *       holds a newer chunk than the consumer received while none arrives for {@link #STALE}
 *       (not counting time paused) marks the reader {@link #broken()} (once per such chunk), and
 *       the source opens it again, so that the pipeline reads the checkpoint and seeks: the
 *       client gives a subscription up after some failures.</li>
 * </ul>
 */
final class StreamProtocolReader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamProtocolReader.class);
    private static final int POLL_RECORDS = 4096;
    private static final long CHECK_EVERY = TimeUnit.SECONDS.toNanos(2);
    /** How long a consumer may receive nothing while its stream holds newer chunks. */
    static final Duration STALE = Duration.ofSeconds(15);

    private final String uri;
    private final String endpoint;
    private final String queue;
    private final int credits;
    private final Duration reconnectFor;

    private Environment environment;
    private Subscription subscription;
    private volatile String broken;
    private long nextCheck;
    /** When the statistics first could not be read, in a row; 0 while they can. */
    private long unreachableSince;
    /** Whether the broker gives stream statistics (RabbitMQ 3.11+), to tell a consumer that stopped receiving. */
    private boolean statistics = true;
    /** The newest chunk of the stream when the reader last became stale; -1: never. */
    private long staleAt = -1;
    private volatile long resubscriptions;
    private final List<Delivery> drained = new ArrayList<>(POLL_RECORDS);

    /** A message as the client's thread hands it over, with what acknowledges it to the flow control. */
    private record Delivery(long offset, MessageHandler.Context context, byte[] body) {}

    /**
     * @param uri {@code rabbitmq-stream://user:password@host:port/vhost} or
     *     {@code rabbitmq-stream+tls://...}
     * @param credits chunks the broker may send ahead, at least 1
     */
    StreamProtocolReader(String uri, String queue, int credits, Duration reconnectFor) {
        this.uri = uri;
        URI u = URI.create(uri);
        this.endpoint = u.getScheme() + "://" + u.getHost() + ":" + (u.getPort() < 0 ? 5552 : u.getPort());
        this.queue = queue;
        this.credits = credits;
        this.reconnectFor = reconnectFor;
    }

    /** @return the URI's scheme, host and port, without the credentials */
    String endpoint() {
        return endpoint;
    }

    /** @return why the consumer no longer works, or null */
    String broken() {
        return broken;
    }

    /**
     * Creates the environment, trying again for the reconnect time; every connection goes to the
     * URI's host and port.
     */
    void open() throws InterruptedException {
        URI u = URI.create(uri);
        Address entry = new Address(u.getHost(), u.getPort() < 0 ? 5552 : u.getPort());
        environment = retrying("connect to", () -> {
            // lazily, so that an attempt that fails leaves an environment to close (its threads) rather than none
            Environment env = Environment.builder().uri(uri).codec(new DataSectionCodec()).lazyInitialization(true)
                    // the broker advertises its host name; the URI's address (a load balancer, a loopback) is the one that works
                    .addressResolver(a -> entry)
                    .recoveryBackOffDelayPolicy(BackOffDelayPolicy.fixedWithInitialDelay(Duration.ofMillis(500), Duration.ofSeconds(2)))
                    .build();
            try {
                if (!env.streamExists(queue)) {
                    throw new StreamDoesNotExistException(queue);
                }
                return env;
            } catch (RuntimeException e) {
                env.close();
                throw e;
            }
        });
        broken = null;
        unreachableSince = 0;
        statistics = true;
        staleAt = -1;
    }

    /**
     * Runs {@code attempt} until it works, with a doubling pause, for at most the reconnect time;
     * a stream that does not exist is not waited for.
     */
    private <T> T retrying(String what, java.util.function.Supplier<T> attempt) throws InterruptedException {
        long deadline = System.nanoTime() + reconnectFor.toNanos();
        long pause = 100;
        while (true) {
            try {
                return attempt.get();
            } catch (StreamDoesNotExistException e) {
                throw new CdcException("stream queue " + queue + " does not exist on " + endpoint, e);
            } catch (AuthenticationFailureException e) {
                throw new CdcException("RabbitMQ's stream protocol at " + endpoint + " refused the credentials of the stream URI", e);
            } catch (IllegalArgumentException e) {
                throw new CdcException("the stream URI for " + endpoint + " is not usable: " + e.getClass().getSimpleName(), e);
            } catch (RuntimeException e) {
                String why = "cannot " + what + " RabbitMQ's stream protocol at " + endpoint + " (is the rabbitmq_stream plugin on?): "
                        + e.getMessage();
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) > deadline) {
                    throw new CdcException(why, e);
                }
                log.warn("{}; trying again in {} ms", why, pause);
                Thread.sleep(pause);
                pause = Math.min(pause * 2, 5_000);
            }
        }
    }

    /**
     * Consumes from {@code offset} (the one after the checkpoint), or from {@code start} when it is
     * negative; a consumer before it is closed, and what it had queued is dropped.
     */
    void seek(long offset, RabbitSource.Start start) throws InterruptedException {
        closeSubscription();
        OffsetSpecification spec = offset >= 0 ? OffsetSpecification.offset(offset) : switch (start) {
            case FIRST -> OffsetSpecification.first();
            case LAST -> OffsetSpecification.last();
            case NEXT -> OffsetSpecification.next();
        };
        subscription = retrying("consume stream queue " + queue + " over", () -> {
            Subscription s = new Subscription(offset);
            s.consumer = environment.consumerBuilder().stream(queue).offset(spec).noTrackingStrategy()
                    .subscriptionListener(s::subscribing)
                    .flow().strategy(ConsumerFlowStrategy.creditWhenHalfMessagesProcessed(credits)).builder()
                    .messageHandler(s::handle)
                    .build();
            return s;
        });
        nextCheck = System.nanoTime() + CHECK_EVERY;
        log.info("consuming stream queue {} over the stream protocol at {} from {}", queue, endpoint,
                offset >= 0 ? offset : start.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** @return the messages that came in, in stream order, each acknowledged to the flow control */
    List<SourceRecord> poll(Duration timeout) throws InterruptedException {
        Subscription s = subscription;
        if (s == null) {
            return List.of();
        }
        Delivery first = timeout.isZero() ? s.queue.poll() : s.queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (first == null) {
            check(s);
            return List.of();
        }
        drained.clear();
        drained.add(first);
        s.queue.drainTo(drained, POLL_RECORDS - 1);
        List<SourceRecord> out = new ArrayList<>(drained.size());
        for (int i = 0; i < drained.size(); i++) {
            Delivery d = drained.get(i);
            d.context.processed();
            out.add(new SourceRecord(queue, d.offset, d.body));
        }
        return out;
    }

    /**
     * While nothing arrives: every few seconds, whether the stream still exists, whether the broker
     * answers, and whether it holds chunks that this consumer should have received.
     */
    private void check(Subscription s) {
        long now = System.nanoTime();
        if (now < nextCheck) {
            return;
        }
        nextCheck = now + CHECK_EVERY;
        boolean exists;
        try {
            exists = environment.streamExists(queue);
        } catch (RuntimeException e) {
            if (unreachableSince == 0) {
                unreachableSince = now;
                log.warn("RabbitMQ's stream protocol at {} does not answer ({}); the client connects again", endpoint, e.getMessage());
            } else if (now - unreachableSince > reconnectFor.toNanos()) {
                throw new CdcException("RabbitMQ's stream protocol at " + endpoint + " stayed unreachable for " + reconnectFor + ": "
                        + e.getMessage(), e);
            }
            return;
        }
        unreachableSince = 0;
        if (!exists) {
            throw new CdcException("stream queue " + queue + " no longer exists on " + endpoint);
        }
        if (!statistics) {
            return;
        }
        long newest;
        try {
            StreamStats stats = environment.queryStreamStats(queue);
            newest = stats.committedChunkId();
        } catch (NoOffsetException e) {
            return; // an empty stream has no committed chunk
        } catch (RuntimeException e) {
            if (causedBy(e, UnsupportedOperationException.class)) {
                statistics = false; // RabbitMQ before 3.11
                log.info("RabbitMQ at {} gives no stream statistics (RabbitMQ 3.11+ does): a consumer that the client stops"
                        + " after failing to connect again is not detected", endpoint);
            }
            return; // else: try again at the next check
        }
        // a newer chunk than the one that made it open again last time: offset-tracking chunks of other
        // applications take offsets that no consumer receives, so the same one is not waited for twice
        if (s.next >= 0 && newest >= s.next && newest > staleAt && now - s.lastArrival > STALE.toNanos()) {
            staleAt = newest;
            broken = "stream queue " + queue + " holds offset " + newest + " but nothing arrived after offset " + (s.next - 1) + " for "
                    + STALE.toSeconds() + " s";
        }
    }

    /** While the source is paused nothing is taken, so nothing is due: the wait for records starts again. */
    void paused() {
        Subscription s = subscription;
        if (s != null) {
            s.lastArrival = System.nanoTime();
        }
    }

    /** @return how many times the client subscribed again by itself (a lost connection, the stream moved) */
    long resubscriptions() {
        return resubscriptions;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        closeSubscription();
        Environment e = environment;
        environment = null;
        if (e != null) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                log.debug("closing the stream environment failed", ex);
            }
        }
    }

    private void closeSubscription() {
        Subscription s = subscription;
        subscription = null;
        if (s != null && s.consumer != null) {
            s.closed = true;
            try {
                s.consumer.close();
            } catch (RuntimeException e) {
                log.debug("closing the stream consumer failed", e);
            }
        }
    }

    /** One consumer's queue and where it stands; the client's thread writes, the reader thread reads. */
    private final class Subscription {
        final LinkedBlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
        Consumer consumer;
        /** The offset wanted next: messages before it are passed over; -1 until the first message of a start without offset. */
        volatile long next;
        volatile long lastArrival = System.nanoTime();
        volatile boolean closed;
        private int subscriptions;

        Subscription(long next) {
            this.next = next;
        }

        /**
         * The client subscribes: the first time where seek asked; again (a lost connection, the
         * stream's leader moved) after the last message queued. Before the first message of a start
         * without an offset, the start is kept ({@code next} or {@code last} then begin anew).
         */
        void subscribing(com.rabbitmq.stream.SubscriptionListener.SubscriptionContext ctx) {
            if (subscriptions++ == 0) {
                return;
            }
            resubscriptions++;
            lastArrival = System.nanoTime();
            if (next >= 0) {
                ctx.offsetSpecification(OffsetSpecification.offset(next));
            }
            log.warn("the stream-protocol consumer of stream queue {} at {} subscribes again (a lost connection, or the stream moved);"
                    + " connecting again from {}", StreamProtocolReader.this.queue, endpoint, next >= 0 ? "offset " + next : ctx.offsetSpecification());
        }

        void handle(MessageHandler.Context ctx, Message message) {
            long offset = ctx.offset();
            if (offset < next || closed) { // (the client itself passes over the chunk's start at a subscription)
                ctx.processed();
                return;
            }
            next = offset + 1;
            lastArrival = System.nanoTime();
            queue.add(new Delivery(offset, ctx, body(message)));
        }
    }

    /**
     * The message's bytes: Maxwell publishes over AMQP 0-9-1, which a stream keeps as data
     * sections; an AMQP 1.0 publisher's value is taken as its text or bytes, and anything else as
     * its text form, which the decoder then dead-letters, naming the offset.
     */
    static byte[] body(Message message) {
        try {
            byte[] b = message.getBodyAsBinary();
            if (b != null) {
                return b;
            }
        } catch (RuntimeException e) {
            // not data sections: look at the value below
        }
        Object body = message.getBody();
        if (body instanceof org.apache.qpid.proton.amqp.messaging.AmqpValue v) {
            body = v.getValue();
        }
        if (body instanceof org.apache.qpid.proton.amqp.Binary bin) {
            return Arrays.copyOfRange(bin.getArray(), bin.getArrayOffset(), bin.getArrayOffset() + bin.getLength());
        }
        return String.valueOf(body).getBytes(StandardCharsets.UTF_8);
    }
}
