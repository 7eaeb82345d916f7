package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code greenwell rabbitmq}'s options, without a broker: a config file, and bad usage (status 2). */
class RabbitCommandTest {

    @TempDir
    Path dir;

    @Test
    void optionsComeFromAConfigFileAndTheCommandLineOverridesThem() throws IOException {
        Path f = dir.resolve("greenwell.properties");
        Files.writeString(f, "uri=amqp://u:p@rabbit:5672/cdc\nqueue=maxwell-greenwell\nstream=true\ndeclare=true\n"
                + "queue-argument=x-max-length-bytes=20000000000, x-stream-max-segment-size-bytes=100000000\njdbc-url=jdbc:postgresql://h/db\n");
        CommandLine cl = Greenwell.commandLine();
        cl.parseArgs("rabbitmq", "--config", f.toString(), "--queue", "other");
        RabbitCommand r = cl.getSubcommands().get("rabbitmq").getCommand();
        assertThat(r.uri).isEqualTo("amqp://u:p@rabbit:5672/cdc");
        assertThat(r.queue).isEqualTo("other");
        assertThat(r.stream).isTrue();
        assertThat(r.declare).isTrue();
        assertThat(r.exchange).isEqualTo("maxwell");
        assertThat(r.bindingKey).isEqualTo("#");
        assertThat(r.queueArguments).containsExactly("x-max-length-bytes=20000000000", "x-stream-max-segment-size-bytes=100000000");
    }

    @Test
    void badUsageIsStatusTwoAndNamesTheProblem() {
        Cli.Result r = Cli.run("rabbitmq", "--queue", "q", "--jdbc-url", "jdbc:postgresql://h/db");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--uri");
        r = Cli.run("rabbitmq", "--uri", "amqp://h", "--queue", "q", "--stream", "--quorum", "--jdbc-url", "jdbc:postgresql://h/db");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--stream and --quorum exclude each other");
        r = Cli.run("rabbitmq", "--uri", "amqp://h", "--queue", "q", "--start", "middle", "--jdbc-url", "jdbc:postgresql://h/db");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--start is first, last or next, not middle");
        r = Cli.run("rabbitmq", "--uri", "http://u:secret@h", "--queue", "q", "--jdbc-url", "jdbc:postgresql://h/db");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("amqp://").doesNotContain("secret");
        r = Cli.run("rabbitmq", "--uri", "amqp://h", "--queue", "q", "--prefetch", "0", "--jdbc-url", "jdbc:postgresql://h/db");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("prefetch");
        r = Cli.run("rabbitmq", "--uri", "amqp://h", "--queue", "q", "--stream-uri", "amqp://u:secret@h:5552", "--jdbc-url", "jdbc:postgresql://h/db");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("rabbitmq-stream://").doesNotContain("secret");
        r = Cli.run("rabbitmq", "--uri", "amqp://h", "--queue", "q", "--stream-uri", "rabbitmq-stream://h:5552", "--quorum",
                "--jdbc-url", "jdbc:postgresql://h/db");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--stream and --quorum exclude each other");
        r = Cli.run("rabbitmq", "--uri", "amqp://h", "--queue", "q", "--stream-uri", "rabbitmq-stream://h:5552", "--credits", "0",
                "--jdbc-url", "jdbc:postgresql://h/db");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("credits are 1 to 1000, not 0");
        r = Cli.run("rabbitmq", "--uri", "amqp://h", "--queue", "q", "--stream", "--credits", "8", "--jdbc-url", "jdbc:postgresql://h/db");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--credits is for --stream-uri");
    }
}
