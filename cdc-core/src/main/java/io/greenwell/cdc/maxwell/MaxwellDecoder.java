package io.greenwell.cdc.maxwell;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.greenwell.cdc.DecodeException;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.spi.RecordDecoder;
import java.util.Arrays;
import java.util.List;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns one Maxwell's Daemon JSON record into one {@link ChangeEvent}: every row, bootstrap and
 * DDL type, every top-level field in both naming strategies ({@code server_id} and
 * {@code serverId}), the {@code encrypt=data} and {@code encrypt=all} envelopes, and exact values
 * (numbers and embedded JSON keep their text).
 *
 * <p>It reads with Jackson's streaming parser and builds no JSON tree. It is immutable and
 * thread-safe; one instance serves any number of threads.
 *
 * <p>A record that is not a valid Maxwell message (bad or truncated JSON, trailing bytes, a root
 * that is not an object, invalid UTF-8, a required field missing or of the wrong JSON type, an
 * unknown {@code type}, an envelope that does not decrypt) raises a {@link DecodeException} naming
 * the stream and offset the caller gave and quoting the start of the record. Nothing else is
 * thrown, and no half-filled event is returned.
 *
 * <pre>{@code
 * MaxwellDecoder decoder = MaxwellDecoder.create();
 * ChangeEvent event = decoder.decode(bytes, "orders-0", 42L);
 * }</pre>
 */
public final class MaxwellDecoder implements RecordDecoder {

    /** The longest string value accepted, in characters (a MySQL LONGTEXT can be 4 GiB). */
    static final int MAX_STRING_LENGTH = 512 * 1024 * 1024;

    private final JsonFactory json;
    private final SecretKeySpec key;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /**
     * Strings seen in the previous records (database, table, type, binlog file), reused when the
     * next record repeats them so that equal names are usually identical instances. Racy by
     * design: a slot holds an immutable String, and a lost update only costs an allocation.
     */
    private final String[] recent = new String[Scratch.RECENT_SLOTS];

