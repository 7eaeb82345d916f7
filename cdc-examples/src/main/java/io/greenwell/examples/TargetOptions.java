package io.greenwell.examples;

import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.greenplum.Dialect;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.PipelineListener;
import io.greenwell.cdc.spi.ChangeSource;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options every applying command shares: the target, batching, the pipeline's name, filters. */
final class TargetOptions {

    /** How the values of a repeatable option are separated in one argument or in a config file. */
    static final String LIST = MappingOptions.LIST;

    @CommandLine.Mixin
    DatabaseOptions database;

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

    @Option(names = "--lock-wait", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long to wait for another instance of the pipeline to release a stream before failing (default ${DEFAULT-VALUE})")
    int lockWaitSeconds;

    @Option(names = "--maintenance-interval", paramLabel = "SECONDS", defaultValue = "0",
            description = "VACUUM and ANALYZE the tables the run changes every this many seconds, by the thresholds of greenwell maintain"
                    + " (default ${DEFAULT-VALUE}: never)")
    long maintenanceSeconds;

    @CommandLine.Mixin
    MaintenanceOptions maintenance;

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

    /** @throws CommandLine.ParameterException for bad values (status 2) */
    GreenplumTarget target(CommandLine cl) {
        if (batchEvents < 1) {
            throw ConfigFile.badValue(cl, "--batch-events", String.valueOf(batchEvents), "--batch-events must be at least 1");
        }
        if (lockWaitSeconds < 0) {
            throw ConfigFile.badValue(cl, "--lock-wait", String.valueOf(lockWaitSeconds), "--lock-wait must not be negative");
        }
        if (maintenanceSeconds < 0) {
            throw ConfigFile.badValue(cl, "--maintenance-interval", String.valueOf(maintenanceSeconds), "--maintenance-interval must not be negative");
        }
        return GreenplumTarget.builder().jdbcUrl(database.jdbcUrl, database.user, database.password(cl)).dialect(dialect)
                .schemaMapping(mapping.mapping(cl))
                .synchronousCommit(synchronousCommit)
                .maintenance(maintenanceSeconds == 0 ? null : maintenance.maintenance(cl, Duration.ofSeconds(maintenanceSeconds)))
                .streamLockWait(Duration.ofSeconds(lockWaitSeconds)).build();
    }

    CdcPipeline pipeline(ChangeSource source, GreenplumTarget target, PrintWriter err) {
        return CdcPipeline.builder()
                .name(pipeline)
                .source(source)
                .target(target)
                .batchLimits(new BatchLimits(batchEvents, BatchLimits.DEFAULT.maxBytes(), true))
                .listener(quiet ? PipelineListener.NONE : new Runs.Progress(err))
                .build();
    }
}
