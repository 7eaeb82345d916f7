package io.greenwell.examples;

import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.pipeline.BatchReport;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.source.FileSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code greenwell demo}: starts an embedded PostgreSQL, replays two bundled streams that
 * Maxwell 1.44.1 wrote while workloads ran on MariaDB (the Spring Music {@code music.album} session
 * with its DDL, and a {@code types} database with a table per MySQL type family), prints progress,
 * the replicated {@code music.album} table and the stats. Needs nothing but Java.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Replays bundled Maxwell streams into an embedded PostgreSQL and shows the result. Needs nothing but Java.",
            "With --live: a private MariaDB with the binlog on, the Spring Music session run against it while the binlog source keeps"
                + " an embedded PostgreSQL in step, and both sides compared; needs Java and the MariaDB server binaries."})
final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--live", description = "run the changes live against a private MariaDB, read from its binlog")
    boolean live;

    @CommandLine.Option(names = "--mariadbd", paramLabel = "PATH", description = "with --live: the MariaDB server binary (default: found on the PATH)")
    Path mariadbd;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (live) {
            return new LiveDemo(out, err).run(mariadbd);
        }
        Path dir = Files.createTempDirectory("greenwell-demo");
        err.println("greenwell demo: starting an embedded PostgreSQL ...");
        err.flush();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pgdata")).setCleanDataDirectory(true).start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            long events = 0;
            long net = 0;
            long nanos = 0;
            for (String stream : new String[] {"music", "types"}) {
                Path file = dir.resolve(stream + ".maxwell.jsonl");
                try (InputStream in = DemoCommand.class.getResourceAsStream("/demo/" + stream + ".maxwell.jsonl")) {
                    Files.copy(in, file);
                }
                try (FileSource source = FileSource.of(file); GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(url).build()) {
                    RunSummary s = CdcPipeline.builder().name("demo").source(source).target(target)
                            .listener((BatchReport r) -> {
                                err.printf(Locale.ROOT, "greenwell demo: %s: batch of %d events, %d net changes, %d dead letters%n", stream,
                                        r.events(), r.netChanges(), r.deadLetters());
                                err.flush();
                            })
                            .build().run();
                    events += s.events();
                    net += s.netChanges();
                    nanos += s.nanos();
                    out.printf(Locale.ROOT, "%s: %s%n", stream, Runs.summary(s));
                }
            }
            out.println();
            out.println("music.album, replicated:");
            printAlbums(out, url);
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'types'")) {
                rs.next();
                out.printf(Locale.ROOT, "%ntypes: %d tables, one per MySQL type family, with exact values (see schema types)%n", rs.getInt(1));
            }
            out.printf(Locale.ROOT, "%nevents=%d net_changes=%d compaction_ratio=%.2f seconds=%.3f%n", events, net,
                    net == 0 ? 0.0 : (double) events / net, nanos / 1e9);
            out.flush();
        }
        return 0;
    }

    /** Prints the target's {@code music.album}, one album a line. */
    static void printAlbums(PrintWriter out, String url) throws java.sql.SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT artist, title, release_year, genre, track_count FROM music.album ORDER BY artist, title")) {
            out.printf(Locale.ROOT, "  %-24s %-40s %-6s %-12s %s%n", "artist", "title", "year", "genre", "tracks");
            while (rs.next()) {
                out.printf(Locale.ROOT, "  %-24s %-40s %-6s %-12s %s%n", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5));
            }
        }
    }
}
