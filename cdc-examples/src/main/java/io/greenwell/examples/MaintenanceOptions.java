package io.greenwell.examples;

import io.greenwell.cdc.greenplum.Maintenance;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The thresholds of maintenance: the options of {@code maintain} and of the commands that apply rows. */
final class MaintenanceOptions {

    @Option(names = "--vacuum-min-dead-rows", paramLabel = "N", defaultValue = "1000",
            description = "VACUUM a table with at least this many dead rows (default ${DEFAULT-VALUE}) ...")
    long minDeadRows;

    @Option(names = "--vacuum-dead-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "... and at least this fraction of its live rows (default ${DEFAULT-VALUE})")
    double deadFraction;

    @Option(names = "--analyze-min-changed-rows", paramLabel = "N", defaultValue = "1000",
            description = "ANALYZE a table with at least this many rows changed since its last ANALYZE (default ${DEFAULT-VALUE}) ...")
    long minChangedRows;

    @Option(names = "--analyze-changed-fraction", paramLabel = "F", defaultValue = "0.1",
            description = "... and at least this fraction of its live rows (default ${DEFAULT-VALUE})")
    double changedFraction;

    /**
     * @param interval the pause between two runs, positive
     * @return the maintenance these options describe
     * @throws CommandLine.ParameterException for a negative threshold (status 2)
     */
    Maintenance maintenance(CommandLine cl, Duration interval) {
        if (minDeadRows < 0 || minChangedRows < 0 || !(deadFraction >= 0) || !(changedFraction >= 0)) {
            throw new CommandLine.ParameterException(cl, "the --vacuum-* and --analyze-* thresholds must not be negative");
        }
        return Maintenance.every(interval).withVacuumThreshold(minDeadRows, deadFraction).withAnalyzeThreshold(minChangedRows, changedFraction);
    }
}
