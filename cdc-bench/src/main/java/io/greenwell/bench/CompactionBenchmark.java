package io.greenwell.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.greenwell.cdc.compact.BatchStats;
import io.greenwell.cdc.compact.Compactor;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.event.EventMeta;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.event.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Compaction throughput of {@link Compactor} over already-decoded row changes of one keyed table.
 *
 * <p>One operation is one event: each invocation compacts all {@value #EVENTS} pre-built events,
 * as {@code EVENTS / batchSize} consecutive batches (each batch: {@code add} every event of the
 * slice, then {@code finish()}), with one compactor reused across batches. So the scores are
 * events per second and compare directly with {@code MaxwellDecodeBenchmark.decode}.
 *
 * <p>The events (generated once per trial from a fixed seed) are about 20% inserts, 70% updates
 * whose {@code old} holds 1-2 changed columns, and 10% deletes of {@code shop.orders}
 * ({@code primary_key_columns ["id"]}), always with the full 6-column row: {@code id},
 * {@code qty}, {@code status}, {@code price} ({@code numeric(12,2)}), {@code note} (20-120
 * characters) and {@code ts}. Keys are drawn from {@value #KEYS} ids, uniformly or by a Zipf law
 * of exponent 1 ({@code skew}). Each id's latest row is tracked, so an update's {@code old} holds
 * the values the row really had; the history is not a valid MySQL one (an insert may hit a live
 * key, an update or delete a key never inserted), which does not matter for compaction speed.
 *
 * <p>Setup compacts the events once with the trial's batch size and prints the compaction ratio
 * (events in per net change out).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class CompactionBenchmark {

    /** Events per invocation, and operations per invocation. */
    public static final int EVENTS = 100_000;

    /** Distinct ids the keys are drawn from. */
    public static final int KEYS = 200_000;

    private static final long SEED = 0x636F_6D70_6163_74L; // "compact"

    private static final double ZIPF_EXPONENT = 1.0;

    // Column names are shared instances, as the decoder's symbol table makes them.
    private static final String ID = "id";
    private static final String QTY = "qty";
    private static final String STATUS = "status";
    private static final String PRICE = "price";
    private static final String NOTE = "note";
    private static final String TS = "ts";
    /** The non-key columns an update may change, and how often each is the first changed one (%). */
    private static final String[] MUTABLE = {STATUS, QTY, PRICE, NOTE, TS};
    private static final int[] MUTABLE_WEIGHT = {40, 20, 15, 15, 10};

    private static final String DATABASE = "shop";
    private static final String TABLE = "orders";
    private static final List<String> KEY_COLUMNS = List.of(ID);

    private static final String[] STATUSES = {"pending", "paid", "packed", "shipped", "delivered", "cancelled", "refunded",
        "on_hold"};
    private static final String[] WORDS = {"please", "leave", "the", "parcel", "at", "door", "gift", "wrap", "call", "before",
        "delivery", "fragile", "side", "entrance", "no", "invoice", "needed", "thanks", "second", "floor", "ring", "twice",
        "urgent", "weekend", "neighbour", "café", "Grüße", "naïve"};

    @Param({"1000", "10000", "100000"})
    public int batchSize;

    @Param({"uniform", "zipf"})
    public String skew;

    /** The events, compacted in consecutive slices of {@link #batchSize}. */
    private RowChange[] events;

    private Compactor compactor;

    @Setup(Level.Trial)
    public void setup() {
        if (batchSize < 1 || EVENTS % batchSize != 0) {
            throw new IllegalArgumentException("batchSize must divide " + EVENTS + ": " + batchSize);
        }
        KeySampler keys;
        switch (skew) {
            case "uniform":
                keys = new UniformSampler(KEYS);
                break;
            case "zipf":
                keys = new ZipfSampler(KEYS, ZIPF_EXPONENT);
                break;
            default:
                throw new IllegalArgumentException("skew must be uniform or zipf: " + skew);
        }
        Random rnd = new Random(SEED);
        events = asDecoded(new EventGenerator(rnd, keys).generate(EVENTS));
        compactor = Compactor.create();

        // Compact once, to check the events and to print the ratio for this combination.
        long in = 0;
        long out = 0;
        long rejected = 0;
        int[] ops = new int[Op.values().length];
        for (RowChange e : events) {
            ops[e.op().ordinal()]++;
        }
        for (int start = 0; start < EVENTS; start += batchSize) {
            for (int i = start; i < start + batchSize; i++) {
                compactor.add(events[i]);
            }
            BatchStats s = compactor.finish().stats();
            in += s.events();
            out += s.netChanges();
            rejected += s.rejected();
        }
        if (in != EVENTS || rejected != 0) {
            throw new IllegalStateException("compacted " + in + " events with " + rejected + " rejected");
        }
        System.out.printf(Locale.ROOT, "%nCompactionBenchmark batchSize=%d skew=%s: %d events (insert %d, update %d, delete %d),"
                        + " %d net changes, compaction ratio=%.3f (events in / net changes out)%n",
                batchSize, skew, in, ops[Op.INSERT.ordinal()], ops[Op.UPDATE.ordinal()], ops[Op.DELETE.ordinal()], out,
                out == 0 ? 0.0 : (double) in / out);
    }

    /**
     * Writes each event as the Maxwell record it stands for and decodes it back, so that the
     * benchmark compacts events exactly as the pipeline hands them over (shared column-name arrays,
     * exact-size rows, the decoder's strings), not as a test would build them.
     */
    private static RowChange[] asDecoded(RowChange[] generated) {
        MaxwellDecoder decoder = MaxwellDecoder.create();
        JsonFactory json = new JsonFactory();
        RowChange[] out = new RowChange[generated.length];
        ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
        long xid = 1000;
        try {
            for (int i = 0; i < generated.length; i++) {
                RowChange e = generated[i];
                buf.reset();
                try (JsonGenerator g = json.createGenerator(buf)) {
                    g.writeStartObject();
                    g.writeStringField("database", e.table().database());
                    g.writeStringField("table", e.table().table());
                    g.writeStringField("type", e.op().name().toLowerCase(Locale.ROOT));
                    g.writeNumberField("ts", 1_795_000_000L + i / 100);
                    g.writeNumberField("xid", xid++);
                    g.writeBooleanField("commit", true);
                    g.writeStringField("position", "mysql-bin.000042:" + (4 + 300L * i));
                    g.writeNumberField("server_id", 1);
                    g.writeArrayFieldStart("primary_key_columns");
                    for (String k : e.primaryKeyColumns()) {
                        g.writeString(k);
                    }
                    g.writeEndArray();
                    g.writeFieldName("data");
                    writeRow(g, e.data());
                    if (!e.old().isEmpty()) {
                        g.writeFieldName("old");
                        writeRow(g, e.old());
                    }
                    g.writeEndObject();
                }
                ChangeEvent decoded = decoder.decode(buf.toByteArray(), "bench", i);
                if (!(decoded instanceof RowChange) || ((RowChange) decoded).op() != e.op() || !((RowChange) decoded).data().equals(e.data())) {
                    throw new IllegalStateException("event " + i + " does not survive encoding: " + decoded);
                }
                out[i] = (RowChange) decoded;
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out;
    }

    private static void writeRow(JsonGenerator g, Row row) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < row.size(); i++) {
            g.writeFieldName(row.name(i));
            Value v = row.value(i);
            if (v.isNull()) {
                g.writeNull();
            } else if (v instanceof Value.Numeric) {
                g.writeNumber(v.asText());
            } else if (v instanceof Value.Json) {
                g.writeRawValue(v.asText());
            } else if (v instanceof Value.Bool) {
                g.writeBoolean(((Value.Bool) v).value());
            } else {
                g.writeString(v.asText());
            }
        }
        g.writeEndObject();
    }

    /** Compacts all events, batch by batch; one operation per event. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void compact(Blackhole bh) {
        final RowChange[] ev = events;
        final Compactor c = compactor;
        final int b = batchSize;
        for (int start = 0; start < EVENTS; start += b) {
            final int end = start + b;
            for (int i = start; i < end; i++) {
                c.add(ev[i]);
            }
            NetBatch batch = c.finish();
            bh.consume(batch);
        }
    }

    // ---- keys ------------------------------------------------------------------------------------

    /** Draws an index in {@code [0, n)}. */
    private interface KeySampler {
        int next(Random rnd);
    }

    private static final class UniformSampler implements KeySampler {
        private final int n;

        UniformSampler(int n) {
            this.n = n;
        }

        @Override
        public int next(Random rnd) {
            return rnd.nextInt(n);
        }
    }

    /**
     * Zipf over ranks {@code 0..n-1}: rank {@code k} has weight {@code 1 / (k + 1)^s}. The
     * cumulative distribution is computed once; a draw is a binary search for a uniform number.
     */
    static final class ZipfSampler implements KeySampler {
        private final double[] cdf;

        ZipfSampler(int n, double s) {
            cdf = new double[n];
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += 1.0 / Math.pow(k + 1, s);
                cdf[k] = sum;
            }
            for (int k = 0; k < n; k++) {
                cdf[k] /= sum;
            }
            cdf[n - 1] = 1.0;
        }

        @Override
        public int next(Random rnd) {
            double u = rnd.nextDouble();
            int i = Arrays.binarySearch(cdf, u);
            return i >= 0 ? i : -i - 1; // first rank whose cumulative weight is >= u
        }
    }

    // ---- events ----------------------------------------------------------------------------------

    /** Builds the events, tracking each id's latest row so that updates carry true old values. */
    private static final class EventGenerator {
        private final Random rnd;
        private final KeySampler keys;
        /** Rank to id: a fixed shuffle of 1..KEYS, so the hot keys of the Zipf law are not the smallest ids. */
        private final int[] ids;
        /** The latest row of each rank, or null when it has none (never seen, or deleted). */
        private final Row[] current;
        private long ts = 1_796_041_296L; // 2026-11-30 12:21:36 UTC, advancing

        EventGenerator(Random rnd, KeySampler keys) {
            this.rnd = rnd;
            this.keys = keys;
            ids = new int[KEYS];
            for (int i = 0; i < KEYS; i++) {
                ids[i] = i + 1;
            }
            for (int i = KEYS - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = ids[i];
                ids[i] = ids[j];
                ids[j] = t;
            }
            current = new Row[KEYS];
        }

        RowChange[] generate(int n) {
            RowChange[] out = new RowChange[n];
            for (int i = 0; i < n; i++) {
                if (rnd.nextInt(4) == 0) {
                    ts += 1;
                }
                int rank = keys.next(rnd);
                int r = rnd.nextInt(100);
                out[i] = r < 20 ? insert(rank) : r < 90 ? update(rank) : delete(rank);
            }
            return out;
        }

        private RowChange insert(int rank) {
            Row row = Row.builder()
                    .put(ID, Value.number(Integer.toString(ids[rank])))
                    .put(QTY, qty())
                    .put(STATUS, Value.text(STATUSES[0]))
                    .put(PRICE, price())
                    .put(NOTE, note())
                    .put(TS, timestamp())
                    .build();
            current[rank] = row;
            return change(Op.INSERT, row, Row.EMPTY);
        }

        private RowChange update(int rank) {
            Row before = existing(rank);
            int first = weighted();
            int second = -1;
            if (rnd.nextInt(100) < 40) {
                do {
                    second = rnd.nextInt(MUTABLE.length);
                } while (second == first);
            }
            Row.Builder data = Row.builder();
            Row.Builder old = Row.builder();
            for (int i = 0; i < before.size(); i++) {
                String name = before.name(i);
                Value prev = before.value(i);
                boolean changed = name == MUTABLE[first] || (second >= 0 && name == MUTABLE[second]);
                Value next = changed ? changed(name, prev) : copy(prev);
                data.put(name, next);
                if (changed) {
                    old.put(name, copy(prev));
                }
            }
            Row after = data.build();
            current[rank] = after;
            return change(Op.UPDATE, after, old.build());
        }

        private RowChange delete(int rank) {
            Row row = existing(rank);
            current[rank] = null;
            return change(Op.DELETE, copyRow(row), Row.EMPTY);
        }

        /** The rank's latest row, or one that existed before the events began. */
        private Row existing(int rank) {
            Row row = current[rank];
            if (row != null) {
                return row;
            }
            return Row.builder()
                    .put(ID, Value.number(Integer.toString(ids[rank])))
                    .put(QTY, qty())
                    .put(STATUS, Value.text(STATUSES[rnd.nextInt(STATUSES.length)]))
                    .put(PRICE, price())
                    .put(NOTE, note())
                    .put(TS, timestamp(-rnd.nextInt(30 * 86_400)))
                    .build();
        }

        private RowChange change(Op op, Row data, Row old) {
            Value id = data.get(ID);
            // A new TableId per event over shared names, as the decoder makes them.
            return new RowChange(new TableId(DATABASE, TABLE), op, data, old, KEY_COLUMNS, List.of(id), EventMeta.NONE);
        }

        private int weighted() {
            int r = rnd.nextInt(100);
            for (int i = 0; i < MUTABLE_WEIGHT.length; i++) {
                r -= MUTABLE_WEIGHT[i];
                if (r < 0) {
                    return i;
                }
            }
            return MUTABLE_WEIGHT.length - 1;
        }

        /** A new value for a changed column, different from {@code prev}. */
        private Value changed(String name, Value prev) {
            Value v;
            do {
                switch (name) {
                    case QTY:
                        v = qty();
                        break;
                    case STATUS:
                        v = Value.text(STATUSES[rnd.nextInt(STATUSES.length)]);
                        break;
                    case PRICE:
                        v = price();
                        break;
                    case NOTE:
                        v = note();
                        break;
                    case TS:
                        v = timestamp();
                        if (v.equals(prev)) {
                            ts++; // the row was already touched this second: the update happens in the next one
                        }
                        break;
                    default:
                        throw new IllegalStateException(name);
                }
            } while (v.equals(prev));
            return v;
        }

        /** A distinct copy, as decoding the same text again would make. */
        private static Value copy(Value v) {
            if (v instanceof Value.Numeric) {
                return Value.number(new String(v.asText()));
            }
            return Value.text(new String(v.asText()));
        }

        private static Row copyRow(Row row) {
            Row.Builder b = Row.builder();
            for (int i = 0; i < row.size(); i++) {
                b.put(row.name(i), copy(row.value(i)));
            }
            return b.build();
        }

        private Value qty() {
            return Value.number(Integer.toString(1 + rnd.nextInt(20)));
        }

        private Value price() {
            int digits = 1 + rnd.nextInt(4);
            int max = 1;
            for (int i = 0; i < digits; i++) {
                max *= 10;
            }
            return Value.number(rnd.nextInt(max) + "." + (char) ('0' + rnd.nextInt(10)) + (char) ('0' + rnd.nextInt(10)));
        }

        /** Words joined by spaces, 20 to 120 characters. */
        private Value note() {
            int target = 20 + rnd.nextInt(101);
            StringBuilder t = new StringBuilder(target + 16);
            while (t.length() < target) {
                if (t.length() > 0) {
                    t.append(' ');
                }
                t.append(WORDS[rnd.nextInt(WORDS.length)]);
            }
            if (t.length() > 120) {
                t.setLength(120);
            }
            return Value.text(t.toString());
        }

        private Value timestamp() {
            return timestamp(0);
        }

        /** A "yyyy-MM-dd HH:mm:ss" text around the current time. */
        private Value timestamp(int deltaSeconds) {
            java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(ts + deltaSeconds, 0, java.time.ZoneOffset.UTC);
            return Value.text(String.format(Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d",
                    t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
        }
    }
}
