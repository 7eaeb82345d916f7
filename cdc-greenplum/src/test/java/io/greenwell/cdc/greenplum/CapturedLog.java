package io.greenwell.cdc.greenplum;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The log lines written while it is open, for tests that check what the target logged: the test
 * binding (slf4j-simple) writes to {@code System.err} as it finds it at each line, so while this
 * is open {@code System.err} is a stream that passes everything on to the former one and keeps a
 * copy of each line. Not for tests that run in parallel with others.
 */
final class CapturedLog implements AutoCloseable {

    /** A transient failure the target retried: its SQLSTATE and message, as the target logs them. */
    record Retry(String sqlState, String message) {}

    private static final Pattern RETRY = Pattern.compile("transient failure \\(SQLSTATE ([^)]*)\\), retry \\d+ of \\d+ in \\d+ ms: (.*)");

    private final PrintStream former = System.err;
    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    CapturedLog() {
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (lines) {
                    former.write(b);
                    if (b == '\n') {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            }

            @Override
            public void flush() {
                former.flush();
            }
        }, true, StandardCharsets.UTF_8));
    }

    /** @return the whole lines logged so far, in order */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** @return the transient failures the target retried so far, in order */
    List<Retry> retries() {
        List<Retry> out = new ArrayList<>();
        for (String l : lines()) {
            Matcher m = RETRY.matcher(l);
            if (m.find()) {
                out.add(new Retry(m.group(1), m.group(2)));
            }
        }
        return out;
    }

    @Override
    public void close() {
        System.err.flush();
        System.setErr(former);
    }
}
