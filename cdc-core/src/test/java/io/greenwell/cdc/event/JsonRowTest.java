package io.greenwell.cdc.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.base.ParserBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rows whose values are read from their JSON text on first access give what a parser gives. */
class JsonRowTest {

    private static final JsonFactory JSON = new JsonFactory();

    /** Builds a lazy row the way the decoder does: value starts from the parser's token offsets. */
    private static Row lazy(String object) throws IOException {
        byte[] b = ("  " + object + "  ").getBytes(StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        try (JsonParser p = JSON.createParser(b, 0, b.length)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                names.add(p.currentName());
                JsonToken t = p.nextToken();
                starts.add((int) ((ParserBase) p).getTokenCharacterOffset() - 1);
                if (t.isStructStart()) {
                    p.skipChildren();
                }
            }
        }
        return Row.ofJson(names.toArray(new String[0]), b, starts.stream().mapToInt(Integer::intValue).toArray(), object.length());
    }

    /** The same object read eagerly with Jackson: strings decoded, numbers and nested values as text. */
    private static Row eager(String object) throws IOException {
        byte[] b = object.getBytes(StandardCharsets.UTF_8);
        Row.Builder row = Row.builder();
        try (JsonParser p = JSON.createParser(b, 0, b.length)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                Value v;
                switch (t) {
                    case VALUE_STRING: v = Value.text(p.getText()); break;
                    case VALUE_NUMBER_INT:
                    case VALUE_NUMBER_FLOAT: v = Value.number(p.getText()); break;
                    case VALUE_NULL: v = Value.NULL; break;
                    case VALUE_TRUE: v = Value.TRUE; break;
                    case VALUE_FALSE: v = Value.FALSE; break;
                    default:
                        int start = (int) ((ParserBase) p).getTokenCharacterOffset() - 1;
                        p.skipChildren();
                        int end = (int) ((ParserBase) p).getTokenCharacterOffset();
                        v = Value.json(new String(b, start, end - start, StandardCharsets.UTF_8));
                }
                row.put(name, v);
            }
        }
        return row.build();
    }

    @Test
    void everyKindOfValueReadsAsAParserReadsIt() throws IOException {
        String object = "{\"s\":\"plain\",\"e\":\"q\\\"b\\\\s\\/n\\nr\\rt\\tb\\bf\\f\",\"u\":\"\\u00e9\\u20ac\\ud83d\\ude00\\ud800x\","
                + "\"utf8\":\"é€😀\",\"empty\":\"\",\"i\":0,\"big\":18446744073709551615,\"neg\":-7,\"small\":1023,\"k\":1024,"
                + "\"d\":1.50,\"x\":-0E-10,\"n\":null,\"t\":true,\"f\":false,"
                + "\"o\":{\"a\":[1,\"]}\\\"[{\"],\"b\":{}} ,\"a\":[ ],\"last\":12}";
        Row lazy = lazy(object);
        Row eager = eager(object);
        assertThat(lazy.size()).isEqualTo(eager.size());
        for (int i = 0; i < eager.size(); i++) {
            assertThat(lazy.name(i)).isEqualTo(eager.name(i));
            assertThat(lazy.value(i)).as(eager.name(i)).isEqualTo(eager.value(i));
        }
        assertThat(lazy).isEqualTo(eager).hasSameHashCodeAs(eager);
        assertThat(lazy.get("o")).isEqualTo(Value.json("{\"a\":[1,\"]}\\\"[{\"],\"b\":{}}"));
        assertThat(lazy.get("u").asText()).isEqualTo("é€😀\ud800x");
        assertThat(lazy.get("small")).isSameAs(lazy(object).get("small")); // small integers are shared
    }

    @Test
    void aValueIsReadOnceAndTheRowIsAccountedByItsText() throws IOException {
        Row r = lazy("{\"a\":\"x\",\"b\":2}");
        assertThat(r.get("a")).isSameAs(r.get("a"));
        assertThat(r.estimatedBytes()).isGreaterThan("{\"a\":\"x\",\"b\":2}".length());
        assertThat(r.toString()).isEqualTo("{a=\"x\", b=2}");
        assertThat(r.toBuilder().put("c", Value.TRUE).build()).isEqualTo(Row.of("a", "x", "b", 2, "c", true));
    }

    @Test
    void badArguments() {
        assertThatThrownBy(() -> Row.ofJson(new String[] {"a"}, new byte[1], new int[0], 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Row.ofJson(new String[0], new byte[0], new int[0], 0)).isSameAs(Row.EMPTY);
        Row broken = Row.ofJson(new String[] {"a"}, "{\"a\":}".getBytes(StandardCharsets.UTF_8), new int[] {5}, 6);
        assertThatThrownBy(() -> broken.value(0)).isInstanceOf(IllegalStateException.class);
    }
}
