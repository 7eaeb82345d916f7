package io.greenwell.cdc.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.SourceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Maxwell records from a file or an {@link InputStream} (standard input): a stream of JSON values,
 * normally one per line, as Maxwell's file producer writes them. A record may span lines (Maxwell
 * writes the newlines of a MySQL JSON column's document as they are): a line whose braces do not
 * close continues on the next ones, as long as the lines together form one well-formed JSON value.
 * Otherwise the first line alone is the record (it fails to decode and goes to the dead letters)
 * and reading resumes on the next line. The offset of a record is the byte offset of its start;
 * the stream id is the file's absolute path, or the name given for an input stream.
 *
 * <p>{@link #seek} skips to the record after the checkpointed offset: a file is positioned there
 * directly, an input stream is read and skipped up to it. Single-threaded, like every source.
 */
public final class FileSource implements ChangeSource {

    /** A record spanning lines is given up after this many bytes, and its first line taken alone. */
    static final int MAX_SPAN_BYTES = 256 << 20;

    private static final JsonFactory JSON = new JsonFactory();
    private static final int POLL_RECORDS = 2048;

    private final String stream;
    private final Path path;
    private InputStream in;
    private LineReader lines;
    private final Deque<Line> lookahead = new ArrayDeque<>();
    private long skipThrough = -1;
    private boolean finished;
    private boolean paused;

    private FileSource(String stream, Path path, InputStream in) {
        this.stream = stream;
        this.path = path;
        this.in = in;
    }

    /**
     * @param file a file of Maxwell records, never null; it is opened on {@link #seek} or the first poll
     * @return a source whose stream id is the file's absolute path
     */
    public static FileSource of(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return new FileSource(abs.toString(), abs, null);
    }

    /**
     * @param in a stream of Maxwell records, never null; closed with the source
     * @param stream the stream id to report ({@code stdin} for standard input), never null
     * @return the source
     */
    public static FileSource of(InputStream in, String stream) {
        return new FileSource(Objects.requireNonNull(stream, "stream"), null, Objects.requireNonNull(in, "in"));
    }

    /** @return the stream id */
    public String stream() {
        return stream;
    }

    @Override
    public void open(Listener listener) {
        // a single stream, always assigned
    }

    @Override
    public void seek(Map<String, Long> lastApplied) {
        Long last = lastApplied.get(stream);
        if (lines != null) {
            long at = last == null ? -1 : last;
            if (at >= lines.offset()) {
                // ahead of what was read: skip up to it
                skipThrough = Math.max(skipThrough, at);
                return;
            }
            // behind what was read (records read but not applied were dropped): read them again
            if (path == null) {
                throw new CdcException("cannot go back in " + stream + " to offset " + at + ": an input stream is read once");
            }
            close();
            lines = null;
            lookahead.clear();
            finished = false;
        }
        try {
            long start = 0;
            if (path != null) {
                FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
                if (last != null && last >= 0 && last < ch.size()) {
                    ch.position(last);
                    start = last;
                }
                in = Channels.newInputStream(ch);
            }
            lines = new LineReader(in, start);
            skipThrough = last == null ? -1 : last;
        } catch (IOException e) {
            throw new CdcException("cannot open " + stream + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<SourceRecord> poll(Duration timeout) {
        if (lines == null) {
            seek(Map.of());
        }
        List<SourceRecord> out = new ArrayList<>();
        if (paused) {
            return out;
        }
        try {
            while (out.size() < POLL_RECORDS) {
                SourceRecord r = next();
                if (r == null) {
                    finished = true;
                    break;
                }
                if (r.offset() > skipThrough) {
                    out.add(r);
                }
            }
        } catch (IOException e) {
            throw new CdcException("cannot read " + stream + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public boolean isFinished() {
        return finished && lookahead.isEmpty();
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
    }

    @Override
    public void close() {
        try {
            if (in != null) {
                in.close();
            }
        } catch (IOException e) {
            // nothing left to read
        }
    }

    /** A line: its offset and bytes (without the line end), and where its braces stand. */
    private record Line(long offset, byte[] bytes) {}

    private Line line() throws IOException {
        return lookahead.isEmpty() ? lines.next() : lookahead.pollFirst();
    }

    private SourceRecord next() throws IOException {
        Line first;
        do {
            first = line();
            if (first == null) {
                return null;
            }
        } while (blank(first.bytes));
        Scan s = new Scan();
        s.feed(first.bytes);
        if (s.complete()) {
            return new SourceRecord(stream, first.offset, first.bytes);
        }
        // the value goes on: gather lines until its braces close, then check it is one JSON value
        List<Line> more = new ArrayList<>();
        long size = first.bytes.length;
        while (s.open() && size < MAX_SPAN_BYTES) {
            Line l = line();
            if (l == null) {
                break;
            }
            more.add(l);
            size += l.bytes.length + 1;
            s.feed(NEWLINE);
            s.feed(l.bytes);
        }
        if (s.complete()) {
            byte[] joined = join(first, more);
            if (wellFormed(joined)) {
                return new SourceRecord(stream, first.offset, joined);
            }
        }
        for (int i = more.size() - 1; i >= 0; i--) {
            lookahead.addFirst(more.get(i));
        }
        return new SourceRecord(stream, first.offset, first.bytes);
    }

    private static final byte[] NEWLINE = {'\n'};

    private static byte[] join(Line first, List<Line> more) {
        int n = first.bytes.length;
        for (Line l : more) {
            n += 1 + l.bytes.length;
        }
        byte[] out = Arrays.copyOf(first.bytes, n);
        int at = first.bytes.length;
        for (Line l : more) {
            out[at++] = '\n';
            System.arraycopy(l.bytes, 0, out, at, l.bytes.length);
            at += l.bytes.length;
        }
        return out;
    }

    private static boolean wellFormed(byte[] bytes) {
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean blank(byte[] b) {
        for (byte x : b) {
            if (x != ' ' && x != '\t' && x != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * Brace depth outside JSON strings. A line ending inside a string cannot continue (JSON
     * strings hold no raw newline), and neither can one whose braces went below zero.
     */
    private static final class Scan {
        int depth;
        boolean inString;
        boolean escaped;
        boolean broken;
        boolean structural;

        void feed(byte[] b) {
            for (byte x : b) {
                if (inString) {
                    if (escaped) {
                        escaped = false;
                    } else if (x == '\\') {
                        escaped = true;
                    } else if (x == '"') {
                        inString = false;
                    } else if (x == '\n') {
                        broken = true;
                    }
                } else if (x == '"') {
                    inString = true;
                } else if (x == '{' || x == '[') {
                    depth++;
                    structural = true;
                } else if (x == '}' || x == ']') {
                    depth--;
                    if (depth < 0) {
                        broken = true;
                    }
                }
            }
        }

        boolean open() {
            return depth > 0 && !broken;
        }

        boolean complete() {
            return depth <= 0 || broken || !structural;
        }
    }

    /** Lines of bytes with their offsets; a line ends at LF, a CR before it is dropped. */
    private static final class LineReader {
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int end;
        private long offset;
        private byte[] line = new byte[256];

        /** @return the offset of the next byte to read */
        long offset() {
            return offset;
        }

        LineReader(InputStream in, long start) {
            this.in = in;
            this.offset = start;
        }

        Line next() throws IOException {
            int n = 0;
            long start = offset;
            boolean any = false;
            while (true) {
                if (pos == end) {
                    end = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (end <= 0) {
                        end = 0;
                        if (!any) {
                            return null;
                        }
                        return new Line(start, trimCr(n));
                    }
                }
                any = true;
                int i = pos;
                while (i < end && buf[i] != '\n') {
                    i++;
                }
                int len = i - pos;
                if (n == 0 && i < end) {
                    // the whole line is in the buffer (the usual case): one copy
                    int cut = len > 0 && buf[i - 1] == '\r' ? len - 1 : len;
                    byte[] whole = Arrays.copyOfRange(buf, pos, pos + cut);
                    pos = i + 1;
                    offset += len + 1;
                    return new Line(start, whole);
                }
                if (n + len > line.length) {
                    line = Arrays.copyOf(line, Math.max(line.length * 2, n + len));
                }
                System.arraycopy(buf, pos, line, n, len);
                n += len;
                offset += len;
                if (i < end) {
                    pos = i + 1;
                    offset++;
                    return new Line(start, trimCr(n));
                }
                pos = end;
            }
        }

        private byte[] trimCr(int n) {
            if (n > 0 && line[n - 1] == '\r') {
                n--;
            }
            return Arrays.copyOf(line, n);
        }
    }
}
