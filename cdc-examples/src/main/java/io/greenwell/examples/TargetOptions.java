package io.greenwell.examples;

import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.greenplum.Dialect;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.greenplum.SchemaMapping;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.PipelineListener;
import io.greenwell.cdc.spi.ChangeSource;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options every applying command shares: the target, batching, the pipeline's name, filters. */
final class TargetOptions {

    /** How the values of a repeatable option are separated in one argument or in a config file. */
    static final String LIST = "\\s*,\\s*";

    @Option(names = "--jdbc-url", required = true, paramLabel = "URL", description = "jdbc:postgresql://host:port/database (may carry user and password)")
    String jdbcUrl;

    @Option(names = "--user", paramLabel = "U", description = "the database user (else from the URL)")
    String user;

    @Option(names = "--password-env", paramLabel = "VAR", description = "the environment variable holding the password")
    String passwordEnv;

    @Option(names = "--dialect", paramLabel = "D", converter = DialectConverter.class,
            description = "postgresql, greenplum6, greenplum7 or cloudberry (default: detected)")
    Dialect dialect;

    @Option(names = "--batch-events", paramLabel = "N", defaultValue = "200000",
            description = "records per batch at most, then the next transaction boundary (default ${DEFAULT-VALUE})")
    int batchEvents;

    @Option(names = "--pipeline", paramLabel = "NAME", defaultValue = "default", description = "the checkpoint's name (default ${DEFAULT-VALUE})")
    String pipeline;

    @Option(names = "--schema-map", paramLabel = "db=schema", split = LIST, splitSynopsisLabel = ",",
            description = "put a MySQL database into another schema (repeatable, or comma-separated)")
    List<String> schemaMap = new ArrayList<>();

    @Option(names = "--include", paramLabel = "GLOB", split = LIST, splitSynopsisLabel = ",",
            description = "replicate only db or db.table matching (repeatable, or comma-separated)")
    List<String> includes = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", split = LIST, splitSynopsisLabel = ",",
            description = "never replicate db or db.table matching (repeatable, or comma-separated)")
    List<String> excludes = new ArrayList<>();

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
        String password = null;
        if (passwordEnv != null) {
            password = System.getenv(passwordEnv);
            if (password == null) {
                throw ConfigFile.badValue(cl, "--password-env", passwordEnv, "environment variable " + passwordEnv + " is not set");
            }
        }
        SchemaMapping.Builder mapping = schemaMapping(cl, schemaMap);
        includes.forEach(mapping::include);
        excludes.forEach(mapping::exclude);
        return GreenplumTarget.builder().jdbcUrl(jdbcUrl, user, password).dialect(dialect).schemaMapping(mapping.build())
                .synchronousCommit(synchronousCommit)
                .streamLockWait(Duration.ofSeconds(lockWaitSeconds)).build();
    }

    /** @throws CommandLine.ParameterException for a --schema-map that is not db=schema (status 2) */
    static SchemaMapping.Builder schemaMapping(CommandLine cl, List<String> schemaMap) {
        SchemaMapping.Builder mapping = SchemaMapping.builder();
        for (String m : schemaMap) {
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw ConfigFile.badValue(cl, "--schema-map", m, "--schema-map needs db=schema, not '" + m + "'");
            }
            mapping.map(m.substring(0, eq), m.substring(eq + 1));
        }
        return mapping;
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
