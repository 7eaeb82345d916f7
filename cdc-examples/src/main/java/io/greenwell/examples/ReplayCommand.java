package io.greenwell.examples;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.greenplum.Dialect;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.greenplum.SchemaMapping;
import io.greenwell.cdc.pipeline.BatchReport;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.PipelineListener;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.source.FileSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code greenwell replay}: applies a file (or standard input) of Maxwell records to PostgreSQL or
 * Greenplum, exactly once: run again on the same input, it resumes from its checkpoint. The last
 * line on standard output is the run's summary.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Applies a file of Maxwell records (one JSON record per line) to PostgreSQL or Greenplum, exactly once.")
final class ReplayCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE|-", description = "the Maxwell records; - for standard input")
    String input;

    @Option(names = "--jdbc-url", required = true, paramLabel = "URL", description = "jdbc:postgresql://host:port/database (may carry user and password)")
    String jdbcUrl;

    @Option(names = "--user", paramLabel = "U", description = "the database user (else from the URL)")
    String user;

    @Option(names = "--password-env", paramLabel = "VAR", description = "the environment variable holding the password")
    String passwordEnv;

    @Option(names = "--dialect", paramLabel = "D", converter = DialectConverter.class,
            description = "postgresql, greenplum6, greenplum7 or cloudberry (default: detected)")
    Dialect dialect;

    @Option(names = "--batch-events", paramLabel = "N", defaultValue = "50000", description = "records per batch at most, then the next transaction boundary (default ${DEFAULT-VALUE})")
    int batchEvents;

    @Option(names = "--pipeline", paramLabel = "NAME", defaultValue = "default", description = "the checkpoint's name (default ${DEFAULT-VALUE})")
    String pipeline;

    @Option(names = "--schema-map", paramLabel = "db=schema", description = "put a MySQL database into another schema")
    List<String> schemaMap = new ArrayList<>();

    @Option(names = "--include", paramLabel = "GLOB", description = "replicate only db or db.table matching (repeatable)")
    List<String> includes = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "never replicate db or db.table matching (repeatable)")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--quiet", description = "no progress on standard error")
    boolean quiet;

    /** Converts --dialect, reporting a bad value as bad usage. */
    static final class DialectConverter implements CommandLine.ITypeConverter<Dialect> {
        @Override
        public Dialect convert(String value) {
            try {
                return Dialect.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Override
    public Integer call() {
        if (batchEvents < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch-events must be at least 1");
        }
        String password = null;
        if (passwordEnv != null) {
            password = System.getenv(passwordEnv);
            if (password == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "environment variable " + passwordEnv + " is not set");
            }
        }
        SchemaMapping.Builder mapping = SchemaMapping.builder();
        for (String m : schemaMap) {
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--schema-map needs db=schema, not '" + m + "'");
            }
            mapping.map(m.substring(0, eq), m.substring(eq + 1));
        }
        includes.forEach(mapping::include);
        excludes.forEach(mapping::exclude);
        if (!input.equals("-") && !Files.isReadable(Path.of(input))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read --input " + input);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FileSource source = input.equals("-") ? FileSource.of(System.in, "stdin") : FileSource.of(Path.of(input));
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(jdbcUrl, user, password).dialect(dialect)
                .schemaMapping(mapping.build()).build()) {
            CdcPipeline p = CdcPipeline.builder()
                    .name(pipeline)
                    .source(source)
                    .target(target)
                    .batchLimits(new BatchLimits(batchEvents, BatchLimits.DEFAULT.maxBytes(), true))
                    .listener(quiet ? PipelineListener.NONE : new Progress(err))
                    .build();
            return runStoppable(p, out, err);
        } finally {
            source.close();
        }
    }

    /**
     * Runs the pipeline; SIGINT and SIGTERM stop it after the batch being applied, the summary is
     * printed and the process exits with 0.
     */
    private static int runStoppable(CdcPipeline p, PrintWriter out, PrintWriter err) {
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
            out.println(String.format(Locale.ROOT, "events=%d applied=%d duplicates=%d filtered=%d dead_letters=%d net_changes=%d seconds=%.3f",
                    s.events(), s.applied(), s.duplicates(), s.filtered(), s.deadLetters(), s.netChanges(), s.seconds()));
            out.flush();
            status.set(0);
        } catch (CdcException e) {
            err.println("greenwell replay failed: " + e.getMessage());
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

    /** Progress on standard error, at most once a second. */
    private static final class Progress implements PipelineListener {
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
