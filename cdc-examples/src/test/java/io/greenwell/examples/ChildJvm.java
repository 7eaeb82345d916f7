package io.greenwell.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line in a child JVM of its own, with its output in files, so that it can be killed. */
final class ChildJvm {

    private ChildJvm() {}

    static Process start(Path dir, int run, String... args) throws IOException {
        return start(dir, run, List.of("-cp", System.getProperty("java.class.path"), Greenwell.class.getName()), args);
    }

    /** Starts {@code java -jar target/greenwell.jar} with the arguments, as {@link #start(Path, int, String...)} does: the packaged command. */
    static Process startJar(Path dir, int run, String... args) throws IOException {
        Path jar = Path.of("target", "greenwell.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no " + jar.toAbsolutePath() + ": the package phase builds it before the integration tests");
        }
        return start(dir, run, List.of("-jar", jar.toString()), args);
    }

    private static Process start(Path dir, int run, List<String> what, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        cmd.addAll(what);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(dir.resolve("out-" + run + ".txt").toFile());
        pb.redirectError(dir.resolve("err-" + run + ".txt").toFile());
        Process p = pb.start();
        // a test that fails or times out must not leave its child running
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return p;
    }

    static String err(Path dir, int run) throws IOException {
        return Files.readString(dir.resolve("err-" + run + ".txt"));
    }

    static String lastLine(Path dir, int run) throws IOException {
        String out = Files.readString(dir.resolve("out-" + run + ".txt")).strip();
        return out.substring(out.lastIndexOf('\n') + 1);
    }
}
