package io.greenwell.bench;

import java.util.Arrays;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Ratios between benchmarks on a noisy machine. JMH runs one benchmark after the other, so a
 * machine whose speed drifts (a shared virtual machine) skews the ratio of two JMH scores; this
 * harness alternates short rounds of two benchmarks in one JVM and reports the median of the
 * per-round ratios. Use JMH for the absolute figures, this for the ratios:
 *
 * <ul>
 *   <li>{@code decode/tokenizeOnly} for {@link MaxwellDecodeBenchmark};
 *   <li>{@code compact/decode} for every {@link CompactionBenchmark} parameter combination.
 * </ul>
 *
 * <pre>java -cp cdc-bench/target/benchmarks.jar io.greenwell.bench.BenchmarkRatios [rounds] [decode|compact|all]</pre>
 */
public final class BenchmarkRatios {

    private static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    private BenchmarkRatios() {}

    /** One benchmark invocation and the events it processes. */
    private interface Op {
        void run() throws Exception;
    }

    /**
     * @param args optional: the number of measured rounds (default 40), and which ratios (default all)
     * @throws Exception when a corpus cannot be built
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        String which = args.length > 1 ? args[1] : "all";
        MaxwellDecodeBenchmark d = new MaxwellDecodeBenchmark();
        d.setup();
        Op decode = () -> d.decode(BH);
        Op tokenize = () -> d.tokenizeOnly(BH);
        if (!which.equals("compact")) {
            report("decode/tokenizeOnly", decode, MaxwellDecodeBenchmark.MESSAGES, tokenize, MaxwellDecodeBenchmark.MESSAGES, rounds);
        }
        if (!which.equals("decode")) {
            for (String skew : new String[] {"uniform", "zipf"}) {
                for (int batchSize : new int[] {1000, 10000, 100000}) {
                    CompactionBenchmark c = new CompactionBenchmark();
                    c.batchSize = batchSize;
                    c.skew = skew;
                    c.setup();
                    report("compact(" + batchSize + "," + skew + ")/decode", () -> c.compact(BH), CompactionBenchmark.EVENTS,
                            decode, MaxwellDecodeBenchmark.MESSAGES, rounds);
                }
            }
        }
        BH.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    }

    private static void report(String name, Op a, int eventsA, Op b, int eventsB, int rounds) throws Exception {
        for (int i = 0; i < 10; i++) { // warm up both
            rate(a, eventsA);
            rate(b, eventsB);
        }
        double[] ratios = new double[rounds];
        double[] ra = new double[rounds];
        double[] rb = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ra[r] = rate(a, eventsA);
            rb[r] = rate(b, eventsB);
            ratios[r] = ra[r] / rb[r];
        }
        Arrays.sort(ratios);
        Arrays.sort(ra);
        Arrays.sort(rb);
        System.out.printf("%s: median %.3f (quartiles %.3f .. %.3f) over %d rounds; median events/s %.0f and %.0f%n",
                name, ratios[rounds / 2], ratios[rounds / 4], ratios[3 * rounds / 4], rounds, ra[rounds / 2], rb[rounds / 2]);
    }

    /** Events per second of one round of about 250 ms. */
    private static double rate(Op op, int eventsPerRun) throws Exception {
        long start = System.nanoTime();
        long events = 0;
        do {
            op.run();
            events += eventsPerRun;
        } while (System.nanoTime() - start < 250_000_000L);
        return events * 1e9 / (System.nanoTime() - start);
    }
}
