package io.greenwell.cdc.rabbitmq;

import com.rabbitmq.stream.Codec;
import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.MessageBuilder;
import com.rabbitmq.stream.Properties;
import com.rabbitmq.stream.codec.QpidProtonCodec;
import java.util.Arrays;
import java.util.Map;

/**
 * Decodes what a stream keeps of a message published over AMQP 0-9-1, as Maxwell publishes: the
 * AMQP 1.0 sections, of which only the body's data sections are wanted. The other sections
 * (header, annotations, properties, application properties, footer) are passed over by their
 * encoded sizes instead of being decoded into objects, which is most of the client's work per
 * message. A message of any other shape (an AMQP value or sequence as its body, an encoding this
 * does not know) is decoded by Qpid Proton's codec, as the client would do.
 *
 * <p>Stateless; called by the client's threads. Encoding (for producers) is Proton's.
 */
final class DataSectionCodec implements Codec {

    private static final int DESCRIBED = 0x00;
    private static final int SMALL_ULONG = 0x53;
    private static final int DATA = 0x75;
    private static final int FIRST_SECTION = 0x70;
    private static final int LAST_SECTION = 0x78;

    private final Codec fallback = new QpidProtonCodec();

    @Override
    public EncodedMessage encode(Message message) {
        return fallback.encode(message);
    }

    @Override
    public MessageBuilder messageBuilder() {
        return fallback.messageBuilder();
    }

    @Override
    public Message decode(byte[] data) {
        byte[] body = dataSections(data);
        return body != null ? new Body(body) : fallback.decode(data);
    }

    /** @return the concatenated data sections, or null when the message is not sections with a data body */
    static byte[] dataSections(byte[] m) {
        int i = 0;
        int from = -1;
        int to = -1;
        byte[] joined = null;
        while (i < m.length) {
            if (i + 3 > m.length || (m[i] & 0xFF) != DESCRIBED || (m[i + 1] & 0xFF) != SMALL_ULONG) {
                return null;
            }
            int section = m[i + 2] & 0xFF;
            if (section < FIRST_SECTION || section > LAST_SECTION) {
                return null;
            }
            i += 3;
            if (i >= m.length) {
                return null;
            }
            int code = m[i] & 0xFF;
            if (section == DATA) {
                int size;
                int start;
                if (code == 0xA0 && i + 2 <= m.length) {
                    size = m[i + 1] & 0xFF;
                    start = i + 2;
                } else if (code == 0xB0 && i + 5 <= m.length) {
                    size = int32(m, i + 1);
                    start = i + 5;
                } else {
                    return null;
                }
                if (size < 0 || start + size > m.length) {
                    return null;
                }
                if (from < 0) {
                    from = start;
                    to = start + size;
                } else {
                    // AMQP allows a body of several data sections: they are one body, in order
                    byte[] before = joined != null ? joined : Arrays.copyOfRange(m, from, to);
                    joined = Arrays.copyOf(before, before.length + size);
                    System.arraycopy(m, start, joined, before.length, size);
                }
                i = start + size;
            } else {
                int next = skipValue(m, i);
                if (next < 0) {
                    return null;
                }
                i = next;
            }
        }
        if (joined != null) {
            return joined;
        }
        return from < 0 ? null : Arrays.copyOfRange(m, from, to);
    }

    /** @return the index after the encoded value at {@code i}, or -1 for an encoding not passed over here */
    private static int skipValue(byte[] m, int i) {
        int code = m[i] & 0xFF;
        long end;
        switch (code) {
            case 0x40: // null
            case 0x45: // empty list
                end = i + 1L;
                break;
            case 0xA0: case 0xA1: case 0xA3: // binary, string, symbol of up to 255 bytes
            case 0xC0: case 0xC1: // list, map of up to 255 bytes
                end = i + 2L + (i + 1 < m.length ? m[i + 1] & 0xFF : Integer.MAX_VALUE);
                break;
            case 0xB0: case 0xB1: case 0xB3: // binary, string, symbol
            case 0xD0: case 0xD1: // list, map
                end = i + 5L + (i + 5 <= m.length ? int32(m, i + 1) & 0xFFFFFFFFL : Integer.MAX_VALUE);
                break;
            default:
                return -1;
        }
        return end <= m.length ? (int) end : -1;
    }

    private static int int32(byte[] m, int i) {
        return (m[i] & 0xFF) << 24 | (m[i + 1] & 0xFF) << 16 | (m[i + 2] & 0xFF) << 8 | (m[i + 3] & 0xFF);
    }

    /** A message that is only its body. */
    private record Body(byte[] bytes) implements Message {
        @Override
        public boolean hasPublishingId() {
            return false;
        }

        @Override
        public long getPublishingId() {
            return 0;
        }

        @Override
        public byte[] getBodyAsBinary() {
            return bytes;
        }

        @Override
        public Object getBody() {
            return bytes;
        }

        @Override
        public Properties getProperties() {
            return null;
        }

        @Override
        public Map<String, Object> getApplicationProperties() {
            return null;
        }

        @Override
        public Map<String, Object> getMessageAnnotations() {
            return null;
        }
    }
}
