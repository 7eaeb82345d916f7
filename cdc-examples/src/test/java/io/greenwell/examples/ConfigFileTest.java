package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --config FILE} and {@code --help} without a database: parsing, bad files, bad values. */
class ConfigFileTest {

    @TempDir
    Path dir;

    private Path config(String... lines) throws IOException {
        Path f = Files.createTempFile(dir, "greenwell", ".properties");
        Files.write(f, List.of(lines));
        return f;
    }

    /** @return every command below the root, as the words that name it */
    private static List<List<String>> commands(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(path);
        for (CommandLine sub : new LinkedHashSet<>(cl.getSubcommands().values())) {
            List<String> p = new ArrayList<>(path);
            p.add(sub.getCommandName());
            commands(sub, p, out);
        }
        return out;
    }

    @Test
    void everyCommandHasHelpAndConfig() {
        List<List<String>> all = commands(Greenwell.commandLine(), List.of(), new ArrayList<>());
        assertThat(all).contains(List.of(), List.of("demo"), List.of("replay"), List.of("kafka"), List.of("rabbitmq"), List.of("checkpoint"), List.of("dead-letters"));
        for (List<String> command : all) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertThat(r.status()).as("%s: %s", args, r.err()).isZero();
            assertThat(r.out()).as("%s", args).startsWith(("Usage: greenwell " + String.join(" ", command)).strip() + " ")
                    .contains("--config=FILE").contains("-h, --help");
        }
        for (String[] args : new String[][] {{"checkpoint", "show", "--help"}, {"checkpoint", "reset", "--help"}, {"dead-letters", "list", "--help"}}) {
            Cli.Result r = Cli.run(args);
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("Usage: greenwell " + args[0] + " ");
        }
    }

    @Test
    void repeatableOptionsTakeCommaSeparatedListsAndTheCommandLineReplacesThem() throws IOException {
        Path f = config("topic=orders, customers", "include=shop.*,crm",
                "consumer-property=security.protocol=SASL_SSL, ssl.enabled.protocols=TLSv1.2,TLSv1.3");
        CommandLine cl = Greenwell.commandLine();
        cl.parseArgs("kafka", "--config", f.toString(), "--bootstrap-servers", "b:9092", "--group", "g", "--jdbc-url", "jdbc:postgresql://h/db");
        KafkaCommand k = cl.getSubcommands().get("kafka").getCommand();
        assertThat(k.topics).containsExactly("orders", "customers");
        assertThat(k.options.mapping.includes).containsExactly("shop.*", "crm");
        assertThat(k.consumerProperties).containsExactly("security.protocol=SASL_SSL", "ssl.enabled.protocols=TLSv1.2,TLSv1.3");
        assertThat(k.options.mapping.excludes).isEmpty();

        cl = Greenwell.commandLine();
        cl.parseArgs("kafka", "--config", f.toString(), "--bootstrap-servers", "b:9092", "--group", "g", "--jdbc-url", "jdbc:postgresql://h/db",
                "--topic", "t1", "--consumer-property", "ssl.enabled.protocols=TLSv1.3,TLSv1.2");
        k = cl.getSubcommands().get("kafka").getCommand();
        assertThat(k.topics).containsExactly("t1");
        assertThat(k.consumerProperties).containsExactly("ssl.enabled.protocols=TLSv1.3,TLSv1.2");
        assertThat(k.options.mapping.includes).containsExactly("shop.*", "crm");
    }

    @Test
    void aKeyOfAnotherCommandIsIgnored() throws IOException {
        Path f = config("bootstrap-servers=b:9092", "group=g", "jdbc-url=jdbc:postgresql://h/db", "pipeline=orders", "stream=s");
        CommandLine cl = Greenwell.commandLine();
        cl.parseArgs("replay", "--config", f.toString(), "--input", "in.jsonl");
        ReplayCommand r = cl.getSubcommands().get("replay").getCommand();
        assertThat(r.options.database.jdbcUrl).isEqualTo("jdbc:postgresql://h/db");
        assertThat(r.options.pipeline).isEqualTo("orders");
    }

    @Test
    void theCommandLineUndoesQuietOfTheFile() throws IOException {
        Path f = config("jdbc-url=jdbc:postgresql://h/db", "quiet=true");
        Map<List<String>, Boolean> quiet = Map.of(List.of(), true, List.of("--quiet=false"), false, List.of("--quiet", "false"), false,
                List.of("--quiet"), true);
        quiet.forEach((args, expected) -> {
            List<String> all = new ArrayList<>(List.of("replay", "--config", f.toString()));
            all.addAll(args);
            all.addAll(List.of("--input", "in.jsonl"));
            CommandLine cl = Greenwell.commandLine();
            cl.parseArgs(all.toArray(String[]::new));
            ReplayCommand r = cl.getSubcommands().get("replay").getCommand();
            assertThat(r.options.quiet).as("%s", all).isEqualTo(expected);
            assertThat(r.input).isEqualTo("in.jsonl");
        });
    }

    @Test
    void anUnknownKeyIsBadUsageNamingTheKeyAndTheFile() throws IOException {
        Path f = config("jdbc-url=jdbc:postgresql://h/db", "batch-event=5");
        Cli.Result r = Cli.run("replay", "--config", f.toString(), "--input", "in.jsonl");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("config file " + f + ": unknown key 'batch-event'");
        Path nested = config("config=other.properties");
        assertThat(Cli.run("demo", "--config", nested.toString()).err()).contains("config file " + nested + ": unknown key 'config'");
    }

    @Test
    void aMissingFileIsBadUsageNamingTheFile() {
        Path f = dir.resolve("missing.properties");
        Cli.Result r = Cli.run("checkpoint", "show", "--config", f.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("cannot read config file " + f + ": no such file");
    }

    @Test
    void aBadValueIsBadUsageNamingTheKeyAndTheFile() throws IOException {
        Path input = Files.createFile(dir.resolve("in.jsonl"));
        Path notANumber = config("jdbc-url=jdbc:postgresql://h/db", "batch-events=many");
        Cli.Result r = Cli.run("replay", "--config", notANumber.toString(), "--input", input.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("Invalid value for option '--batch-events': 'many' is not an int (key batch-events of config file " + notANumber + ")");

        Path zero = config("jdbc-url=jdbc:postgresql://h/db", "batch-events=0");
        r = Cli.run("replay", "--config", zero.toString(), "--input", input.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("--batch-events must be at least 1 (key batch-events of config file " + zero + ")");
        r = Cli.run("replay", "--config", zero.toString(), "--input", input.toString(), "--batch-events", "-1");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("--batch-events must be at least 1" + System.lineSeparator());

        Path empty = config("jdbc-url=jdbc:postgresql://h/db", "pipeline=  ");
        r = Cli.run("replay", "--config", empty.toString(), "--input", input.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("config file " + empty + ": key 'pipeline' has no value");
    }

    @Test
    void aRequiredOptionInNeitherTheFileNorTheCommandLineIsBadUsage() throws IOException {
        Path f = config("pipeline=orders", "bootstrap-servers=b:9092", "topic=t");
        Cli.Result r = Cli.run("replay", "--config", f.toString(), "--input", "in.jsonl");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("Missing required option: '--jdbc-url=URL'");
        r = Cli.run("kafka", "--config", f.toString(), "--jdbc-url", "jdbc:postgresql://h/db");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("Missing required option: '--group=G'");
    }
}
