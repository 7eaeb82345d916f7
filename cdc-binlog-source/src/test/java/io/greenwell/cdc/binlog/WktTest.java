package io.greenwell.cdc.binlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.CdcException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Spatial values, as the server stores them (SRID and well-known binary), rendered as Maxwell
 * renders them; the expected texts are those of the recorded {@code types} scenario where it has
 * them.
 */
class WktTest {

    /** Writes well-known binary, in either byte order, after a 4-byte SRID. */
    private static final class Wkb {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Wkb(int srid) {
            ints(ByteOrder.LITTLE_ENDIAN, srid);
        }

        Wkb head(ByteOrder order, int type) {
            out.write(order == ByteOrder.BIG_ENDIAN ? 0 : 1);
            return ints(order, type);
        }

        Wkb ints(ByteOrder order, int... v) {
            for (int i : v) {
                out.writeBytes(ByteBuffer.allocate(4).order(order).putInt(i).array());
            }
            return this;
        }

        Wkb doubles(ByteOrder order, double... v) {
            for (double d : v) {
                out.writeBytes(ByteBuffer.allocate(8).order(order).putDouble(d).array());
            }
            return this;
        }

        Wkb point(ByteOrder order, double x, double y) {
            return head(order, 1).doubles(order, x, y);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    @Test
    void everyKindIsWrittenAsJtsWritesIt() {
        Wkt w = new Wkt();
        assertThat(w.render(new Wkb(0).point(LE, 1, 2).bytes())).isEqualTo("POINT (1 2)");
        assertThat(w.render(new Wkb(4326).point(BE, -122.4194, 37.7749).bytes())).isEqualTo("POINT (-122.4194 37.7749)");
        assertThat(w.render(new Wkb(0).point(LE, -0.000001, 179.999999).bytes())).isEqualTo("POINT (-0.000001 179.999999)");
        assertThat(w.render(new Wkb(0).head(LE, 2).ints(LE, 2).doubles(LE, -1.5, 2.25, 3.125, -4.0625).bytes()))
                .isEqualTo("LINESTRING (-1.5 2.25, 3.125 -4.0625)");
        assertThat(w.render(new Wkb(0).head(LE, 3).ints(LE, 2, 5).doubles(LE, 0, 0, 4, 0, 4, 4, 0, 4, 0, 0).ints(LE, 5)
                .doubles(LE, 1, 1, 2, 1, 2, 2, 1, 2, 1, 1).bytes()))
                .isEqualTo("POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 2, 1 1))");
        // members in another byte order than their collection
        assertThat(w.render(new Wkb(0).head(BE, 4).ints(BE, 2).point(LE, 1, 1).point(BE, 2, 2).bytes()))
                .isEqualTo("MULTIPOINT ((1 1), (2 2))");
        assertThat(w.render(new Wkb(0).head(LE, 5).ints(LE, 2).head(LE, 2).ints(LE, 2).doubles(LE, 0, 0, 1, 1).head(LE, 2).ints(LE, 1)
                .doubles(LE, 2, 2).bytes())).isEqualTo("MULTILINESTRING ((0 0, 1 1), (2 2))");
        assertThat(w.render(new Wkb(0).head(LE, 6).ints(LE, 1).head(LE, 3).ints(LE, 1, 4).doubles(LE, 0, 0, 1, 0, 1, 1, 0, 0).bytes()))
                .isEqualTo("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))");
        assertThat(w.render(new Wkb(0).head(LE, 7).ints(LE, 2).point(LE, 1, 1).head(LE, 2).ints(LE, 2).doubles(LE, 0, 0, 1, 1).bytes()))
                .isEqualTo("GEOMETRYCOLLECTION (POINT (1 1), LINESTRING (0 0, 1 1))");
        assertThat(w.render(new Wkb(0).head(LE, 7).ints(LE, 0).bytes())).isEqualTo("GEOMETRYCOLLECTION EMPTY");
        assertThat(w.render(new Wkb(0).head(LE, 4).ints(LE, 0).bytes())).isEqualTo("MULTIPOINT EMPTY");
    }

    @Test
    void coordinatesArePlainWithAtMostSixteenDecimals() {
        Wkt w = new Wkt();
        assertThat(w.render(new Wkb(0).point(LE, 1.0 / 3, 1e20).bytes())).isEqualTo("POINT (0.3333333333333333 100000000000000000000)");
        assertThat(w.render(new Wkb(0).point(LE, 1e-20, -2.5e-7).bytes())).isEqualTo("POINT (0 -0.00000025)");
        assertThat(w.render(new Wkb(0).point(LE, 0.1, 123456789.125).bytes())).isEqualTo("POINT (0.1 123456789.125)");
    }

    @Test
    void bytesThatAreNoGeometryAreRefusedClearly() {
        Wkt w = new Wkt();
        assertThatThrownBy(() -> w.render(new byte[] {0, 0, 0, 0, 1, 1})).isInstanceOf(CdcException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> w.render(new Wkb(0).head(LE, 1001).doubles(LE, 1, 2, 3).bytes())).hasMessageContaining("unknown type 1001");
        assertThatThrownBy(() -> w.render(new Wkb(0).head(LE, 2).ints(LE, 3).doubles(LE, 1, 2).bytes()))
                .hasMessageContaining("counts 3 parts where 16 bytes are left");
        assertThatThrownBy(() -> w.render(new Wkb(0).head(LE, 4).ints(LE, -1).bytes())).hasMessageContaining("counts 4294967295 parts");
        assertThatThrownBy(() -> w.render(new Wkb(0).point(LE, 1, 2).ints(LE, 0).bytes())).hasMessageContaining("4 bytes after");
        assertThatThrownBy(() -> w.render(new Wkb(0).point(LE, Double.NaN, 2).bytes())).hasMessageContaining("not a finite number");
        byte[] badOrder = new Wkb(0).point(LE, 1, 2).bytes();
        badOrder[4] = 7;
        assertThatThrownBy(() -> w.render(badOrder)).hasMessageContaining("byte order 7");
        assertThatThrownBy(() -> w.render(new Wkb(0).head(LE, 4).ints(LE, 1).head(LE, 2).ints(LE, 0).bytes()))
                .hasMessageContaining("type 2 in a MULTIPOINT");
        byte[] cut = java.util.Arrays.copyOf(new Wkb(0).point(LE, 1, 2).bytes(), 15);
        assertThatThrownBy(() -> w.render(cut)).hasMessageContaining("ends inside");
    }

    @Test
    void aCollectionOfEmptyMembersIsEmptyAsInJts() {
        Wkt w = new Wkt();
        assertThat(w.render(new Wkb(0).head(LE, 7).ints(LE, 1).head(LE, 7).ints(LE, 0).bytes())).isEqualTo("GEOMETRYCOLLECTION EMPTY");
        assertThat(w.render(new Wkb(0).head(LE, 7).ints(LE, 2).head(BE, 7).ints(BE, 0).point(LE, 1, 2).bytes()))
                .isEqualTo("GEOMETRYCOLLECTION (GEOMETRYCOLLECTION EMPTY, POINT (1 2))");
        assertThat(w.render(new Wkb(0).head(LE, 5).ints(LE, 1).head(LE, 2).ints(LE, 0).bytes())).isEqualTo("MULTILINESTRING EMPTY");
    }
}
