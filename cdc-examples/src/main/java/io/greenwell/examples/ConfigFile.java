package io.greenwell.examples;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: option values from a Java properties file (UTF-8), handed to picocli as
 * default values, so that the command line overrides them.
 *
 * <p>A key is an option's long name without the dashes: {@code jdbc-url=...}, {@code batch-events=1000},
 * {@code quiet=true}. A repeatable option takes a comma-separated list, which an occurrence of the
 * option on the command line replaces. Values are trimmed and may not be empty; picocli expands
 * {@code ${env:VAR}} in them, as in any default value. A key that some greenwell command has is
 * accepted, and ignored by the commands that do not have it, so one file can serve {@code kafka}
 * and {@code checkpoint show}; any other key, a file that cannot be read and a bad value are bad
 * usage, with the file and the key named.
 *
 * <p>Picocli asks for the default value of each option that the command line leaves out once it has
 * parsed the command's arguments, so {@code --config} is known by then wherever it stands, and a
 * value from the file satisfies a required option.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {

    private final CommandLine root;
    private final Supplier<Path> file;
    private Path read;
    private Map<String, String> values;
    /** The options that took their value from the file, to name it when the value is bad. */
    private final Set<ArgSpec> given = new HashSet<>();

    /**
     * @param root the whole command tree: a key is known when one of its commands has the option
     * @param file the {@code --config} given, or null
     */
    ConfigFile(CommandLine root, Supplier<Path> file) {
        this.root = root;
        this.file = file;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        Path f = file.get();
        if (f == null || !arg.isOption()) {
            return null;
        }
        String value = values(f, arg.command().commandLine()).get(key((OptionSpec) arg));
        if (value != null) {
            given.add(arg);
        }
        return value;
    }

    /**
     * @return the handler, with the message of a bad value that came from the file naming the key
     *     and the file
     */
    CommandLine.IParameterExceptionHandler namingTheFile(CommandLine.IParameterExceptionHandler handler) {
        return (e, args) -> {
            if (e.getArgSpec() instanceof OptionSpec o && given.contains(o)) {
                e = new CommandLine.ParameterException(e.getCommandLine(),
                        e.getMessage() + " (key " + key(o) + " of config file " + read + ")", e, o, e.getValue());
            }
            return handler.handleParseException(e, args);
        };
    }

    /**
     * A bad value of an option, found by a command after parsing; thrown, it is bad usage (status 2),
     * and when the value came from the config file the message names the file and the key.
     */
    static CommandLine.ParameterException badValue(CommandLine cl, String option, String value, String message) {
        return new CommandLine.ParameterException(cl, message, cl.getCommandSpec().findOption(option), value);
    }

    private Map<String, String> values(Path f, CommandLine cl) {
        if (f.equals(read)) {
            return values;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "cannot read config file " + f + ": " + reason(e));
        }
        Set<String> known = new HashSet<>();
        addKeys(root, known);
        Map<String, String> out = new HashMap<>();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            if (!known.contains(key)) {
                throw new CommandLine.ParameterException(cl, "config file " + f + ": unknown key '" + key + "' (no greenwell command has --" + key + ")");
            }
            String value = p.getProperty(key).strip();
            if (value.isEmpty()) {
                throw new CommandLine.ParameterException(cl, "config file " + f + ": key '" + key + "' has no value");
            }
            out.put(key, value);
        }
        read = f;
        values = out;
        return out;
    }

    /** Adds the keys of the options of the command and its subcommands; --help, --version and --config are no keys. */
    private static void addKeys(CommandLine cl, Set<String> keys) {
        for (OptionSpec o : cl.getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp() && !o.longestName().equals("--config")) {
                keys.add(key(o));
            }
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            addKeys(sub, keys);
        }
    }

    private static String key(OptionSpec o) {
        return o.longestName().replaceFirst("^-+", "");
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8";
        }
        return e.getMessage();
    }
}
