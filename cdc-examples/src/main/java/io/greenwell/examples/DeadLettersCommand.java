package io.greenwell.examples;

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

/** {@code greenwell dead-letters list}: the events a pipeline could not apply, and why. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "list: the events that went to the dead letters, with their stream, offset, table, key and error.")
final class DeadLettersCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "list", description = "list")
    String action;

    @CommandLine.Mixin
    DatabaseOptions db;

    @Option(names = "--pipeline", paramLabel = "NAME", description = "only this pipeline's")
    String pipeline;

    @Override
    public Integer call() throws SQLException {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut();
        if (!action.equals("list")) {
            throw new CommandLine.ParameterException(cl, "dead-letters list, not " + action);
        }
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
