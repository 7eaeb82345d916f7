package io.greenwell.examples;

import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.source.FileSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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

    @CommandLine.Mixin
    TargetOptions options;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        options.validate(cl);
        if (!input.equals("-") && !Files.isReadable(Path.of(input))) {
            throw ConfigFile.badValue(cl, "--input", input, "cannot read --input " + input);
        }
        ChangeTarget built = options.target(cl);
        try (FileSource source = input.equals("-") ? FileSource.of(System.in, "stdin") : FileSource.of(Path.of(input));
                ChangeTarget target = built) {
            CdcPipeline p = options.pipeline(source, target, cl.getErr());
            try (MetricsServer metrics = options.serve(p, cl)) {
                return Runs.runStoppable(p, cl.getOut(), cl.getErr());
            }
        }
    }
}
