package io.greenwell.examples;

import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.greenplum.MaintenanceReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code greenwell maintain}: {@code VACUUM} and {@code ANALYZE} once, for cron, of the tables the
 * mapping includes in the schemas it maps to, Greenwell's own tables and, on Greenplum, the
 * catalog tables its work churns; prints, per table with an action, the figures it decided on and
 * what it did.
 */
@Command(name = "maintain", mixinStandardHelpOptions = true,
        description = {"VACUUM the tables whose dead rows pass the thresholds, ANALYZE those whose rows changed by more than a fraction"
                + " since their last ANALYZE (on Greenplum also the catalog tables Greenwell's staging and DDL churn), once.",
            "Prints schema.table live dead changed action outcome per table with an action, then"
                + " tables=N vacuum=N analyze=N done=N locked=N failed=N dry_run=true|false."})
final class MaintainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    DatabaseOptions db;

    /** Which tables: those the mapping includes, in the schemas it maps to. */
    @CommandLine.Mixin
    MappingOptions mapping;

    @CommandLine.Mixin
    MaintenanceOptions thresholds;

    @Option(names = "--dry-run", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "decide and print, run nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        GreenplumTarget built = GreenplumTarget.builder().jdbcUrl(db.url(cl), db.user, db.password(cl)).schemaMapping(mapping.mapping(cl))
                .maintenance(thresholds.maintenance(cl, Duration.ofHours(1))).build();
        try (GreenplumTarget target = built) {
            MaintenanceReport r = target.maintain(dryRun);
            PrintWriter out = cl.getOut();
            out.println("table\tlive\tdead\tchanged\taction\toutcome");
            long vacuum = 0;
            long analyze = 0;
            long locked = 0;
            for (MaintenanceReport.Table t : r.tables()) {
                if (t.action() == MaintenanceReport.Action.NONE) {
                    continue;
                }
                vacuum += t.action() == MaintenanceReport.Action.ANALYZE ? 0 : 1;
                analyze += t.action() == MaintenanceReport.Action.VACUUM ? 0 : 1;
                locked += t.outcome() == MaintenanceReport.Outcome.LOCKED ? 1 : 0;
                out.printf(Locale.ROOT, "%s.%s\t%d\t%d\t%d\t%s\t%s%n", t.schema(), t.table(), t.liveRows(), t.deadRows(), t.changedSinceAnalyze(),
                        t.action().command(), t.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' '));
                if (t.message() != null) {
                    cl.getErr().println("greenwell maintain: " + t.schema() + "." + t.table() + ": " + t.message().replace('\n', ' '));
                }
            }
            out.printf(Locale.ROOT, "tables=%d vacuum=%d analyze=%d done=%d locked=%d failed=%d dry_run=%b%n", r.tables().size(), vacuum,
                    analyze, r.done(), locked, r.failed(), dryRun);
            out.flush();
            cl.getErr().flush();
            return 0;
        }
    }
}
