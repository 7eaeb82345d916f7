package io.greenwell.cdc;

import java.nio.charset.StandardCharsets;

/**
 * A record could not be turned into a change event. It names where the record came from (the
 * stream and offset that the caller gave the decoder) and quotes a bounded snippet of its bytes,
 * so that a dead letter or a log line is enough to find the record again.
 */
public class DecodeException extends CdcException {

    /** The longest snippet of input that a message quotes, in bytes. */
    public static final int MAX_SNIPPET_BYTES = 200;

    private final String stream;
    private final long offset;
    private final String reason;
    private final String snippet;

    /**
     * Creates the exception.
     *
     * @param reason what is wrong with the record, never null
     * @param stream the stream the record came from, may be null when unknown
     * @param offset the record's offset in its stream, or -1 when unknown
     * @param snippet the quoted start of the record, never null (may be empty)
     * @param cause the underlying parse failure, may be null
     */
    public DecodeException(String reason, String stream, long offset, String snippet, Throwable cause) {
        super(format(reason, stream, offset, snippet), cause);
        this.reason = reason;
        this.stream = stream;
        this.offset = offset;
        this.snippet = snippet;
    }

    /**
     * Creates the exception, quoting at most {@link #MAX_SNIPPET_BYTES} of the given input.
     *
     * @param reason what is wrong with the record, never null
     * @param stream the stream the record came from, may be null
     * @param offset the record's offset in its stream, or -1
     * @param input the bytes of the record, may be null
     * @param off where the record starts in {@code input}
     * @param len the record's length
     * @param cause the underlying failure, may be null
     * @return the exception, never null
     */
    public static DecodeException of(
            String reason, String stream, long offset, byte[] input, int off, int len, Throwable cause) {
        return new DecodeException(reason, stream, offset, snippet(input, off, len), cause);
    }

    /** @return the stream the record came from, or null when the caller gave none */
    public String stream() {
        return stream;
    }

    /** @return the record's offset in its stream, or -1 when the caller gave none */
    public long offset() {
        return offset;
    }

    /** @return what is wrong with the record, without the location; never null */
    public String reason() {
        return reason;
    }

    /** @return the quoted start of the record, control characters escaped; never null */
    public String snippet() {
        return snippet;
    }

    /**
     * Renders the start of some input for a message: at most {@link #MAX_SNIPPET_BYTES} bytes and
     * about as many characters, invalid UTF-8 shown as U+FFFD, control characters escaped, an
     * ellipsis when cut.
     *
     * @param input the bytes, may be null
     * @param off the start
     * @param len the length
     * @return the snippet, never null
     */
    public static String snippet(byte[] input, int off, int len) {
        if (input == null || len <= 0) {
            return "";
        }
        int n = Math.min(len, MAX_SNIPPET_BYTES);
        String text = new String(input, off, n, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(text.length() + 8);
        boolean cut = n < len;
        for (int i = 0; i < text.length(); i++) {
            if (sb.length() >= MAX_SNIPPET_BYTES) {
                cut = true; // escapes made it longer than the bytes it quotes
                break;
            }
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (cut) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static String format(String reason, String stream, long offset, String snippet) {
        StringBuilder sb = new StringBuilder(reason.length() + snippet.length() + 64);
        sb.append(reason);
        sb.append(" (stream ").append(stream == null ? "unknown" : stream);
        sb.append(", offset ").append(offset < 0 ? "unknown" : Long.toString(offset)).append(')');
        if (!snippet.isEmpty()) {
            sb.append(": ").append(snippet);
        }
        return sb.toString();
    }
}
