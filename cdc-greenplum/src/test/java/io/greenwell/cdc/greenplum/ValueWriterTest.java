package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.event.Value;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The COPY text each column type's writer produces, including escaping and the value policies. */
class ValueWriterTest {

    private static final ValueWriter.Policies DEFAULTS = new ValueWriter.Policies(CopyBuffer.Nul.STRIP, true);
    private static final ValueWriter.Policies STRICT = new ValueWriter.Policies(CopyBuffer.Nul.REJECT, false);

    static String copyText(String typname, int typmod, ValueWriter.Policies p, Value v) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CopyBuffer buf = new CopyBuffer();
        buf.start(out::write);
        ValueWriter.forType(typname, typmod, p).write(v, buf);
        buf.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    static String copyText(String typname, Value v) throws Exception {
        return copyText(typname, -1, DEFAULTS, v);
    }

    @Test
    void numbersKeepTheirExactText() throws Exception {
        assertThat(copyText("numeric", Value.number("18446744073709551615"))).isEqualTo("18446744073709551615");
        assertThat(copyText("numeric", Value.number("0E-30"))).isEqualTo("0E-30");
        assertThat(copyText("float4", Value.number("3.40282E38"))).isEqualTo("3.40282E38");
        assertThat(copyText("int2", Value.TRUE)).isEqualTo("1");
    }

    @Test
    void booleansFromMysqlIntegers() throws Exception {
        assertThat(copyText("bool", Value.number("0"))).isEqualTo("f");
        assertThat(copyText("bool", Value.number("1"))).isEqualTo("t");
        assertThat(copyText("bool", Value.number("-128"))).isEqualTo("t");
        assertThat(copyText("bool", Value.FALSE)).isEqualTo("f");
    }

    @Test
    void bitsAreTheLowNBitsPaddedToTheWidth() throws Exception {
        assertThat(copyText("bit", 8, DEFAULTS, Value.number("170"))).isEqualTo("10101010");
        assertThat(copyText("bit", 17, DEFAULTS, Value.number("1"))).isEqualTo("00000000000000001");
        assertThat(copyText("bit", 64, DEFAULTS, Value.number("-2147483648")))
                .isEqualTo("1111111111111111111111111111111110000000000000000000000000000000");
        assertThat(copyText("bit", 4, DEFAULTS, Value.number("255"))).isEqualTo("1111");
        assertThat(copyText("varbit", -1, DEFAULTS, Value.number("5"))).isEqualTo("101");
    }

    @Test
    void base64BecomesAnEscapedByteaHexLiteral() throws Exception {
        assertThat(copyText("bytea", Value.text("3q2+7w=="))).isEqualTo("\\\\xdeadbeef");
        assertThat(copyText("bytea", Value.text(""))).isEqualTo("\\\\x");
        assertThatThrownBy(() -> copyText("bytea", Value.text("not base64!"))).isInstanceOf(ValueException.class);
    }

    @Test
    void textIsEscapedForCopyAndEncodedAsUtf8() throws Exception {
        assertThat(copyText("text", Value.text("a\tb\nc\rd\\e"))).isEqualTo("a\\tb\\nc\\rd\\\\e");
        assertThat(copyText("text", Value.text("坂本龍一 \uD83D\uDE00"))).isEqualTo("坂本龍一 \uD83D\uDE00");
        assertThatThrownBy(() -> copyText("text", Value.text("lone \uD800 surrogate"))).isInstanceOf(ValueException.class);
    }

    @Test
    void nulCharactersAreStrippedOrRejected() throws Exception {
        assertThat(copyText("varchar", Value.text("nul\0byte"))).isEqualTo("nulbyte");
        assertThatThrownBy(() -> copyText("varchar", -1, STRICT, Value.text("nul\0byte")))
                .isInstanceOf(ValueException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void zeroDatesBecomeNullOrAreRejected() throws Exception {
        assertThat(copyText("date", Value.text("0000-00-00"))).isEqualTo("\\N");
        assertThat(copyText("timestamp", Value.text("2024-02-00 23:59:59"))).isEqualTo("\\N");
        assertThat(copyText("timestamp", Value.text("2024-00-15 10:00:00"))).isEqualTo("\\N");
        assertThat(copyText("date", Value.text("2024-02-29"))).isEqualTo("2024-02-29");
        assertThatThrownBy(() -> copyText("date", -1, STRICT, Value.text("0000-00-00"))).isInstanceOf(ValueException.class);
    }

    @Test
    void timestampsAreUtc() throws Exception {
        assertThat(copyText("timestamptz", Value.text("2024-01-01 06:30:00.5"))).isEqualTo("2024-01-01 06:30:00.5+00");
        assertThat(copyText("timestamp", Value.text("2024-01-01 06:30:00"))).isEqualTo("2024-01-01 06:30:00");
    }

    @Test
    void timeBeyondADayGoesIntoIntervalAsItIs() throws Exception {
        assertThat(copyText("interval", Value.text("-838:59:59"))).isEqualTo("-838:59:59");
    }

    @Test
    void setsBecomeTextArrays() throws Exception {
        assertThat(copyText("_text", Value.json("[\"x\",\"y z\",\"q\\\"\"]"))).isEqualTo("{\"x\",\"y z\",\"q\\\\\"\"}");
        assertThat(copyText("_text", Value.json("[]"))).isEqualTo("{}");
        assertThat(copyText("_text", Value.text("a,b"))).isEqualTo("{\"a\",\"b\"}");
    }

    @Test
    void jsonScalarsAreWrittenAsJson() throws Exception {
        assertThat(copyText("jsonb", Value.json("{\"a\": [1, 2.50]}"))).isEqualTo("{\"a\": [1, 2.50]}");
        assertThat(copyText("jsonb", Value.text("just a \"string\""))).isEqualTo("\"just a \\\\\"string\\\\\"\"");
        assertThat(copyText("json", Value.number("3.14159265358979323846264338327950288")))
                .isEqualTo("3.14159265358979323846264338327950288");
        assertThat(copyText("jsonb", Value.TRUE)).isEqualTo("true");
    }
}
