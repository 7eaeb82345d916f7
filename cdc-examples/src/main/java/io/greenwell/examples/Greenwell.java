package io.greenwell.examples;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code greenwell} command line. Exit status: 0 on success (dead letters included) and after
 * a clean stop on SIGINT or SIGTERM, 1 on failure, 2 on bad usage. Logging goes to standard
 * error; standard output holds only results.
 */
@Command(name = "greenwell", mixinStandardHelpOptions = true, version = "greenwell 0.1.0-SNAPSHOT",
        description = "Keeps PostgreSQL and Greenplum tables in step with MySQL, from Maxwell's change events.",
        subcommands = {DemoCommand.class, ReplayCommand.class, KafkaCommand.class, CheckpointCommand.class, DeadLettersCommand.class})
public final class Greenwell implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
        CommandLine cl = new CommandLine(new Greenwell());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: demo, replay, kafka, checkpoint or dead-letters");
    }
}
