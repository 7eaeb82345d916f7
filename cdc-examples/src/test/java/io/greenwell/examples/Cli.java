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

    /**
     * Runs the packaged command line, {@code java -jar target/greenwell.jar} in a process of its own, as a user runs it: what
     * the shaded jar leaves out (a JDBC driver, a service file) shows here, not with the test classpath.
     */
    static Result runJar(String... args) throws IOException, InterruptedException {
        Path jar = Path.of("target", "greenwell.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no " + jar.toAbsolutePath() + ": the package phase builds it before the integration tests");
        }
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(java.util.List.of(args));
        Path out = Files.createTempFile("greenwell-out", ".txt");
        Path err = Files.createTempFile("greenwell-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("java -jar greenwell.jar " + String.join(" ", args) + " did not end within 5 minutes");
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
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