    private MaxwellDecoder(Builder b) {
        this.json = new JsonFactoryBuilder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(MAX_STRING_LENGTH)
                        .maxNumberLength(100_000)
                        .build())
                .build();
        this.key = b.secretKey == null ? null : new SecretKeySpec(b.secretKey.getBytes(StandardCharsets.UTF_8), "AES");
    }

    /** @return a decoder for unencrypted streams, never null */
    public static MaxwellDecoder create() {
        return builder().build();
    }

    /** @return a builder; never null, methods can be chained */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Decodes a whole array as one record, without a known origin. The array must not change
     * afterwards, as for {@link #decode(byte[], String, long)}.
     *
     * @param record the record's bytes (UTF-8 JSON), never null
     * @return the event, never null
     * @throws DecodeException when the record is not a valid Maxwell message
     */
    public ChangeEvent decode(byte[] record) {
        return decode(record, 0, record.length, null, -1);
    }

    /**
     * Decodes a whole array as one record. The event's rows read their values from the array when
     * they are first asked for, so it must not change afterwards (sources hand out a fresh array per
     * record).
     *
     * @param record the record's bytes (UTF-8 JSON), never null
     * @param stream where the record came from, for messages; may be null
     * @param offset the record's offset in its stream, for messages; -1 when unknown
     * @return the event, never null
     * @throws DecodeException when the record is not a valid Maxwell message
     */
    @Override
    public ChangeEvent decode(byte[] record, String stream, long offset) {
        return decode(record, 0, record.length, stream, offset);
    }

    /**
     * Decodes the record held in {@code buf[off, off + len)}. The event's rows read their values
     * from that range when they are first asked for, so it must not change while the event is in
     * use; copy the record first to reuse the buffer.
     *
     * @param buf the buffer, never null
     * @param off where the record starts
     * @param len the record's length in bytes
     * @param stream where the record came from, for messages; may be null
     * @param offset the record's offset in its stream, for messages; -1 when unknown
     * @return the event, never null
     * @throws DecodeException when the record is not a valid Maxwell message
     * @throws IndexOutOfBoundsException when {@code off} and {@code len} are outside {@code buf}
     */
    @Override
    public ChangeEvent decode(byte[] buf, int off, int len, String stream, long offset) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        ChangeEvent fast;
        try {
            fast = new MaxwellRecordParser(this, buf, off, len, stream, offset).parseFast();
        } catch (RuntimeException e) {
            fast = null; // defence in depth: Jackson reads the record and decides
        }
        if (fast != null) {
            return fast;
        }
        return decodeWithJackson(buf, off, len, stream, offset);
    }

    /** Decodes without the fast path: the reference the fast path is tested against. */
    ChangeEvent decodeWithJackson(byte[] buf, int off, int len, String stream, long offset) {
        try {
            return new MaxwellRecordParser(this, buf, off, len, stream, offset).parseRecord();
        } catch (DecodeException e) {
            throw e;
        } catch (IOException e) {
            // Jackson's JsonProcessingException (syntax, truncation, constraints) is an IOException.
            throw DecodeException.of(firstLine(e.getMessage()), stream, offset, buf, off, len, e);
        } catch (RuntimeException e) {
            // Defence in depth: no other exception type may escape for any input.
            throw DecodeException.of("cannot decode: " + e, stream, offset, buf, off, len, e);
        }
    }

    JsonParser parser(byte[] buf, int off, int len) throws IOException {
        return json.createParser(buf, off, len);
    }

    SecretKeySpec key() {
        return key;
    }

    Scratch scratch() {
        return scratch.get();
    }

    String[] recent() {
        return recent;
    }

    /**
     * Per-thread buffers for building rows: column names and value starts are collected here and
     * copied once at the exact size. Duplicate column names are found ({@link Scratch#addColumn})
     * with a 256-bit filter over the names' hash codes (names are interned, so a real duplicate is
     * the same instance), so the exact scan runs only on a filter hit instead of for every column.
     */
    static final class Scratch {
        static final int RECENT_SLOTS = 4;
        /** The columns of the row being read: their names and where their values start. */
        String[] names = new String[64];
        int[] starts = new int[64];
        int columns;
        private final long[] filter = new long[4];
        /** The names arrays of the last rows, shared by the next row when it has the same columns. */
        final String[][] recentNames = {new String[0], new String[0]};
        /** The slot of {@link #recentNames} the next new names array replaces. */
        int nextRecentNames;
        /** The previous record's table and key columns, reused when the next record repeats them. */
        TableId lastTable;
        List<String> lastKeyColumns;

        /** Starts a row: no columns yet. */
        void startRow() {
            filter[0] = 0;
            filter[1] = 0;
            filter[2] = 0;
            filter[3] = 0;
            columns = 0;
        }

        /**
         * Adds a column to the row being read, unless the row already has that name (the same
         * instance: names are interned).
         *
         * @return -1 when added, or the index of the column that has the name already
         */
        int addColumn(String name, int start) {
            int h = name.hashCode();
            h ^= h >>> 16;
            int word = (h >>> 6) & 3;
            long bit = 1L << h;
            int n = columns;
            if ((filter[word] & bit) != 0) {
                for (int i = 0; i < n; i++) {
                    if (names[i] == name) {
                        return i;
                    }
                }
            }
            filter[word] |= bit;
            if (n == names.length) {
                names = Arrays.copyOf(names, n * 2);
                starts = Arrays.copyOf(starts, n * 2);
            }
            names[n] = name;
            starts[n] = start;
            columns = n + 1;
            return -1;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed JSON";
        }
        int nl = message.indexOf('\n');
        return "malformed JSON: " + (nl < 0 ? message : message.substring(0, nl));
    }

    /** Configures a {@link MaxwellDecoder}. Not thread-safe. */
    public static final class Builder {
        private String secretKey;

        private Builder() {}

        /**
         * The key that Maxwell's {@code secret_key} holds, for streams written with
         * {@code encrypt=data} or {@code encrypt=all}. Its UTF-8 bytes are the AES key, so it must
         * be 16, 24 or 32 bytes long.
         *
         * @param secretKey the key, or null for unencrypted streams
         * @return this builder
         * @throws IllegalArgumentException when the key is not 16, 24 or 32 bytes of UTF-8
         */
        public Builder secretKey(String secretKey) {
            if (secretKey != null) {
                int n = secretKey.getBytes(StandardCharsets.UTF_8).length;
                if (n != 16 && n != 24 && n != 32) {
                    throw new IllegalArgumentException("secret key must be 16, 24 or 32 bytes of UTF-8, not " + n);
                }
            }
            this.secretKey = secretKey;
            return this;
        }

        /** @return the decoder, never null */
        public MaxwellDecoder build() {
            return new MaxwellDecoder(this);
        }
    }
}
