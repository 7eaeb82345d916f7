package io.greenwell.examples;

import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.greenplum.Dialect;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.PipelineListener;
import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.opensearch.Decimals;
import io.greenwell.cdc.opensearch.OpenSearchTarget;
import io.greenwell.cdc.opensearch.Versioning;
import java.io.PrintWriter;
import java.time.Duration;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options every applying command shares: the target (Greenplum or PostgreSQL by default, a
 * search index with {@code --target opensearch}), batching, the pipeline's name, filters.
 */
final class TargetOptions {

    /** How the values of a repeatable option are separated in one argument or in a config file. */
    static final String LIST = MappingOptions.LIST;

    @CommandLine.Mixin
    DatabaseOptions database;

    @Option(names = "--target", paramLabel = "KIND", defaultValue = "greenplum",
            description = "greenplum (default: Greenplum or PostgreSQL at --jdbc-url) or opensearch (a search index at --opensearch-url)")
    String target;

    @Option(names = "--opensearch-url", paramLabel = "URL",
            description = "with --target opensearch: http(s)://host:9200, several separated by commas (may carry user:password@)")
    String opensearchUrl;

    @Option(names = "--index", paramLabel = "NAME", defaultValue = "greenwell",
            description = "with --target opensearch: the one index of every table's documents (default ${DEFAULT-VALUE})")
    String index;

    @Option(names = "--index-per-table", paramLabel = "TEMPLATE",
            description = "with --target opensearch: one index per table instead, named by a template such as mysql.{db}.{table}")
    String indexPerTable;

    @Option(names = "--versioning", paramLabel = "position|offset", defaultValue = "position",
            description = "with --target opensearch: document versions from the binlog position (default; needs Maxwell's"
                    + " output_binlog_position) or from the stream's offset (each row's changes on one stream)")
    String versioning;

    @Option(names = "--decimals", paramLabel = "string|number", defaultValue = "string",
            description = "with --target opensearch: DECIMAL values as exact strings (default) or as numbers mapped as double")
    String decimals;

    @Option(names = "--opensearch-user", paramLabel = "U", description = "with --target opensearch: the engine's user (else from the URL)")
    String opensearchUser;

    @Option(names = "--opensearch-password-env", paramLabel = "VAR",
            description = "with --target opensearch: the environment variable holding the engine user's password")
    String opensearchPasswordEnv;

    @Option(names = "--dialect", paramLabel = "D", converter = DialectConverter.class,
            description = "postgresql, greenplum6, greenplum7 or cloudberry (default: detected)")
    Dialect dialect;

    @Option(names = "--batch-events", paramLabel = "N", defaultValue = "200000",
            description = "records per batch at most, then the next transaction boundary (default ${DEFAULT-VALUE})")
    int batchEvents;

    @Option(names = "--pipeline", paramLabel = "NAME", defaultValue = "default", description = "the checkpoint's name (default ${DEFAULT-VALUE})")
    String pipeline;

    @CommandLine.Mixin
    MappingOptions mapping;

    // picocli gives a flag without a value the opposite of its default, which a config file sets:
    // fallbackValue makes --quiet mean true whatever the file says
    @Option(names = "--quiet", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "no progress on standard error (--quiet=false undoes a config file's quiet=true)")
    boolean quiet;

