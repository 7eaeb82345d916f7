package io.greenwell.cdc.rabbitmq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.greenwell.cdc.greenplum.NotRun;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.model.SystemConfig;

/**
 * A real AMQP 0-9-1 broker for a test class. Which one is decided here, once for every test:
 * <ul>
 *   <li>{@link #forClassicQueues()}: the RabbitMQ that {@code GREENWELL_TEST_RABBITMQ_URI} names,
 *       or else an Apache Qpid Broker-J started in this JVM from its Maven artifacts (in memory, on
 *       a free port), so that a plain {@code mvn verify} needs no broker installed;</li>
 *   <li>{@link #rabbitMq()}, for stream queues and broker restarts, which only RabbitMQ has: the
 *       RabbitMQ of {@code GREENWELL_TEST_RABBITMQ_URI}, or the one at 127.0.0.1:5672 (guest/guest)
 *       when it answers; otherwise the test is aborted (reported as skipped) and one line on the
 *       console says that it did not run and why.</li>
 * </ul>
 * Records are published the way Maxwell's RabbitMQ producer does: to an exchange of type fanout
 * (declared non-durable, Maxwell's default), routing key {@code database.table}, the record's
 * JSON as the body, no properties (non-persistent); with publisher confirms, so that a test knows
 * when the broker holds them.
 */
public final class TestBroker implements AutoCloseable {

    /** The RabbitMQ this machine and CI run. */
    public static final String LOCAL_RABBITMQ = "amqp://guest:guest@127.0.0.1:5672";
    /** Its stream protocol, when the rabbitmq_stream plugin is on. */
    public static final String LOCAL_RABBITMQ_STREAM = "rabbitmq-stream://guest:guest@127.0.0.1:5552/%2f";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String uri;
    private final boolean rabbitMq;
    private final SystemLauncher qpid;

    private TestBroker(String uri, boolean rabbitMq, SystemLauncher qpid) {
        this.uri = uri;
        this.rabbitMq = rabbitMq;
        this.qpid = qpid;
    }

    /** @return the configured RabbitMQ, or an in-process Qpid Broker-J */
    public static TestBroker forClassicQueues() throws Exception {
        String configured = System.getenv("GREENWELL_TEST_RABBITMQ_URI");
        if (configured != null && !configured.isBlank()) {
            return new TestBroker(configured, true, null);
        }
        return startQpid();
    }

    /** @return RabbitMQ itself; aborts the test, saying so on the console, when there is none */
    public static TestBroker rabbitMq() {
        String configured = System.getenv("GREENWELL_TEST_RABBITMQ_URI");
        if (configured != null && !configured.isBlank()) {
            return new TestBroker(configured, true, null);
        }
        if (NotRun.answers("127.0.0.1", 5672)) {
            return new TestBroker(LOCAL_RABBITMQ, true, null);
        }
        notRun("this test needs RabbitMQ 3.9+ itself (stream queues, broker restarts), and GREENWELL_TEST_RABBITMQ_URI is not set"
                + " and nothing answers at 127.0.0.1:5672");
        return null; // not reached
    }

    /**
     * @return the URI of RabbitMQ's stream protocol: {@code GREENWELL_TEST_RABBITMQ_STREAM_URI}, or
     *     port 5552 of this machine when it answers; aborts the test, saying so, otherwise
     */
    public static String streamUri() {
        String configured = System.getenv("GREENWELL_TEST_RABBITMQ_STREAM_URI");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        if (NotRun.answers("127.0.0.1", 5552)) {
            return LOCAL_RABBITMQ_STREAM;
        }
        notRun("this test needs RabbitMQ's stream protocol (the rabbitmq_stream plugin), and GREENWELL_TEST_RABBITMQ_STREAM_URI is not set"
                + " and nothing answers at 127.0.0.1:5552");
        return null; // not reached
    }

    /**
     * Aborts the calling test with a reason, printed as one line where a person running Maven
     * sees it (the forked JVM's standard error, not the redirected test output).
     */
    public static void notRun(String why) {
        NotRun.abort(TestBroker.class, why);
    }

