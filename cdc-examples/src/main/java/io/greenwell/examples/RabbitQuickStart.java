package io.greenwell.examples;

import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.rabbitmq.RabbitSource;
import java.util.function.Consumer;

/** The README's RabbitMQ quick start: Maxwell's RabbitMQ producer into PostgreSQL, exactly once over a stream queue. */
public final class RabbitQuickStart {

    private RabbitQuickStart() {}

    /**
     * Runs until SIGINT or SIGTERM.
     *
     * @param args the broker's URI, the queue and a JDBC URL
     */
    public static void main(String[] args) {
        RunSummary s = run(args[0], args[1], args[2], p -> Runtime.getRuntime().addShutdownHook(new Thread(p::stop)));
        System.out.println(s.applied() + " applied, " + s.duplicates() + " duplicates, " + s.deadLetters() + " dead letters");
    }

    /**
     * @param started given the pipeline before it runs, to stop it from another thread
     * @return the run's summary, once stopped
     */
    static RunSummary run(String uri, String queue, String jdbcUrl, Consumer<CdcPipeline> started) {
        try (RabbitSource source = RabbitSource.builder()
                        .uri(uri)                                     // amqps:// for TLS
                        .queue(queue)
                        .queueType(RabbitSource.QueueType.STREAM)     // exactly once, by stream offset
                        .declare(true)                                // declare it, bind it to "maxwell"
                        .build();
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(jdbcUrl).build()) {
            CdcPipeline p = CdcPipeline.builder().name("orders").source(source).target(target).build();
            started.accept(p);
            return p.run();                                           // until p.stop()
        }
    }
}
