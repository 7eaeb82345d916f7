package io.greenwell.cdc.greenplum;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;

/**
 * For tests that need a server a plain {@code mvn verify} may not have: whether a local port
 * answers, and how to abort a test that cannot run, so that a person running Maven sees it.
 */
public final class NotRun {

    private NotRun() {}

    /**
     * Aborts the calling test (reported as skipped) with a reason, printed as one line starting
     * {@code NOT RUN:} where a person running Maven sees it (the forked JVM's standard error, not
     * the redirected test output), naming the test method.
     *
     * @param helper the test helper that decided, whose frames are passed over to find the test
     * @param why why the test does not run
     */
    public static void abort(Class<?> helper, String why) {
        StackTraceElement caller = StackWalker.getInstance().walk(s -> s.filter(
                f -> !f.getClassName().equals(NotRun.class.getName()) && !f.getClassName().equals(helper.getName())).findFirst())
                .map(StackWalker.StackFrame::toStackTraceElement).orElse(null);
        String line = report(caller == null ? null : caller.getClassName().substring(caller.getClassName().lastIndexOf('.') + 1) + "."
                + caller.getMethodName(), why);
        Assumptions.abort(line);
    }

    /**
     * Prints why a test does not run, as {@link #abort} does, for a test that is skipped another
     * way (a JUnit condition that disables it).
     *
     * @param test the test, as {@code Class} or {@code Class.method}; null to name none
     * @param why why it does not run
     * @return the line printed: {@code NOT RUN: test: why}
     */
    public static String report(String test, String why) {
        String line = "NOT RUN: " + (test == null ? "" : test + ": ") + why;
        @SuppressWarnings("resource") // the process's own standard error stays open
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        err.println(line);
        System.out.println(line);
        return line;
    }

    /** @return true when something accepts a TCP connection at the address within a second */
    public static boolean answers(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
