package io.greenwell.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the command line in this JVM and keeps what it printed. */
final class Cli {

    record Result(int status, String out, String err) {
        /** @return the last line of standard output */
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private Cli() {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Greenwell.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Writes a test resource to a file, for --input. */
    static Path file(Path dir, String resource) throws IOException {
        Path f = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        try (var in = Cli.class.getResourceAsStream(resource)) {
            Files.copy(in, f);
        }
        return f;
    }
}
