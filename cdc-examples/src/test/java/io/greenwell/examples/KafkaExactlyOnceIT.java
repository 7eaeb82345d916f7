package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exactly-once effect over Kafka: 200,000 seeded Maxwell events produced the way Maxwell's
 * producer writes them (key format {@code hash}, the DDL's key a bare UUID, partitioned by
 * database) to a real in-process KRaft broker; {@code greenwell kafka} in a child JVM is killed
 * with SIGKILL at random moments after it committed something, five times, and restarted; at the
 * end SIGTERM stops it cleanly (status 0) and every table equals the one-by-one replay's state.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class KafkaExactlyOnceIT {

    static final String TOPIC = "maxwell";
    private static final int PARTITIONS = 3;
    private static final int KILLS = 5;

    private static KafkaBroker kafka;
    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaBroker();
        kafka.createTopic(TOPIC, PARTITIONS);
        db = TestDatabase.create("kafkaonce");
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
        kafka.close();
    }

    /** Maxwell's {@code hash} key of a row, the bare UUID of a DDL record. */
    static byte[] key(String[] origin) {
        String k = origin[1] == null ? UUID.randomUUID().toString()
                : "{\"database\":\"" + origin[0] + "\",\"table\":\"" + origin[1] + "\"}";
        return k.getBytes(StandardCharsets.UTF_8);
    }

    static List<KafkaBroker.Message> messages(Workload w, java.util.function.ToIntFunction<String[]> partitioner) {
        List<KafkaBroker.Message> out = new ArrayList<>();
        List<Scenarios.Record> records = w.stream().records();
        for (int i = 0; i < records.size(); i++) {
            String[] o = w.origin(i);
            out.add(new KafkaBroker.Message(partitioner.applyAsInt(o), key(o), records.get(i).bytes()));
        }
        return out;
    }

    @Test
    void killedAndRestartedTheConsumerAppliesEveryEventExactlyOnce() throws Exception {
        Workload w = new Workload(11, List.of("ka", "kb", "kc"), true, 200_000);
        List<String> dbs = List.of("ka", "kb", "kc");
        Map<Integer, Long> last = kafka.produce(TOPIC, messages(w, o -> dbs.indexOf(o[0]) % PARTITIONS));
        Map<String, Long> done = new HashMap<>();
        last.forEach((p, off) -> done.put(TOPIC + "-" + p, off));
        Random rnd = new Random(5);
        int kills = 0;
        int runs = 0;
        long progress = -1;
        double backlog = 0;
        Process p;
        while (true) {
            runs++;
            p = ChildJvm.start(dir, runs, "kafka", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", TOPIC, "--group", "once",
                    "--jdbc-url", db.url(), "--batch-events", "2000", "--pipeline", "kafka", "--quiet",
                    "--consumer-property", "group.instance.id=greenwell-1", "--consumer-property", "session.timeout.ms=6000",
                    "--consumer-property", "heartbeat.interval.ms=500", "--metrics-port", "0", "--metrics-host", "127.0.0.1");
            if (kills >= KILLS) {
                break;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (p.isAlive() && progress() <= progress && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(p.isAlive()).as("run %d is alive: %s", runs, ChildJvm.err(dir, runs)).isTrue();
            if (runs == 1) {
                backlog = backlog(MetricsEndpointIT.endpoint(dir, runs, p));
            }
            Thread.sleep(rnd.nextInt(400));
            if (reached(done)) {
                break;
            }
            p.destroyForcibly();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            kills++;
            long now = progress();
            assertThat(now).as("run %d made progress before it was killed", runs).isGreaterThan(progress);
            progress = now;
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!reached(done) && System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("the last run is alive: %s", ChildJvm.err(dir, runs)).isTrue();
            Thread.sleep(100);
        }
        assertThat(reached(done)).as("every partition applied to its end").isTrue();
        assertThat(backlog).as("the first run's source lag, read while it was behind").isPositive().isLessThanOrEqualTo(w.stream().size());
        // the backlog of each partition, as the last run's endpoint shows it, comes down to nothing
        String base = MetricsEndpointIT.endpoint(dir, runs, p);
        assertThat(base).as("the last run's endpoint").isNotNull();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            Pattern lag = Pattern.compile("(?m)^greenwell_source_lag_records\\{[^}]*stream=\"" + TOPIC + "-" + partition + "\"[^}]*} (\\S+)$");
            String value = null;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!"0.0".equals(value) && System.nanoTime() < until) {
                Matcher m = lag.matcher(MetricsEndpointIT.get(base + "/metrics").body());
                value = m.find() ? m.group(1) : null;
                Thread.sleep(50);
            }
            assertThat(value).as("records of partition %d not applied", partition).isEqualTo("0.0");
        }
        assertThat(MetricsEndpointIT.get(base + "/health").statusCode()).isEqualTo(200);
        p.destroy(); // SIGTERM: a clean stop
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(ChildJvm.err(dir, runs)).isZero();
        ReplayCommandIT.counts(ChildJvm.lastLine(dir, runs));
        System.out.printf("Kafka: %d records, %d runs, %d killed with SIGKILL%n", w.stream().size(), runs, kills);
        assertThat(kills).isGreaterThanOrEqualTo(KILLS);
        w.assertState(db);
    }

    /** @return the sum of the checkpointed offsets of the pipeline, -1 before the first */
    private static long progress() throws SQLException {
        Map<String, Long> cps = checkpoints("kafka");
        return cps.isEmpty() ? -1 : cps.values().stream().mapToLong(Long::longValue).sum();
    }

    static boolean reached(Map<String, Long> done) throws SQLException {
        return checkpoints("kafka").equals(done);
    }

    static Map<String, Long> checkpoints(String pipeline) throws SQLException {
        return checkpoints(db, pipeline);
    }

    static Map<String, Long> checkpoints(TestDatabase db, String pipeline) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT stream, \"offset\" FROM greenwell.checkpoint WHERE pipeline = '" + pipeline + "'")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return out;
            }
            throw e;
        }
        return out;
    }

    /** @return the records the partitions hold beyond what the run applied, by its endpoint's source lag; 0 when unread */
    private static double backlog(String base) throws Exception {
        if (base == null) {
            return 0;
        }
        Matcher m = Pattern.compile("(?m)^greenwell_source_lag_records\\{[^}]*} (\\S+)$")
                .matcher(MetricsEndpointIT.get(base + "/metrics").body());
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }
}
