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
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), Greenwell.class.getName()));
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
