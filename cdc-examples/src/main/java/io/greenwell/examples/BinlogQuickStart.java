package io.greenwell.examples;

import io.greenwell.cdc.binlog.BinlogSource;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import java.util.List;
import java.util.function.Consumer;

/** The README's binlog quick start: a MySQL or MariaDB database into PostgreSQL or Greenplum, without Maxwell or Kafka. */
public final class BinlogQuickStart {

    private BinlogQuickStart() {}

    /**
     * Runs until SIGINT or SIGTERM; the password comes from {@code MYSQL_PASSWORD}.
     *
     * @param args the server's host, its port, the user, the database and a JDBC URL
     */
    public static void main(String[] args) {
        RunSummary s = run(args[0], Integer.parseInt(args[1]), args[2], System.getenv("MYSQL_PASSWORD"), args[3], args[4],
                p -> Runtime.getRuntime().addShutdownHook(new Thread(p::stop)));
        System.out.println(s.applied() + " applied, " + s.duplicates() + " duplicates, " + s.deadLetters() + " dead letters");
    }

    /**
     * @param started given the pipeline before it runs, to stop it from another thread
     * @return the run's summary, once stopped
     */
    static RunSummary run(String host, int port, String user, String password, String database, String jdbcUrl,
            Consumer<CdcPipeline> started) {
        try (BinlogSource source = BinlogSource.builder()
                        .host(host).port(port).user(user).password(password)
                        .serverId(4242)                               // unique among the server's replicas
                        .databases(List.of(database))                 // default: all but the server's own
                        .build();
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(jdbcUrl).build()) {
            CdcPipeline p = CdcPipeline.builder().name(database).source(source).target(target).build();
            started.accept(p);
            return p.run();                                           // until p.stop()
        }
    }
}