    private static TestBroker startQpid() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SystemLauncher launcher = new SystemLauncher();
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(SystemConfig.TYPE, "Memory");
        attributes.put(SystemConfig.INITIAL_CONFIGURATION_LOCATION, TestBroker.class.getResource("/qpid-config.json").toExternalForm());
        attributes.put(SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false);
        attributes.put(SystemConfig.CONTEXT, Map.of("qpid.amqp_port", String.valueOf(port),
                "qpid.work_dir", Files.createTempDirectory("qpid").toString()));
        launcher.startup(attributes);
        return new TestBroker("amqp://guest:guest@127.0.0.1:" + port, false, launcher);
    }

    /** @return the broker's URI, credentials included */
    public String uri() {
        return uri;
    }

    /** @return true for RabbitMQ, false for the in-process Qpid */
    public boolean isRabbitMq() {
        return rabbitMq;
    }

    /** @return what a report calls this broker */
    public String describe() {
        return rabbitMq ? "RabbitMQ at " + URI.create(uri).getHost() + ":" + URI.create(uri).getPort() : "in-process Qpid Broker-J";
    }

    /** @return a new connection to the broker */
    public Connection connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(uri);
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection("greenwell-test");
    }

    /** Publishes records as Maxwell's producer does; returns when the broker confirmed all of them. */
    public void publish(String exchange, List<byte[]> records) throws Exception {
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            ch.exchangeDeclare(exchange, "fanout", false, false, null);
            ch.confirmSelect();
            for (byte[] r : records) {
                ch.basicPublish(exchange, routingKey(r), null, r);
            }
            ch.waitForConfirmsOrDie(TimeUnit.MINUTES.toMillis(2));
        }
    }

    /** @return Maxwell's default routing key, {@code %db%.%table%} */
    public static String routingKey(byte[] record) {
        try {
            JsonNode n = JSON.readTree(record);
            return n.path("database").asText("") + "." + n.path("table").asText("");
        } catch (IOException e) {
            return "."; // not a record: Maxwell never sends one, a test does
        }
    }

    /**
     * Declares a durable queue and binds it to a fanout exchange (declared as Maxwell's producer
     * does), as {@code greenwell rabbitmq --declare} would, before anything is published.
     */
    public void declare(String queue, String exchange, boolean stream) throws Exception {
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            ch.queueDeclare(queue, true, false, false, stream ? Map.of("x-queue-type", "stream") : Map.of());
            ch.exchangeDeclare(exchange, "fanout", false, false, null);
            ch.queueBind(queue, exchange, "#");
        }
    }

    /** @return the messages a queue holds ready (not delivered or delivered again) */
    public long ready(String queue) throws Exception {
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** Deletes queues and exchanges a test declared, those that exist. */
    public void delete(Collection<String> queues, Collection<String> exchanges) throws Exception {
        try (Connection c = connect()) {
            for (String q : new HashSet<>(queues)) {
                try (Channel ch = c.createChannel()) {
                    ch.queueDelete(q);
                } catch (IOException | RuntimeException e) {
                    // gone already (Qpid refuses to delete a queue that does not exist)
                }
            }
            for (String x : new HashSet<>(exchanges)) {
                try (Channel ch = c.createChannel()) {
                    ch.exchangeDelete(x);
                } catch (IOException | RuntimeException e) {
                    // gone already
                }
            }
        }
    }

    /**
     * Runs {@code rabbitmqctl} of this machine's RabbitMQ; aborts the test (saying so) when the
     * broker is not on this machine or the command does not work here.
     */
    public void ctl(String... args) throws Exception {
        String host = URI.create(uri).getHost();
        if (!rabbitMq || !(host.equals("127.0.0.1") || host.equals("localhost"))) {
            notRun("this test restarts the broker with rabbitmqctl, which needs the RabbitMQ of this machine, not " + describe());
        }
        List<String> cmd = new ArrayList<>(List.of("rabbitmqctl", "-q"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            notRun("this test restarts the broker with rabbitmqctl, which cannot be run here: " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        if (qpid != null) {
            qpid.shutdown();
        }
    }
}
