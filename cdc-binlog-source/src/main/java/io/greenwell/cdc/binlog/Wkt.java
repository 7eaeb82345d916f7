package io.greenwell.cdc.binlog;

import io.greenwell.cdc.CdcException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/**
 * A spatial value as Maxwell writes it: the well-known text of the geometry (JTS's
 * {@code Geometry.toText()}: {@code POINT (1 2)}, {@code MULTIPOINT ((1 1), (2 2))},
 * {@code GEOMETRYCOLLECTION EMPTY}), the SRID dropped. MySQL and MariaDB keep a spatial value as
 * a 4-byte SRID and the geometry's well-known binary, in the binlog and in a query's result alike.
 * Coordinates are written as JTS 1.13 (Maxwell's) writes them: plain notation, at most 16 digits
 * after the point, trailing zeros dropped, half-even rounding.
 *
 * <p>Not thread-safe (one formatter); one per reader.
 */
final class Wkt {

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
        out.setLength(0);
        try {
            geometry(true);
        } catch (java.nio.BufferUnderflowException e) {
            throw new CdcException("a spatial value of " + value.length + " bytes ends inside its geometry");
        }
        return out.toString();
    }

    /** One geometry from its byte order and type on; {@code tagged}: its name is written (not inside a MULTIPOINT and the like). */
    private void geometry(boolean tagged) {
        in.order(in.get() == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int type = in.getInt();
        if (type < 1 || type > 7) {
            throw new CdcException("a spatial value holds a geometry of unknown type " + type + " (only 2D geometries are read)");
        }
        switch (type) {
            case 1 -> { // POINT
                double x = in.getDouble();
                double y = in.getDouble();
                if (tagged) {
                    out.append("POINT ");
                }
                if (Double.isNaN(x) && Double.isNaN(y)) {
                    out.append("EMPTY");
                } else {
                    out.append('(');
                    coordinate(x, y);
                    out.append(')');
                }
            }
            case 2 -> { // LINESTRING
                if (tagged) {
                    out.append("LINESTRING ");
                }
                points();
            }
            case 3 -> { // POLYGON
                if (tagged) {
                    out.append("POLYGON ");
                }
                rings();
            }
            default -> collection(type);
        }
    }

    private void collection(int type) {
        int n = in.getInt();
        out.append(switch (type) {
            case 4 -> "MULTIPOINT ";
            case 5 -> "MULTILINESTRING ";
            case 6 -> "MULTIPOLYGON ";
            default -> "GEOMETRYCOLLECTION ";
        });
        if (n == 0) {
            out.append("EMPTY");
            return;
        }
        out.append('(');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(", ");
            }
            geometry(type == 7); // the members of a MULTI... are written without their names
        }
        out.append(')');
    }

    /** A linestring's or ring's points: {@code (x y, x y)}, or {@code EMPTY}. */
    private void points() {
        int n = in.getInt();
        if (n == 0) {
            out.append("EMPTY");
            return;
        }
        out.append('(');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(", ");
            }
            coordinate(in.getDouble(), in.getDouble());
        }
        out.append(')');
    }

    private void rings() {
        int n = in.getInt();
        if (n == 0) {
            out.append("EMPTY");
            return;
        }
        out.append('(');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(", ");
            }
            points();
        }
        out.append(')');
    }

    private void coordinate(double x, double y) {
        out.append(number.format(x)).append(' ').append(number.format(y));
    }
}
