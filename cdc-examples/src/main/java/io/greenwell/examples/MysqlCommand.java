package io.greenwell.examples;

import io.greenwell.cdc.binlog.BinlogSource;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.spi.ChangeTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code greenwell mysql}: reads a MySQL or MariaDB binlog itself, with neither Maxwell nor Kafka,
 * into PostgreSQL or Greenplum until SIGINT or SIGTERM, resuming at the last committed
 * transaction's end.
 */
@Command(name = "mysql", mixinStandardHelpOptions = true,
        description = {"Reads a MySQL or MariaDB binlog directly (no Maxwell, no Kafka) into PostgreSQL or Greenplum, until stopped (SIGINT/SIGTERM).",
            "The server needs log_bin, binlog_format=ROW and binlog_row_metadata=FULL; the user REPLICATION SLAVE, REPLICATION CLIENT"
                + " and SELECT on the chosen databases. Without a checkpoint it starts at the binlog's current end."})
final class MysqlCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1", description = "the server's host (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "3306", description = "the server's port (default ${DEFAULT-VALUE})")
    int port;

    // --user and --password-env name the target database's credentials in every pipeline command
    @Option(names = "--mysql-user", required = true, paramLabel = "USER", description = "the MySQL user to replicate as")
    String user;

    @Option(names = "--mysql-password-env", paramLabel = "VAR",
            description = "the environment variable that holds the MySQL user's password (a password is never an argument); none: no password")
    String passwordEnv;

    @Option(names = "--server-id", required = true, paramLabel = "N",
            description = "the server id to replicate as: 1 to 4294967295, unique among the server's replicas")
    long serverId;

    @Option(names = "--database", paramLabel = "DB", split = TargetOptions.LIST, splitSynopsisLabel = ",",
            description = "a database to read (repeatable, or comma-separated); default: all but mysql, sys, information_schema and performance_schema")
    List<String> databases = new ArrayList<>();

    @Option(names = "--snapshot", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "without a checkpoint, first load every table of the chosen databases from one consistent snapshot (created in"
                + " the target where missing, then reloaded), then read the binlog from the snapshot's position; an unfinished snapshot is"
                + " taken again at the next start")
    boolean snapshot;

    @Option(names = "--skip-ddl", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "pass DDL over instead of applying it (the target's tables are changed by hand); the user then needs no SELECT")
    boolean skipDdl;

    @Option(names = "--schema-history", arity = "0..1", fallbackValue = "true", paramLabel = "true|false", defaultValue = "true",
            description = "keep the schema over time in greenwell.binlog_schema_history of the target database (default ${DEFAULT-VALUE};"
                + " with --target opensearch there is none), so that DDL while stopped is followed after a restart")
    boolean schemaHistory;

    @Option(names = "--heartbeat", paramLabel = "SECONDS", defaultValue = "10",
            description = "the heartbeat the server sends when idle; a connection silent for three is opened again (default ${DEFAULT-VALUE})")
    int heartbeatSeconds;

    @Option(names = "--transaction-memory", paramLabel = "BYTES", defaultValue = "67108864",
            description = "bytes of an open transaction held in memory before the rest goes to a temporary file (default ${DEFAULT-VALUE})")
    long transactionMemory;

    @CommandLine.Mixin
    TargetOptions options;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        String password = null;
        if (passwordEnv != null) {
            password = System.getenv(passwordEnv);
            if (password == null) {
                throw ConfigFile.badValue(cl, "--mysql-password-env", passwordEnv, "the environment variable " + passwordEnv + " is not set");
            }
        }
        BinlogSource source;
        try {
            BinlogSource.Builder b = BinlogSource.builder().host(host).port(port).user(user).password(password).serverId(serverId)
                    .databases(databases).skipDdl(skipDdl).snapshot(snapshot).heartbeat(Duration.ofSeconds(heartbeatSeconds))
                    .transactionMemoryBytes(transactionMemory);
            if (schemaHistory && !options.searchIndex()) {
                options.validate(cl);
                b.schemaHistory(options.database.url(cl), options.database.user, options.database.password(cl));
            }
            source = b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        ChangeTarget built = options.target(cl);
        try (BinlogSource s = source; ChangeTarget target = built) {
            CdcPipeline p = options.pipeline(s, target, cl.getErr());
            try (MetricsServer metrics = options.serve(p, cl)) {
                return Runs.runStoppable(p, cl.getOut(), cl.getErr());
            }
        }
    }
}
