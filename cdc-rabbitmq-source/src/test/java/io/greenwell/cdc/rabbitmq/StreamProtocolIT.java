package io.greenwell.cdc.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.greenplum.TcpProxy;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stream-queue tests of {@link StreamQueueIT} with the queue read over RabbitMQ's stream
 * protocol ({@link RabbitSource.Builder#streamUri}): the same tables, the same dead letter at the
 * same stream offset, a restart that reads nothing again, and a connection of the stream protocol
 * cut in the middle of a run (the client connects again by itself, at the offset Greenwell gives)
 * with nothing lost and nothing applied twice; and the failures that stop the pipeline with a
 * clear error: no stream protocol where the URI points, the stream deleted under the consumer. Needs RabbitMQ with the {@code rabbitmq_stream}
 * plugin (see {@link TestBroker#streamUri()}).
 */
class StreamProtocolIT extends StreamQueueIT {

    private static String streamUri;

    @BeforeAll
    static void streamProtocol() {
        streamUri = TestBroker.streamUri();
    }

    @Override
    RabbitSource.Builder source(String uri, String queue, String exchange) {
        return super.source(uri, queue, exchange).streamUri(streamUri).credits(2);
    }

    @Override
    TcpProxy readProxy() throws IOException {
        URI u = URI.create(streamUri);
        return TcpProxy.to(u.getHost(), u.getPort() < 0 ? 5552 : u.getPort());
    }

    @Override
    RabbitSource.Builder throughProxy(String queue, String exchange, TcpProxy proxy) {
        URI u = URI.create(streamUri);
        String relayed = u.getScheme() + "://" + (u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@") + "127.0.0.1:" + proxy.port()
                + (u.getRawPath() == null ? "" : u.getRawPath());
        return source(broker().uri(), queue, exchange).streamUri(relayed).credits(1);
    }

    /** The client subscribed again by itself, where Greenwell said; the consumer never had to be replaced. */
    @Override
    void afterCut(RabbitSource source) {
        assertThat(source.resubscriptions()).as("the cut connection was replaced by the client").isPositive();
        assertThat(source.reopened()).as("no consumer stopped receiving").isZero();
    }

    @Test
    void noStreamProtocolWhereTheUriPointsFailsWithinTheReconnectTimeNamingIt() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String queue = "gw-stream-none-" + UUID.randomUUID();
        RabbitSource src = super.source(broker().uri(), queue, "maxwell-" + UUID.randomUUID())
                .queueType(RabbitSource.QueueType.STREAM).streamUri("rabbitmq-stream://guest:secret@127.0.0.1:" + closed + "/%2f")
                .reconnectFor(Duration.ofSeconds(1)).build();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> src.open(Recorded.NO_LISTENER)).isInstanceOf(CdcException.class)
                .hasMessageContaining("stream protocol at rabbitmq-stream://127.0.0.1:" + closed)
                .hasMessageContaining("rabbitmq_stream plugin")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("it tried again for the reconnect time, no longer").isLessThan(Duration.ofSeconds(20));
        src.close();
    }

    @Test
    void theStreamDeletedUnderTheConsumerStopsThePipelineNamingIt() throws Exception {
        String queue = "gw-stream-gone-" + UUID.randomUUID();
        String exchange = "maxwell-" + UUID.randomUUID();
        List<byte[]> records = Recorded.records();
        RabbitSource src = source(broker().uri(), queue, exchange).build();
        Recorded.declare(source(broker().uri(), queue, exchange).build());
        try (Recorded.Run run = new Recorded.Run(db, "gone", src, 7)) {
            broker().publish(exchange, records);
            run.await(() -> Recorded.checkpoint(db, "gone", queue) == records.size() - 1);
            broker().delete(List.of(queue), List.of());
            assertThatThrownBy(() -> run.pipeline.await(Duration.ofSeconds(60))).isInstanceOf(CdcException.class)
                    .hasMessageContaining("stream queue " + queue + " no longer exists");
        }
        Recorded.assertTables(db);
    }
}
