package io.greenwell.cdc.maxwell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** The validator agrees with the JDK's strict decoder on any bytes. */
class Utf8Test {

    @Property(tries = 3000)
    void agreesWithTheJdk(@ForAll @Size(max = 64) byte[] bytes) {
        boolean jdkValid;
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            jdkValid = true;
        } catch (CharacterCodingException e) {
            jdkValid = false;
        }
        boolean hasNul = false;
        for (byte b : bytes) {
            hasNul |= b == 0;
        }
        // valid means valid UTF-8 and no NUL byte, which JSON text never holds
        assertThat(Utf8.firstInvalid(bytes, 0, bytes.length) < 0).isEqualTo(jdkValid && !hasNul);
    }

    @Property(tries = 2000)
    void validTextWithAnInvalidByteSomewhere(@ForAll @Size(max = 40) String text, @ForAll int where, @ForAll byte bad) {
        byte[] ok = text.getBytes(StandardCharsets.UTF_8);
        if (text.chars().noneMatch(c -> Character.isSurrogate((char) c) || c == 0)) {
            assertThat(Utf8.firstInvalid(ok, 0, ok.length)).isEqualTo(-1);
        }
        byte[] b = ("0123456789abcdef" + text + "0123456789").getBytes(StandardCharsets.UTF_8);
        int i = Math.floorMod(where, b.length);
        b[i] = (byte) (bad | 0x80);
        agreesWithTheJdk(b);
    }
}