    @Option(names = "--synchronous-commit", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "each COMMIT waits for the server's WAL flush (default: only a stream's first checkpoint and the end of the run do)")
    boolean synchronousCommit;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "serve Prometheus metrics at /metrics and a health check at /health on this port (0: any free one, named on standard error)")
    Integer metricsPort;

    @Option(names = "--metrics-host", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "the address --metrics-port listens on (default ${DEFAULT-VALUE}: every interface)")
    String metricsHost;

    @Option(names = "--health-threshold", paramLabel = "SECONDS", defaultValue = "30",
            description = "/health answers 503 once a batch has not committed for this long (default ${DEFAULT-VALUE})")
    int healthThresholdSeconds;

    /** The registry of --metrics-port; null without it. */
    private PrometheusMeterRegistry registry;

    @Option(names = "--lock-wait", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long to wait for another instance of the pipeline to release a stream before failing (default ${DEFAULT-VALUE})")
    int lockWaitSeconds;

    @Option(names = "--maintenance-interval", paramLabel = "SECONDS", defaultValue = "0",
            description = "VACUUM and ANALYZE the tables the run changes every this many seconds, by the thresholds of greenwell maintain"
                    + " (default ${DEFAULT-VALUE}: never)")
    long maintenanceSeconds;

    @CommandLine.Mixin
    MaintenanceOptions maintenance;

    @Option(names = "--archive", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "keep every applied event in greenwell.event_archive, for history, as-of and flashback")
    boolean archive;

    @Option(names = "--archive-retention-days", paramLabel = "DAYS", defaultValue = "0",
            description = "drop the archive's day partitions older than this (default ${DEFAULT-VALUE}: keep everything)")
    int archiveRetentionDays;

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

    /** @return true when the pipeline writes to a search index */
    boolean searchIndex() {
        return "opensearch".equalsIgnoreCase(target);
    }

    /**
     * Checks the options that do not depend on a server, so that bad usage is reported before any
     * other check of the command.
     *
     * @throws CommandLine.ParameterException for bad values (status 2)
     */
    void validate(CommandLine cl) {
        if (!searchIndex() && !"greenplum".equalsIgnoreCase(target)) {
            throw ConfigFile.badValue(cl, "--target", target, "--target must be greenplum or opensearch");
        }
        if (searchIndex()) {
            if (opensearchUrl == null || opensearchUrl.isBlank()) {
                throw new CommandLine.ParameterException(cl, "Missing required option: '--opensearch-url=URL' (with --target opensearch)");
            }
            // a config file may serve both targets; the command line may not mix their options
            refuseGiven(cl, "--target greenplum", "--jdbc-url", "--user", "--password-env", "--dialect", "--archive",
                    "--archive-retention-days", "--schema-map", "--lock-wait", "--maintenance-interval", "--synchronous-commit");
            if (indexPerTable != null && given(cl, "--index")) {
                throw new CommandLine.ParameterException(cl, "--index and --index-per-table exclude each other");
            }
            if ((opensearchUser == null) != (opensearchPasswordEnv == null)) {
                throw new CommandLine.ParameterException(cl, "--opensearch-user and --opensearch-password-env go together"
                        + " (or give the credentials in --opensearch-url)");
            }
            choice(cl, "--versioning", versioning, Versioning.class);
            choice(cl, "--decimals", decimals, Decimals.class);
        } else {
            database.url(cl);
            refuseGiven(cl, "--target opensearch", "--opensearch-url", "--index", "--index-per-table", "--versioning", "--decimals",
                    "--opensearch-user", "--opensearch-password-env");
        }

        if (batchEvents < 1) {
            throw ConfigFile.badValue(cl, "--batch-events", String.valueOf(batchEvents), "--batch-events must be at least 1");
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
            throw ConfigFile.badValue(cl, "--metrics-port", String.valueOf(metricsPort), "--metrics-port must be a port, 0 to 65535");
        }
        if (healthThresholdSeconds < 1) {
            throw ConfigFile.badValue(cl, "--health-threshold", String.valueOf(healthThresholdSeconds),
                    "--health-threshold must be at least 1");
        }
        if (lockWaitSeconds < 0) {
            throw ConfigFile.badValue(cl, "--lock-wait", String.valueOf(lockWaitSeconds), "--lock-wait must not be negative");
        }
        if (maintenanceSeconds < 0) {
            throw ConfigFile.badValue(cl, "--maintenance-interval", String.valueOf(maintenanceSeconds), "--maintenance-interval must not be negative");
        }
        if (archiveRetentionDays < 0) {
            throw ConfigFile.badValue(cl, "--archive-retention-days", String.valueOf(archiveRetentionDays),
                    "--archive-retention-days must not be negative");
        }
    }

    private static boolean given(CommandLine cl, String option) {
        return cl.getParseResult() != null && cl.getParseResult().hasMatchedOption(option);
    }

    /** Refuses the options of the other target when the command line gives them (a config file may hold them). */
    private static void refuseGiven(CommandLine cl, String target, String... options) {
        for (String option : options) {
            if (given(cl, option)) {
                throw new CommandLine.ParameterException(cl, option + " applies to " + target + " only");
            }
        }
    }

    /** @return the constant of an enum an option names, in any case; bad usage for any other value */
    private static <E extends Enum<E>> E choice(CommandLine cl, String option, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw ConfigFile.badValue(cl, option, value, option + " must be one of " + java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList());
    }

    /**
     * @return the target the options describe
     * @throws CommandLine.ParameterException for bad values (status 2)
     */
    ChangeTarget target(CommandLine cl) {
        validate(cl);
        if (searchIndex()) {
            OpenSearchTarget.Builder b = OpenSearchTarget.builder().includeTables(mapping.mapping(cl)::includes);
            try {
                b.url(opensearchUrl).versioning(choice(cl, "--versioning", versioning, Versioning.class))
                        .decimals(choice(cl, "--decimals", decimals, Decimals.class));
                if (opensearchUser != null) {
                    String password = System.getenv(opensearchPasswordEnv);
                    if (password == null) {
                        throw ConfigFile.badValue(cl, "--opensearch-password-env", opensearchPasswordEnv,
                                "environment variable " + opensearchPasswordEnv + " is not set");
                    }
                    b.credentials(opensearchUser, password);
                }
                if (indexPerTable != null) {
                    b.indexPerTable(indexPerTable);
                } else {
                    b.index(index);
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
            return b.build();
        }
        return GreenplumTarget.builder().jdbcUrl(database.url(cl), database.user, database.password(cl)).dialect(dialect)
                .schemaMapping(mapping.mapping(cl))
                .archive(archive).archiveRetention(archiveRetentionDays == 0 ? null : Duration.ofDays(archiveRetentionDays))
                .synchronousCommit(synchronousCommit)
                .maintenance(maintenanceSeconds == 0 ? null : maintenance.maintenance(cl, Duration.ofSeconds(maintenanceSeconds)))
                .streamLockWait(Duration.ofSeconds(lockWaitSeconds)).build();
    }

    CdcPipeline pipeline(ChangeSource source, ChangeTarget target, PrintWriter err) {
        CdcPipeline.Builder b = CdcPipeline.builder()
                .name(pipeline)
                .source(source)
                .target(target)
                .batchLimits(new BatchLimits(batchEvents, BatchLimits.DEFAULT.maxBytes(), true))
                .healthThreshold(Duration.ofSeconds(healthThresholdSeconds))
                .listener(quiet ? PipelineListener.NONE : new Runs.Progress(err));
        if (metricsPort != null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            b.meterRegistry(registry);
        }
        return b.build();
    }

    /**
     * Serves the pipeline's metrics and health when --metrics-port was given.
     *
     * @return the server, to be closed after the run; null without --metrics-port
     * @throws CommandLine.ParameterException when the address cannot be bound
     */
    MetricsServer serve(CdcPipeline p, CommandLine cl) {
        if (registry == null) {
            return null;
        }
        try {
            MetricsServer server = MetricsServer.start(metricsHost, metricsPort, registry, p);
            cl.getErr().println("greenwell: metrics at http://" + metricsHost + ":" + server.port() + "/metrics, health at /health");
            cl.getErr().flush();
            return server;
        } catch (java.io.IOException e) {
            throw ConfigFile.badValue(cl, "--metrics-port", String.valueOf(metricsPort),
                    "cannot serve metrics on " + metricsHost + ":" + metricsPort + ": " + e.getMessage());
        }
    }
}
