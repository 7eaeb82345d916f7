package io.greenwell.cdc.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RowTest {

    @Test
    void nullIsNotAbsent() {
        Row r = Row.of("a", null, "b", 1);
        assertThat(r.get("a")).isSameAs(Value.NULL);
        assertThat(r.get("a").isNull()).isTrue();
        assertThat(r.get("c")).isNull();
        assertThat(r.has("a")).isTrue();
        assertThat(r.has("c")).isFalse();
    }

    @Test
    void equalityIgnoresColumnOrderButNotValues() {
        assertThat(Row.of("a", 1, "b", "x")).isEqualTo(Row.of("b", "x", "a", 1)).hasSameHashCodeAs(Row.of("b", "x", "a", 1));
        assertThat(Row.of("a", 1)).isNotEqualTo(Row.of("a", "1"));
        assertThat(Row.of("a", 1)).isNotEqualTo(Row.of("a", 1, "b", null));
        assertThat(Row.of("a", Value.number("1.50"))).isNotEqualTo(Row.of("a", Value.number("1.5")));
        assertThat(Row.of()).isSameAs(Row.EMPTY);
    }

    @Test
    void putReplacesAndAppendAppends() {
        Row.Builder b = Row.builder().put("a", Value.number("1")).put("b", Value.NULL).put(new String("a"), Value.text("x"));
        Row r = b.build();
        assertThat(r.size()).isEqualTo(2);
        assertThat(r.get("a")).isEqualTo(Value.text("x"));
        assertThat(r.toMap()).containsExactly(java.util.Map.entry("a", Value.text("x")), java.util.Map.entry("b", Value.NULL));
        assertThat(r.toBuilder().put("c", Value.TRUE).build()).isEqualTo(Row.of("a", "x", "b", null, "c", true));
        assertThat(r.estimatedBytes()).isPositive();
    }

    @Test
    void badArguments() {
        assertThatThrownBy(() -> Row.of("a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Row.of("a", new Object())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Row.of("a", 1).value(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void numericHelpers() {
        assertThat(Value.number("18446744073709551615").toBigInteger()).hasToString("18446744073709551615");
        assertThat(Value.number("1E+2").isIntegral()).isFalse();
        assertThat(Value.number("1E+2").toBigInteger()).hasToString("100");
        assertThat(Value.number("0E-10").toBigDecimal().signum()).isZero();
        assertThatThrownBy(() -> Value.number("1.5").toBigInteger()).isInstanceOf(ArithmeticException.class);
        assertThat(Value.json(" [1]").isArray()).isTrue();
        assertThat(Value.NULL.asText()).isNull();
        assertThat(Value.TRUE.asText()).isEqualTo("true");
    }
}
