package io.greenwell.examples;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.pipeline.BatchReport;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.PipelineListener;
import io.greenwell.cdc.pipeline.RunSummary;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Running a pipeline from the command line: the summary line, progress, a clean stop on signals. */
final class Runs {

    private Runs() {}

    /**
     * Runs the pipeline; SIGINT and SIGTERM stop it after the batch being applied, the summary is
     * printed and the process exits with 0.
     *
     * @return the exit status: 0, or 1 when the run failed
     */
    static int runStoppable(CdcPipeline p, PrintWriter out, PrintWriter err) {
        CountDownLatch finished = new CountDownLatch(1);
        AtomicInteger status = new AtomicInteger(1);
        AtomicBoolean signalled = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            signalled.set(true);
            p.stop();
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.flush();
            err.flush();
            Runtime.getRuntime().halt(status.get());
        }, "greenwell-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            RunSummary s = p.run();
            out.println(summary(s));
            out.flush();
            status.set(0);
        } catch (CdcException e) {
            err.println("greenwell failed: " + Greenwell.describe(e));
            err.flush();
            status.set(signalled.get() ? 0 : 1);
        } finally {
            finished.countDown();
        }
        if (!signalled.get()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook exits with the status
            }
        }
        return status.get();
    }

    /** @return {@code events=N applied=N duplicates=N filtered=N dead_letters=N net_changes=N seconds=S} */
    static String summary(RunSummary s) {
        return String.format(Locale.ROOT, "events=%d applied=%d duplicates=%d filtered=%d dead_letters=%d net_changes=%d seconds=%.3f",
                s.events(), s.applied(), s.duplicates(), s.filtered(), s.deadLetters(), s.netChanges(), s.seconds());
    }

    /** Progress on standard error, at most once a second. */
    static final class Progress implements PipelineListener {
        private final PrintWriter err;
        private final long started = System.nanoTime();
        private long last;
        private long events;
        private long dead;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void batchApplied(BatchReport r) {
            events += r.events();
            dead += r.deadLetters();
            long now = System.nanoTime();
            if (now - last >= 1_000_000_000L) {
                last = now;
                double secs = (now - started) / 1e9;
                err.println(String.format(Locale.ROOT, "greenwell: %d events, %.0f events/s, %d dead letters, compaction %.1f, lag %d ms",
                        events, events / Math.max(secs, 1e-9), dead, r.compactionRatio(), r.lagMillis()));
                err.flush();
            }
        }
    }
}
