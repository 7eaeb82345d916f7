package io.greenwell.bench;

import java.util.Arrays;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The ratio of {@link MaxwellDecodeBenchmark#decode} to {@link MaxwellDecodeBenchmark#tokenizeOnly}
 * on a noisy machine. JMH runs one benchmark after the other, so a machine whose speed drifts
 * (a shared virtual machine) skews the ratio of two JMH scores; this harness alternates short
 * rounds of both in one JVM and reports the median of the per-round ratios. Use JMH for the
 * absolute figures, this for the ratio.
 *
 * <pre>java -cp cdc-bench/target/benchmarks.jar io.greenwell.bench.DecodeRatio [rounds]</pre>
 */
public final class DecodeRatio {

    private DecodeRatio() {}

    /**
     * @param args optional: the number of measured rounds (default 40)
     * @throws Exception when the corpus cannot be built
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        MaxwellDecodeBenchmark b = new MaxwellDecodeBenchmark();
        b.setup();
        Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        for (int i = 0; i < 10; i++) { // warm up both paths
            rate(b, bh, true);
            rate(b, bh, false);
        }
        double[] ratios = new double[rounds];
        double[] decode = new double[rounds];
        double[] tokenize = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            decode[r] = rate(b, bh, true);
            tokenize[r] = rate(b, bh, false);
            ratios[r] = decode[r] / tokenize[r];
        }
        Arrays.sort(ratios);
        Arrays.sort(decode);
        Arrays.sort(tokenize);
        System.out.printf("rounds %d: decode/tokenizeOnly median %.3f (quartiles %.3f .. %.3f); "
                        + "median events/s: decode %.0f, tokenizeOnly %.0f%n",
                rounds, ratios[rounds / 2], ratios[rounds / 4], ratios[3 * rounds / 4], decode[rounds / 2], tokenize[rounds / 2]);
        bh.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    }

    /** Events per second of one round of about 250 ms. */
    private static double rate(MaxwellDecodeBenchmark b, Blackhole bh, boolean decode) throws Exception {
        long start = System.nanoTime();
        long events = 0;
        do {
            for (int i = 0; i < 20; i++) {
                if (decode) {
                    b.decode(bh);
                } else {
                    b.tokenizeOnly(bh);
                }
                events += MaxwellDecodeBenchmark.MESSAGES;
            }
        } while (System.nanoTime() - start < 250_000_000L);
        return events * 1e9 / (System.nanoTime() - start);
    }
}
