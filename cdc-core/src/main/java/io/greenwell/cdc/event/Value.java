package io.greenwell.cdc.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * One column value exactly as Maxwell wrote it. Numbers and embedded JSON keep their JSON text,
 * which is exact (no rounding, scale kept: {@code 1.50}, {@code 0E-10},
 * {@code 18446744073709551615}) and is what COPY writes anyway. Which database type a value ends
 * up as is decided by the target column, not here.
 *
 * <p>SQL NULL is {@link #NULL}; a column that Maxwell did not write at all (MINIMAL row image,
 * {@code output_nulls=false}) is absent from its {@link Row}, which is a different thing.
 */
public sealed interface Value permits Value.Null, Value.Text, Value.Numeric, Value.Bool, Value.Json {

    /** SQL NULL (JSON {@code null}). */
    Value NULL = Null.INSTANCE;

    /** JSON {@code true}. */
    Bool TRUE = new Bool(true);

    /** JSON {@code false}. */
    Bool FALSE = new Bool(false);

    /**
     * A JSON string value.
     *
     * @param text the string, never null
     * @return the value, never null
     */
    static Text text(String text) {
        return new Text(text);
    }

    /**
     * A JSON number, kept as its text.
     *
     * @param text the number's JSON text, never null
     * @return the value, never null
     */
    static Numeric number(String text) {
        return new Numeric(text);
    }

    /**
     * An embedded JSON object or array (a MySQL JSON column, a SET, a value from a JavaScript
     * filter), kept as its exact JSON text.
     *
     * @param json the JSON text, never null
     * @return the value, never null
     */
    static Json json(String json) {
        return new Json(json);
    }

    /**
     * Reads the JSON value that starts at {@code start} of a text that a JSON parser has accepted:
     * a string decoded, a number or an embedded object or array as its exact text, a literal. It
     * does not check the syntax again.
     *
     * @param json the JSON text (UTF-8), never null
     * @param start where the value's first byte is
     * @return the value, never null
     * @throws IllegalStateException when no JSON value starts there
     */
    static Value ofJson(byte[] json, int start) {
        return JsonValues.read(json, start);
    }

    /**
     * @return true only for {@link #NULL}
     */
    default boolean isNull() {
        return false;
    }

    /**
     * The value as text: the string itself, the number's JSON text, {@code true}/{@code false}, the
     * JSON text of an object or array; null for SQL NULL.
     *
     * @return the text, or null for {@link #NULL}
     */
    String asText();

    /** SQL NULL. */
    enum Null implements Value {
        /** The only instance. */
        INSTANCE;

        @Override
        public boolean isNull() {
            return true;
        }

        @Override
        public String asText() {
            return null;
        }

        @Override
        public String toString() {
            return "null";
        }
    }

    /**
     * A JSON string: text, a temporal value, base64 of a binary column, an ENUM member, WKT.
     *
     * @param text the decoded string, never null
     */
    record Text(String text) implements Value {
        /** Validates the text. */
        public Text {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String asText() {
            return text;
        }

        /** @return the text in double quotes, for messages */
        @Override
        public String toString() {
            return '"' + text + '"';
        }
    }

    /**
     * A JSON number kept as its text, so it is exact whatever its size or scale.
     *
     * @param text the number's JSON text, never null
     */
    record Numeric(String text) implements Value {
        /** Validates the text. */
        public Numeric {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String asText() {
            return text;
        }

        /** @return the number's text */
        @Override
        public String toString() {
            return text;
        }

        /**
         * @return true when the text has no fraction and no exponent
         */
        public boolean isIntegral() {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '.' || c == 'e' || c == 'E') {
                    return false;
                }
            }
            return true;
        }

        /**
         * @return the exact value, scale kept
         * @throws NumberFormatException never for a number the decoder produced
         */
        public BigDecimal toBigDecimal() {
            return new BigDecimal(text);
        }

        /**
         * @return the exact integer value
         * @throws ArithmeticException when the number has a non-zero fraction
         */
        public BigInteger toBigInteger() {
            return isIntegral() ? new BigInteger(text) : toBigDecimal().toBigIntegerExact();
        }
    }

    /**
     * JSON {@code true} or {@code false}. Maxwell writes MySQL booleans as 0/1 numbers; literal
     * booleans come only from JavaScript filters.
     *
     * @param value the boolean
     */
    record Bool(boolean value) implements Value {
        @Override
        public String asText() {
            return value ? "true" : "false";
        }

        /** @return {@code true} or {@code false} */
        @Override
        public String toString() {
            return asText();
        }
    }

    /**
     * An embedded JSON object or array, kept as the exact text Maxwell wrote.
     *
     * @param json the JSON text, never null
     */
    record Json(String json) implements Value {
        /** Validates the text. */
        public Json {
            Objects.requireNonNull(json, "json");
        }

        @Override
        public String asText() {
            return json;
        }

        /** @return the JSON text */
        @Override
        public String toString() {
            return json;
        }

        /**
         * @return true when the text is a JSON array (a SET is one)
         */
        public boolean isArray() {
            for (int i = 0; i < json.length(); i++) {
                char c = json.charAt(i);
                if (c > ' ') {
                    return c == '[';
                }
            }
            return false;
        }
    }
}
