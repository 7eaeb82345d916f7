package io.greenwell.examples;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code greenwell} command line. Exit status: 0 on success (dead letters included) and after
 * a clean stop on SIGINT or SIGTERM, 1 on failure, 2 on bad usage. Logging goes to standard
 * error; standard output holds only results. Every command, and every one added later, inherits
 * {@code --help}, {@code --version} and {@code --config} from this one (see {@link ConfigFile}).
 */
@Command(name = "greenwell", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, version = "greenwell 0.1.0-SNAPSHOT",
        description = "Keeps PostgreSQL and Greenplum tables in step with MySQL, from Maxwell's change events.",
        subcommands = {DemoCommand.class, ReplayCommand.class, KafkaCommand.class, RabbitCommand.class, MysqlCommand.class, CheckpointCommand.class, DeadLettersCommand.class,
            MaintainCommand.class, ArchiveCommands.History.class, ArchiveCommands.AsOfTable.class, ArchiveCommands.FlashbackSql.class})
public final class Greenwell implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "options from a properties file, as name=value (jdbc-url=URL, include=a,b); the command line overrides them")
    Path config;

    /** Entry point. */
    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.exit(execute(args, System.out, System.err));
    }

    /**
     * Runs a command line without exiting, for tests and embedding.
     *
     * @return the exit status
     */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** @return the commands, taking the values of options not on the command line from {@code --config} */
    static CommandLine commandLine() {
        Greenwell greenwell = new Greenwell();
        CommandLine cl = new CommandLine(greenwell);
        ConfigFile config = new ConfigFile(cl, () -> greenwell.config);
        cl.setDefaultValueProvider(config);
        cl.setParameterExceptionHandler(config.namingTheFile(cl.getParameterExceptionHandler()));
        cl.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("greenwell " + command.getCommandName() + " failed: " + describe(e));
            return 1;
        });
        return cl;
    }

    /** @return one line: the messages of an exception and its causes, with SQLSTATEs */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 2_000; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().replace('\n', ' ').strip();
            if (sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(m);
                if (t instanceof java.sql.SQLException && ((java.sql.SQLException) t).getSQLState() != null) {
                    sb.append(" (SQLSTATE ").append(((java.sql.SQLException) t).getSQLState()).append(')');
                }
            }
        }
        return sb.toString();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: demo, replay, kafka, rabbitmq, checkpoint, dead-letters, maintain,"
                + " history, as-of or flashback");
    }
}
