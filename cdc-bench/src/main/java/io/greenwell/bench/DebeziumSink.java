package io.greenwell.bench;

import io.debezium.connector.jdbc.JdbcSinkConnectorTask;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.Value;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * Part (d) of {@link ApplyBenchmark}: the JDBC sink that users pick instead, Debezium's
 * {@code JdbcSinkConnectorTask}, driven in process. The workload's Maxwell records become the
 * {@link SinkRecord}s a Debezium MySQL source would produce for the same binlog (its envelope,
 * {@code before} and {@code after} as full rows, the MySQL {@code source} block, DECIMAL as Connect's
 * {@code Decimal}, DATETIME as {@code io.debezium.time.Timestamp}), built before the clock starts;
 * the timed run is the task's {@code put} of them in chunks of the batch size, as Kafka Connect
 * hands a sink the records of one poll, with upserts, deletes and the reduction buffer on.
 */
final class DebeziumSink {

    private static final Pattern USER = Pattern.compile("[?&]user=([^&]*)");

    private final Workload workload;
    private final Map<String, Schemas> schemas = new HashMap<>();

    DebeziumSink(Workload workload) {
        this.workload = workload;
    }

    /** The key, value and envelope schemas of one table, as Debezium's MySQL source names them. */
    private record Schemas(Schema key, Schema value, Schema envelope) {
    }

    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.mysql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA)
            .field("db", Schema.STRING_SCHEMA)
            .field("table", Schema.OPTIONAL_STRING_SCHEMA)
            .field("server_id", Schema.INT64_SCHEMA)
            .field("gtid", Schema.OPTIONAL_STRING_SCHEMA)
            .field("file", Schema.STRING_SCHEMA)
            .field("pos", Schema.INT64_SCHEMA)
            .field("row", Schema.INT32_SCHEMA)
            .field("thread", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    private Schemas schemas(String table) {
        return schemas.computeIfAbsent(table, t -> {
            String prefix = "bench.bench." + t;
            Schema key = SchemaBuilder.struct().name(prefix + ".Key").field("id", Schema.INT64_SCHEMA).build();
            SchemaBuilder value = SchemaBuilder.struct().name(prefix + ".Value").optional()
                    .field("id", Schema.INT64_SCHEMA)
                    .field("a", Schema.OPTIONAL_INT32_SCHEMA)
                    .field("b", Schema.OPTIONAL_STRING_SCHEMA)
                    .field("c", Decimal.builder(2).parameter("connect.decimal.precision", "12").optional().build())
                    .field("d", Schema.OPTIONAL_STRING_SCHEMA)
                    .field("e", SchemaBuilder.int64().name("io.debezium.time.Timestamp").version(1).optional().build());
            for (int i = 0; i < workload.extraColumns; i++) {
                value.field("x" + i, Schema.OPTIONAL_INT32_SCHEMA);
            }
            Schema v = value.build();
            Schema envelope = SchemaBuilder.struct().name(prefix + ".Envelope").version(2)
                    .field("before", v)
                    .field("after", v)
                    .field("source", SOURCE)
                    .field("op", Schema.STRING_SCHEMA)
                    .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                    .build();
            return new Schemas(key, v, envelope);
        });
    }

    /** @return the records of a workload file as Debezium's MySQL source gives them, untimed */
    List<SinkRecord> records(Path input) throws IOException {
        MaxwellDecoder decoder = MaxwellDecoder.create();
        List<SinkRecord> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                ChangeEvent e = decoder.decode(line.getBytes(StandardCharsets.UTF_8));
                if (e instanceof RowChange r) {
                    out.add(record(r, out.size()));
                }
            }
        }
        return out;
    }

    private SinkRecord record(RowChange r, long offset) {
        Schemas s = schemas(r.table().table());
        String op = r.op() == Op.INSERT ? "c" : r.op() == Op.UPDATE ? "u" : "d";
        long tsMs = r.meta().timestampMillis();
        Struct source = new Struct(SOURCE).put("version", "3.6.0.Final").put("connector", "mysql").put("name", "bench")
                .put("ts_ms", tsMs).put("db", r.database()).put("table", r.table().table()).put("server_id", 1L)
                .put("file", "mysql-bin.000001").put("pos", offset).put("row", 0);
        Struct envelope = new Struct(s.envelope).put("source", source).put("op", op).put("ts_ms", tsMs);
        if (r.op() != Op.INSERT) {
            envelope.put("before", value(s.value, r.before()));
        }
        if (r.op() != Op.DELETE) {
            envelope.put("after", value(s.value, r.data()));
        }
        Struct key = new Struct(s.key).put("id", Long.parseLong(r.data().get("id").asText()));
        return new SinkRecord("bench.bench." + r.table().table(), 0, s.key, key, s.envelope, envelope, offset);
    }

    private static Struct value(Schema schema, Row row) {
        Struct v = new Struct(schema);
        for (int i = 0; i < row.size(); i++) {
            String name = row.name(i);
            Value x = row.value(i);
            if (x.isNull()) {
                continue;
            }
            String text = x.asText();
            switch (name) {
                case "id": v.put(name, Long.parseLong(text)); break;
                case "b": case "d": v.put(name, text); break;
                case "c": v.put(name, new BigDecimal(text).setScale(2)); break;
                case "e": v.put(name, LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli()); break;
                default: v.put(name, Integer.parseInt(text));
            }
        }
        return v;
    }

    /**
     * Applies the records into the tables of {@code schema}, which must exist (the sink's schema
     * evolution is off, as with tables made ahead).
     *
     * @param batch the sink's {@code batch.size} and the records per {@code put}
     */
    static void apply(List<SinkRecord> records, String url, String schema, int batch) {
        Map<String, String> config = new HashMap<>();
        config.put("name", "greenwell-bench-debezium");
        config.put("connection.url", url);
        Matcher user = USER.matcher(url);
        if (user.find()) {
            config.put("connection.username", user.group(1));
        }
        config.put("insert.mode", "upsert");
        config.put("delete.enabled", "true");
        config.put("primary.key.mode", "record_key");
        config.put("schema.evolution", "none");
        config.put("use.reduction.buffer", "true");
        config.put("batch.size", Integer.toString(batch));
        config.put("collection.name.format", schema + ".${source.table}");
        JdbcSinkConnectorTask task = new JdbcSinkConnectorTask();
        task.initialize(new Context(config));
        task.start(config);
        try {
            for (int from = 0; from < records.size(); from += batch) {
                task.put(records.subList(from, Math.min(records.size(), from + batch)));
                if (task.getLastProcessingException() != null) {
                    throw new IllegalStateException("the Debezium JDBC sink failed", task.getLastProcessingException());
                }
            }
        } finally {
            task.stop();
        }
    }

    /** What a Kafka Connect worker gives its sink task, without a worker: no error reporter, one partition. */
    private record Context(Map<String, String> configs) implements SinkTaskContext {
        @Override
        public void offset(Map<TopicPartition, Long> offsets) {
        }

        @Override
        public void offset(TopicPartition tp, long offset) {
        }

        @Override
        public void timeout(long timeoutMs) {
        }

        @Override
        public Set<TopicPartition> assignment() {
            return Set.of();
        }

        @Override
        public void pause(TopicPartition... partitions) {
        }

        @Override
        public void resume(TopicPartition... partitions) {
        }

        @Override
        public void requestCommit() {
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return null;
        }
    }
}
