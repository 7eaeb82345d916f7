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

/** {@code greenwell checkpoint show|reset}: where pipelines stand, and starting one over. */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "show: where each stream of a pipeline stands. reset: forget it, so the next run starts the streams over.")
final class CheckpointCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "show|reset", description = "show or reset")
    String action;

    @CommandLine.Mixin
    DatabaseOptions db;

    @Option(names = "--pipeline", paramLabel = "NAME", description = "the pipeline (show: all when not given; reset: required)")
    String pipeline;

    @Option(names = "--stream", paramLabel = "S", description = "reset only this stream")
    String stream;

    @Override
    public Integer call() throws SQLException {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut();
        if (!action.equals("show") && !action.equals("reset")) {
            throw new CommandLine.ParameterException(cl, "checkpoint show or checkpoint reset, not " + action);
        }
        // a reset replays the streams from their start: its pipeline is named on the command line,
        // never taken from a config file that other commands share
        if (action.equals("reset") && !cl.getParseResult().hasMatchedOption("--pipeline")) {
            throw new CommandLine.ParameterException(cl, "checkpoint reset needs --pipeline on the command line");
        }
        try (Connection c = db.connect(cl)) {
            if (action.equals("show")) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pipeline, stream, \"offset\", position, updated_at FROM greenwell.checkpoint"
                        + " WHERE ? IS NULL OR pipeline = ? ORDER BY pipeline, stream")) {
                    ps.setString(1, pipeline);
                    ps.setString(2, pipeline);
                    try (ResultSet rs = ps.executeQuery()) {
                        out.println("pipeline\tstream\toffset\tupdated_at\tposition");
                        while (rs.next()) {
                            out.printf(Locale.ROOT, "%s\t%s\t%d\t%s\t%s%n", rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(5),
                                    rs.getString(4));
                        }
                    }
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM greenwell.checkpoint WHERE pipeline = ? AND (? IS NULL OR stream = ?)")) {
                    ps.setString(1, pipeline);
                    ps.setString(2, stream);
                    ps.setString(3, stream);
                    out.printf(Locale.ROOT, "reset %d checkpoint(s) of pipeline %s%n", ps.executeUpdate(), pipeline);
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                cl.getErr().println("no checkpoints: the greenwell schema has no checkpoint table in this database");
                return 1;
            }
            throw e;
        }
        return 0;
    }
}
