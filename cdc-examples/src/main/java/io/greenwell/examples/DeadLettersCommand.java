package io.greenwell.examples;

import io.greenwell.cdc.greenplum.GreenplumTarget;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code greenwell dead-letters list|retry}: the events a pipeline could not apply, and why; and
 * applying them again once the cause is fixed.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = {"list: the events that went to the dead letters, with their stream, offset, table, key and error.",
            "retry: applies them again after their cause was fixed, and deletes those that apply (the rest stay, with their new"
                + " error); prints retried=N applied=N still_failing=N."})
final class DeadLettersCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "list|retry", description = "list or retry")
    String action;

    @CommandLine.Mixin
    DatabaseOptions db;

    @Option(names = "--pipeline", paramLabel = "NAME", description = "only this pipeline's (default: every pipeline's)")
    String pipeline;

    /** For retry: the mapping the pipeline used, and which letters to retry. */
    @CommandLine.Mixin
    MappingOptions mapping;

    @Override
    public Integer call() throws SQLException {
        CommandLine cl = spec.commandLine();
        switch (action) {
            case "list":
                return list(cl);
            case "retry":
                return retry(cl);
            default:
                throw new CommandLine.ParameterException(cl, "dead-letters list or dead-letters retry, not " + action);
        }
    }

    private int retry(CommandLine cl) {
        GreenplumTarget built = GreenplumTarget.builder().jdbcUrl(db.url(cl), db.user, db.password(cl)).schemaMapping(mapping.mapping(cl)).build();
        try (GreenplumTarget target = built) {
            GreenplumTarget.RetryResult r = target.retryDeadLetters(pipeline);
            cl.getOut().printf(Locale.ROOT, "retried=%d applied=%d still_failing=%d%n", r.retried(), r.applied(), r.stillFailing());
            cl.getOut().flush();
            if (r.stillFailing() > 0) {
                cl.getErr().printf(Locale.ROOT, "%d dead letter(s) stay; greenwell dead-letters list shows why%n", r.stillFailing());
                cl.getErr().flush();
            }
            return 0;
        }
    }

    private int list(CommandLine cl) throws SQLException {
        PrintWriter out = cl.getOut();
        try (Connection c = db.connect(cl);
                PreparedStatement ps = c.prepareStatement("SELECT failed_at, pipeline, stream, \"offset\", table_name, key, sqlstate, error"
                        + " FROM greenwell.dead_letter WHERE ? IS NULL OR pipeline = ? ORDER BY failed_at, stream, \"offset\"")) {
            ps.setString(1, pipeline);
            ps.setString(2, pipeline);
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                out.println("failed_at\tpipeline\tstream\toffset\ttable\tkey\tsqlstate\terror");
                while (rs.next()) {
                    n++;
                    String error = rs.getString(8).replace('\n', ' ');
                    out.printf(Locale.ROOT, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%n", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), error.length() > 300 ? error.substring(0, 300) + "..." : error);
                }
            }
            cl.getErr().printf(Locale.ROOT, "%d dead letter(s)%n", n);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                cl.getErr().println("no dead letters: the greenwell schema has no dead_letter table in this database");
                return 1;
            }
            throw e;
        }
        return 0;
    }
}
