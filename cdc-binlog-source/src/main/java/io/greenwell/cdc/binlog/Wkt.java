package io.greenwell.cdc.binlog;

import io.greenwell.cdc.CdcException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A spatial value as Maxwell writes it: the well-known text of the geometry (JTS's
 * {@code Geometry.toText()}: {@code POINT (1 2)}, {@code MULTIPOINT ((1 1), (2 2))},
 * {@code GEOMETRYCOLLECTION EMPTY}), the SRID dropped. MySQL and MariaDB keep a spatial value as
 * a 4-byte SRID and the geometry's well-known binary, in the binlog and in a query's result alike.
 * Coordinates are written as JTS 1.13 (Maxwell's) writes them: plain notation, at most 16 digits
 * after the point, trailing zeros dropped, half-even rounding; JTS takes the JVM's locale for the
 * minus sign, this class the root locale's ({@code -}, as in every usual locale). A collection
 * whose members are all empty is empty, as in JTS. Bytes that are no 2D geometry (an unknown type
 * or byte order, a count beyond the value, a coordinate that is not a number, bytes left over)
 * are refused: the server stores none of these.
 *
 * <p>Not thread-safe (one formatter); one per reader.
 */
final class Wkt {

    /** One geometry: its WKB type, and its points (a point, a linestring) or its parts (rings, members). */
    private record Shape(int type, double[] xy, List<Shape> parts) {
        boolean empty() {
            if (xy != null) {
                return xy.length == 0;
            }
            for (Shape p : parts) {
                if (!p.empty()) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final String[] NAMES = {null, "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
        "GEOMETRYCOLLECTION"};

    private final DecimalFormat number = new DecimalFormat("0.################", DecimalFormatSymbols.getInstance(Locale.ROOT));
    private final StringBuilder out = new StringBuilder(64);
    private ByteBuffer in;

    /**
     * @param value the SRID and the well-known binary, as the server stores them
     * @return the well-known text
     * @throws CdcException when the bytes are no geometry
     */
    String render(byte[] value) {
        if (value.length < 4 + 5) {
            throw new CdcException("a spatial value of " + value.length + " bytes is too short for a geometry");
        }
        in = ByteBuffer.wrap(value, 4, value.length - 4);
        Shape g;
        try {
            g = geometry(0);
        } catch (java.nio.BufferUnderflowException e) {
            throw new CdcException("a spatial value of " + value.length + " bytes ends inside its geometry");
        }
        if (in.hasRemaining()) {
            throw new CdcException("a spatial value holds " + in.remaining() + " bytes after its geometry");
        }
        out.setLength(0);
        write(g, true);
        return out.toString();
    }

    /** Reads one geometry, from its byte order on; {@code within}: the type of the collection it is a member of, or 0. */
    private Shape geometry(int within) {
        byte order = in.get();
        if (order != 0 && order != 1) {
            throw new CdcException("a spatial value holds an unknown byte order " + order);
        }
        in.order(order == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int type = in.getInt();
        if (type < 1 || type > 7 || (within >= 4 && within <= 6 && type != within - 3)) {
            throw new CdcException("a spatial value holds a geometry of unknown type " + type + (within > 0 ? " in a " + NAMES[within] : "")
                    + " (only 2D geometries are read)");
        }
        return switch (type) {
            case 1 -> new Shape(type, coordinates(1), null);
            case 2 -> new Shape(type, coordinates(count(16)), null);
            case 3 -> {
                int rings = count(4);
                List<Shape> parts = new ArrayList<>(rings);
                for (int i = 0; i < rings; i++) {
                    parts.add(new Shape(2, coordinates(count(16)), null));
                }
                yield new Shape(type, null, parts);
            }
            default -> {
                int n = count(9);
                List<Shape> parts = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    parts.add(geometry(type));
                    in.order(order == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
                }
                yield new Shape(type, null, parts);
            }
        };
    }

    /** @return a count that the rest of the value can hold, each item taking at least {@code itemBytes} */
    private int count(int itemBytes) {
        int n = in.getInt();
        if (n < 0 || (long) n * itemBytes > in.remaining()) {
            throw new CdcException("a spatial value counts " + Integer.toUnsignedString(n) + " parts where " + in.remaining()
                    + " bytes are left");
        }
        return n;
    }

    private double[] coordinates(int points) {
        double[] xy = new double[points * 2];
        for (int i = 0; i < xy.length; i++) {
            xy[i] = in.getDouble();
            if (!Double.isFinite(xy[i])) {
                throw new CdcException("a spatial value holds a coordinate that is not a finite number: " + xy[i]);
            }
        }
        return xy;
    }

    /** {@code named}: the type's name goes first (not for the members of a MULTIPOINT and the like). */
    private void write(Shape g, boolean named) {
        if (named) {
            out.append(NAMES[g.type()]).append(' ');
        }
        if (g.empty()) {
            out.append("EMPTY");
            return;
        }
        if (g.xy() != null) {
            if (g.type() == 1) {
                out.append('(');
                coordinate(g.xy(), 0);
                out.append(')');
            } else {
                points(g.xy());
            }
            return;
        }
        out.append('(');
        for (int i = 0; i < g.parts().size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            Shape p = g.parts().get(i);
            if (g.type() == 3) {
                points(p.xy()); // a ring
            } else {
                write(p, g.type() == 7);
            }
        }
        out.append(')');
    }

    /** A linestring's or ring's points: {@code (x y, x y)}, or {@code EMPTY}. */
    private void points(double[] xy) {
        if (xy.length == 0) {
            out.append("EMPTY");
            return;
        }
        out.append('(');
        for (int i = 0; i < xy.length; i += 2) {
            if (i > 0) {
                out.append(", ");
            }
            coordinate(xy, i);
        }
        out.append(')');
    }

    private void coordinate(double[] xy, int at) {
        out.append(number.format(xy[at])).append(' ').append(number.format(xy[at + 1]));
    }
}
