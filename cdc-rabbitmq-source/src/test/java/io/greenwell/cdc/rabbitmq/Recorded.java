package io.greenwell.cdc.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TcpProxy;
import io.greenwell.cdc.greenplum.TestDatabase;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.spi.ChangeSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The recorded Maxwell scenarios, and running a pipeline on them from a queue, for the source's tests. */
final class Recorded {

    static final List<String> SCENARIOS = List.of("music", "types", "ddl");
    /** A message that is not a Maxwell record. */
    static final byte[] GARBAGE = "not a maxwell record".getBytes(StandardCharsets.UTF_8);

    /** A listener for sources a test opens itself. */
    static final ChangeSource.Listener NO_LISTENER = new ChangeSource.Listener() {
        @Override
        public void assigned(java.util.Collection<String> streams) {}

        @Override
        public void revoked(java.util.Collection<String> streams) {}
    };

    private Recorded() {}

    /** @return a relay in front of the broker of an AMQP URI, whose connections a test can cut */
    static TcpProxy proxy(String brokerUri) throws java.io.IOException {
        java.net.URI u = java.net.URI.create(brokerUri);
        return TcpProxy.to(u.getHost(), u.getPort() < 0 ? 5672 : u.getPort());
    }

    /** @return the broker's URI with the relay's address in place of the broker's */
    static String through(String brokerUri, TcpProxy proxy) {
        java.net.URI u = java.net.URI.create(brokerUri);
        return u.getScheme() + "://" + u.getRawUserInfo() + "@127.0.0.1:" + proxy.port() + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    /** Declares a source's topology (queue, exchange, binding) and disconnects, before anything is published. */
    static void declare(RabbitSource source) {
        source.open(NO_LISTENER);
        source.close();
    }

    /** @return the records of every scenario, in order */
    static List<byte[]> records() {
        List<byte[]> out = new ArrayList<>();
        for (String s : SCENARIOS) {
            for (Scenarios.Record r : Scenarios.records(s)) {
                out.add(r.bytes());
            }
        }
        return out;
    }

    /** A running pipeline from a source into the test database. */
    static final class Run implements AutoCloseable {
        final CdcPipeline pipeline;
        private final GreenplumTarget target;
        private final ChangeSource source;

        Run(TestDatabase db, String name, ChangeSource source, int batchEvents) {
            this.source = source;
            this.target = GreenplumTarget.builder().jdbcUrl(db.url()).streamLockWait(Duration.ofSeconds(2)).build();
            this.pipeline = CdcPipeline.builder().name(name).source(source).target(target).maxDelay(Duration.ofMillis(200))
                    .batchLimits(new io.greenwell.cdc.compact.BatchLimits(batchEvents, 64L << 20, true)).build();
            pipeline.start();
        }

        /** Waits until the condition holds, failing when the pipeline fails or it takes too long. */
        void await(BooleanSupplier done) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!done.getAsBoolean()) {
                assertThat(pipeline.await(Duration.ofMillis(50))).as("the pipeline ended early").isNull();
                assertThat(System.nanoTime()).as("waited too long; progress %s", pipeline.progress()).isLessThan(deadline);
            }
        }

        /** Stops the pipeline and returns its summary. */
        RunSummary stop() throws Exception {
            pipeline.stop();
            RunSummary s = pipeline.await(Duration.ofSeconds(60));
            assertThat(s).as("the pipeline stopped").isNotNull();
            return s;
        }

        @Override
        public void close() {
            pipeline.stop();
            try {
                pipeline.await(Duration.ofSeconds(60));
            } catch (Exception e) {
                // the test reports what failed
            }
            source.close();
            target.close();
        }
    }

    /** Every table of every scenario equals its expected state. */
    static void assertTables(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            for (String s : SCENARIOS) {
                assertThat(Scenarios.differences(Scenarios.expectedRows(s), Scenarios.actualRows(c, s))).as(s).isEmpty();
            }
        }
    }

    /** @return true when every table equals its expected state */
    static boolean tablesMatch(TestDatabase db) {
        try (Connection c = db.connect()) {
            for (String s : SCENARIOS) {
                if (!Scenarios.differences(Scenarios.expectedRows(s), Scenarios.actualRows(c, s)).isEmpty()) {
                    return false;
                }
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** @return the checkpoint offset of a pipeline's stream, -1 when there is none */
    static long checkpoint(TestDatabase db, String pipeline, String stream) {
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT \"offset\" FROM greenwell.checkpoint WHERE pipeline = '" + pipeline + "' AND stream = '"
                        + stream + "'")) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            return -1;
        }
    }

    /** @return stream and offset of every dead letter of a pipeline, as {@code stream@offset: raw} */
    static List<String> deadLetters(TestDatabase db, String pipeline) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT stream, \"offset\", raw_record FROM greenwell.dead_letter WHERE pipeline = '" + pipeline
                        + "' ORDER BY \"offset\"")) {
            while (rs.next()) {
                out.add(rs.getString(1) + "@" + rs.getLong(2) + ": " + new String(rs.getBytes(3), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
