package io.greenwell.cdc.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.codec.QpidProtonCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link DataSectionCodec} against Qpid Proton's encoding of the same messages, and the body a record gets of other messages. */
class DataSectionCodecTest {

    private final QpidProtonCodec proton = new QpidProtonCodec();
    private final DataSectionCodec codec = new DataSectionCodec();

    private byte[] encoded(Message m) {
        var e = proton.encode(m);
        return Arrays.copyOf(e.getData(), e.getSize());
    }

    @Test
    void theBodyOfAMessageWithEverySectionIsItsDataSection() {
        byte[] body = "{\"database\":\"shop\",\"table\":\"t\",\"type\":\"insert\",\"data\":{\"id\":1}}".getBytes(StandardCharsets.UTF_8);
        Message m = proton.messageBuilder()
                .properties().messageId("m-1").contentType("application/json").creationTime(1_700_000_000_000L).messageBuilder()
                .applicationProperties().entry("x-routing-key", "shop.t").entry("n", 42L).messageBuilder()
                .messageAnnotations().entry("x-exchange", "maxwell").entry("x-stream-offset", 7L).messageBuilder()
                .addData(body).build();
        byte[] bytes = encoded(m);
        assertThat(DataSectionCodec.dataSections(bytes)).isEqualTo(body);
        assertThat(codec.decode(bytes).getBodyAsBinary()).isEqualTo(body);
    }

    @Test
    void largeAndEmptyBodiesAndNoOtherSections() {
        byte[] large = new byte[70_000];
        Arrays.fill(large, (byte) 'x');
        assertThat(codec.decode(encoded(proton.messageBuilder().addData(large).build())).getBodyAsBinary()).isEqualTo(large);
        assertThat(codec.decode(encoded(proton.messageBuilder().addData(new byte[0]).build())).getBodyAsBinary()).isEmpty();
        String longKey = "k".repeat(300); // a map over 255 bytes: the 32-bit encoding is passed over too
        Message m = proton.messageBuilder().applicationProperties().entry(longKey, longKey).messageBuilder().addData(new byte[] {1, 2}).build();
        assertThat(codec.decode(encoded(m)).getBodyAsBinary()).containsExactly(1, 2);
    }

    @Test
    void severalDataSectionsAreOneBodyInOrder() {
        // two data sections, as AMQP 1.0 allows: 0x00 0x53 0x75 vbin8
        byte[] bytes = {0x00, 0x53, 0x75, (byte) 0xA0, 2, 'a', 'b', 0x00, 0x53, 0x75, (byte) 0xA0, 1, 'c'};
        assertThat(DataSectionCodec.dataSections(bytes)).isEqualTo("abc".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anythingElseGoesToProton() {
        // an AMQP value as the body (0x77, a string): not data, so Proton decodes it
        byte[] value = {0x00, 0x53, 0x77, (byte) 0xA1, 3, 'a', 'b', 'c'};
        assertThat(DataSectionCodec.dataSections(value)).isNull();
        assertThat(StreamProtocolReader.body(codec.decode(value))).as("its text").isEqualTo("abc".getBytes(StandardCharsets.UTF_8));
        byte[] binaryValue = {0x00, 0x53, 0x77, (byte) 0xA0, 2, 'h', 'i'};
        assertThat(StreamProtocolReader.body(codec.decode(binaryValue))).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        byte[] truncated = {0x00, 0x53, 0x75, (byte) 0xA0, 9, 'a'};
        assertThat(DataSectionCodec.dataSections(truncated)).isNull();
        assertThat(DataSectionCodec.dataSections(new byte[] {0x00, 0x53, 0x70, (byte) 0x99})).as("an encoding not passed over").isNull();
        assertThat(DataSectionCodec.dataSections(new byte[] {0x00, 0x53, 0x75})).isNull();
        assertThat(DataSectionCodec.dataSections(new byte[] {0x00, 0x53, 0x75, (byte) 0xB0, 0x7F, 0, 0, 0})).isNull();
    }
}
