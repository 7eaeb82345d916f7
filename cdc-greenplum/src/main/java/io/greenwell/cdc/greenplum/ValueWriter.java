package io.greenwell.cdc.greenplum;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.greenwell.cdc.event.Value;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Writes a Maxwell value as the COPY text of one target column type. Chosen once per column from
 * the catalog ({@link #forType}); never null-checks the column type per value. {@link Value#NULL}
 * never reaches a writer: the caller writes {@code \N}.
 */
abstract class ValueWriter {

    /** What a writer may do with values PostgreSQL cannot hold. */
    record Policies(CopyBuffer.Nul nul, boolean zeroDatesToNull) {}

    final Policies policies;

    ValueWriter(Policies policies) {
        this.policies = policies;
    }

    /**
     * @param v a non-NULL value
     * @param out the buffer of the current row
     * @throws ValueException when the value cannot be written into this column type
     */
    abstract void write(Value v, CopyBuffer out);

    /**
     * Picks the writer of a column.
     *
     * @param typname the column type's {@code pg_type.typname} ({@code _text} for {@code text[]})
     * @param typmod the column's {@code atttypmod} (the width of {@code bit(n)}), -1 when none
     * @param policies the value policies, never null
     */
    static ValueWriter forType(String typname, int typmod, Policies policies) {
        switch (typname) {
            case "int2":
            case "int4":
            case "int8":
            case "numeric":
            case "float4":
            case "float8":
            case "oid":
                return new NumberWriter(policies);
            case "bool":
                return new BoolWriter(policies);
            case "bit":
                return new BitWriter(policies, typmod, true);
            case "varbit":
                return new BitWriter(policies, typmod, false);
            case "bytea":
                return new BytesWriter(policies);
            case "json":
            case "jsonb":
                return new JsonWriter(policies);
            case "_text":
            case "_varchar":
            case "_bpchar":
                return new SetWriter(policies);
            case "date":
            case "timestamp":
                return new DateWriter(policies, false);
            case "timestamptz":
                return new DateWriter(policies, true);
            default:
                return new TextWriter(policies);
        }
    }

    /** Text, varchar, char, interval, time, enum types and every type not named above. */
    static final class TextWriter extends ValueWriter {
        TextWriter(Policies p) {
            super(p);
        }

        @Override
        void write(Value v, CopyBuffer out) {
            out.text(v.asText(), policies.nul());
        }
    }

    /** Integers, numeric, real, double: the JSON number's text is already exact. */
    static final class NumberWriter extends ValueWriter {
        NumberWriter(Policies p) {
            super(p);
        }

        @Override
        void write(Value v, CopyBuffer out) {
            if (v instanceof Value.Numeric) {
                out.ascii(((Value.Numeric) v).asText());
            } else if (v instanceof Value.Bool) {
                out.ascii(v == Value.TRUE ? '1' : '0');
            } else if (v instanceof Value.Text) {
                out.text(v.asText(), CopyBuffer.Nul.REJECT);
            } else {
                throw new ValueException("a JSON document cannot be written into a numeric column");
            }
        }
    }

    /** boolean from MySQL's 0/1 (any non-zero number is true, as in MySQL). */
    static final class BoolWriter extends ValueWriter {
        BoolWriter(Policies p) {
            super(p);
        }

        @Override
        void write(Value v, CopyBuffer out) {
            if (v instanceof Value.Numeric) {
                Value.Numeric n = (Value.Numeric) v;
                out.ascii(n.toBigDecimal().signum() == 0 ? 'f' : 't');
            } else if (v instanceof Value.Bool) {
                out.ascii(v == Value.TRUE ? 't' : 'f');
            } else if (v instanceof Value.Text) {
                out.text(v.asText(), CopyBuffer.Nul.REJECT);
            } else {
                throw new ValueException("a JSON document cannot be written into a boolean column");
            }
        }
    }

    /**
     * bit(n) and bit varying(n) from the integer Maxwell writes: its low n bits (two's complement
     * for negatives), as n binary digits for bit(n); 64 bits at most when the width is unknown.
     */
    static final class BitWriter extends ValueWriter {
        private final int width;
        private final boolean fixed;

        BitWriter(Policies p, int typmod, boolean fixed) {
            super(p);
            this.width = typmod > 0 ? typmod : -1;
            this.fixed = fixed && typmod > 0;
        }

        @Override
        void write(Value v, CopyBuffer out) {
            BigInteger n;
            if (v instanceof Value.Numeric && ((Value.Numeric) v).isIntegral()) {
                n = ((Value.Numeric) v).toBigInteger();
            } else if (v instanceof Value.Bool) {
                n = v == Value.TRUE ? BigInteger.ONE : BigInteger.ZERO;
            } else {
                throw new ValueException("a bit column needs an integer, not " + v);
            }
            int bits = width > 0 ? width : 64;
            if (n.signum() < 0 || n.bitLength() > bits) {
                n = n.and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
            }
            String s = n.toString(2);
            if (fixed) {
                for (int i = s.length(); i < width; i++) {
                    out.ascii('0');
                }
            }
            out.ascii(s);
        }
    }

    /** bytea from Maxwell's base64. */
    static final class BytesWriter extends ValueWriter {
        BytesWriter(Policies p) {
            super(p);
        }

        @Override
        void write(Value v, CopyBuffer out) {
            if (!(v instanceof Value.Text)) {
                throw new ValueException("a binary column needs a base64 string, not " + v);
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(((Value.Text) v).asText());
            } catch (IllegalArgumentException e) {
                throw new ValueException("a binary column needs base64: " + e.getMessage(), e);
            }
            out.byteaHex(bytes);
        }
    }

    /** json and jsonb: embedded documents as they are; strings, numbers and booleans as JSON scalars. */
    static final class JsonWriter extends ValueWriter {
        JsonWriter(Policies p) {
            super(p);
        }

        @Override
        void write(Value v, CopyBuffer out) {
            if (v instanceof Value.Text) {
                out.text(quote(v.asText(), policies.nul()), CopyBuffer.Nul.REJECT);
            } else {
                out.text(v.asText(), CopyBuffer.Nul.REJECT);
            }
        }

        static String quote(String s, CopyBuffer.Nul nul) {
            StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c == 0 && nul == CopyBuffer.Nul.STRIP) {
                    continue;
                } else if (c < 0x20) {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            return sb.append('"').toString();
        }
    }

    /** text[] from a MySQL SET: Maxwell's JSON array of members, or a comma-separated string. */
    static final class SetWriter extends ValueWriter {
        private static final JsonFactory JSON = new JsonFactory();

        SetWriter(Policies p) {
            super(p);
        }

        @Override
        void write(Value v, CopyBuffer out) {
            List<String> members = new ArrayList<>();
            if (v instanceof Value.Json && ((Value.Json) v).isArray()) {
                try (JsonParser p = JSON.createParser(v.asText())) {
                    p.nextToken();
                    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        if (t == null || t.isStructStart()) {
                            throw new ValueException("a SET value must be an array of strings: " + v.asText());
                        }
                        members.add(p.getValueAsString());
                    }
                } catch (IOException e) {
                    throw new ValueException("a SET value must be an array of strings: " + e.getMessage(), e);
                }
            } else if (v instanceof Value.Text) {
                String s = v.asText();
                if (!s.isEmpty()) {
                    for (String m : s.split(",", -1)) {
                        members.add(m);
                    }
                }
            } else {
                throw new ValueException("an array column needs a SET value, not " + v);
            }
            StringBuilder lit = new StringBuilder().append('{');
            for (int i = 0; i < members.size(); i++) {
                if (i > 0) {
                    lit.append(',');
                }
                lit.append('"');
                String m = members.get(i);
                for (int j = 0; j < m.length(); j++) {
                    char c = m.charAt(j);
                    if (c == '"' || c == '\\') {
                        lit.append('\\');
                    }
                    lit.append(c);
                }
                lit.append('"');
            }
            out.text(lit.append('}').toString(), policies.nul());
        }
    }

    /**
     * date, timestamp and timestamptz. A zero date ({@code 0000-00-00}, or a zero year, month or
     * day) becomes NULL or is rejected; a TIMESTAMP, which Maxwell writes in UTC, gets {@code +00}.
     */
    static final class DateWriter extends ValueWriter {
        private final boolean utc;

        DateWriter(Policies p, boolean utc) {
            super(p);
            this.utc = utc;
        }

        @Override
        void write(Value v, CopyBuffer out) {
            if (!(v instanceof Value.Text)) {
                throw new ValueException("a date or time column needs a string, not " + v);
            }
            String s = v.asText();
            if (isZeroDate(s)) {
                if (!policies.zeroDatesToNull()) {
                    throw new ValueException("zero date '" + s + "' has no PostgreSQL value");
                }
                out.nullValue();
                return;
            }
            out.text(s, CopyBuffer.Nul.REJECT);
            if (utc) {
                out.ascii("+00");
            }
        }

        static boolean isZeroDate(String s) {
            if (s.length() < 10 || s.charAt(4) != '-' || s.charAt(7) != '-') {
                return false;
            }
            return s.startsWith("0000") || (s.charAt(5) == '0' && s.charAt(6) == '0') || (s.charAt(8) == '0' && s.charAt(9) == '0');
        }
    }
}
