package io.greenwell.cdc.binlog;

import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.AnnotateRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.BinlogCheckpointEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.DeleteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventHeaderV4Deserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.FormatDescriptionEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.GtidEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.IntVarEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.MariadbGtidEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.MariadbGtidListEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.NullEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.PreviousGtidSetDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.QueryEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.RotateEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.RowsQueryEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.TableMapEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.TransactionPayloadEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.UpdateRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.WriteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.XAPrepareEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.XidEventDataDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The connector's event deserializer with rows deserializers that read TIME (TIME2, MySQL 5.6.4+
 * and MariaDB 10.1.2+ with {@code mysql56_temporal_format}) with its sign: the connector's own
 * drop the sign bit, so {@code -01:00:00} came out as {@code 01:00:00}. The value is epoch-free
 * microseconds, negative for a negative TIME, like the connector's other temporal values in
 * {@code DATE_AND_TIME_AS_LONG_MICRO}.
 *
 * <p>TIME2's layout (MySQL's {@code my_time_packed_from_binary}): three big-endian bytes holding
 * {@code hours << 12 | minutes << 6 | seconds} offset by {@code 0x800000} (negative values below
 * it), then the fraction in 1 (1-2 digits), 2 (3-4) or 3 (5-6) bytes. For 1-4 digits a negative
 * value's fraction is stored as its complement, so the integer part is one closer to zero; with
 * 5-6 digits the six bytes together are the value offset by {@code 0x800000000000}, the fraction
 * in the low 24 bits.
 */
final class SignedTimeRows {

    private SignedTimeRows() {}

    /** @return an event deserializer with every deserializer the connector registers by default, the rows ones reading signed TIME */
    static EventDeserializer eventDeserializer() {
        Map<Long, TableMapEventData> tables = new HashMap<>();
        Map<EventType, EventDataDeserializer> d = new IdentityHashMap<>();
        d.put(EventType.FORMAT_DESCRIPTION, new FormatDescriptionEventDataDeserializer());
        d.put(EventType.ROTATE, new RotateEventDataDeserializer());
        d.put(EventType.INTVAR, new IntVarEventDataDeserializer());
        d.put(EventType.QUERY, new QueryEventDataDeserializer());
        d.put(EventType.TABLE_MAP, new TableMapEventDataDeserializer());
        d.put(EventType.XID, new XidEventDataDeserializer());
        d.put(EventType.WRITE_ROWS, new Write(tables));
        d.put(EventType.UPDATE_ROWS, new Update(tables));
        d.put(EventType.DELETE_ROWS, new Delete(tables));
        d.put(EventType.EXT_WRITE_ROWS, new Write(tables).setMayContainExtraInformation(true));
        d.put(EventType.EXT_UPDATE_ROWS, new Update(tables).setMayContainExtraInformation(true));
        d.put(EventType.EXT_DELETE_ROWS, new Delete(tables).setMayContainExtraInformation(true));
        d.put(EventType.ROWS_QUERY, new RowsQueryEventDataDeserializer());
        d.put(EventType.GTID, new GtidEventDataDeserializer());
        d.put(EventType.PREVIOUS_GTIDS, new PreviousGtidSetDeserializer());
        d.put(EventType.XA_PREPARE, new XAPrepareEventDataDeserializer());
        d.put(EventType.ANNOTATE_ROWS, new AnnotateRowsEventDataDeserializer());
        d.put(EventType.MARIADB_GTID, new MariadbGtidEventDataDeserializer());
        d.put(EventType.BINLOG_CHECKPOINT, new BinlogCheckpointEventDataDeserializer());
        d.put(EventType.MARIADB_GTID_LIST, new MariadbGtidListEventDataDeserializer());
        d.put(EventType.TRANSACTION_PAYLOAD, new TransactionPayloadEventDataDeserializer()); // refused by the source
        return new EventDeserializer(new EventHeaderV4Deserializer(), new NullEventDataDeserializer(), d, tables);
    }

    /**
     * @param fsp the column's fractional digits, 0-6
     * @return the TIME2 value at the stream's position, in microseconds, signed
     */
    static long readTime2(int fsp, ByteArrayInputStream in) throws IOException {
        long packed;
        if (fsp >= 5) {
            packed = bigEndian(in.read(6)) - 0x800000000000L;
        } else {
            long intPart = bigEndian(in.read(3)) - 0x800000L;
            long frac = 0;
            if (fsp >= 3) {
                frac = bigEndian(in.read(2));
                if (intPart < 0 && frac != 0) {
                    intPart++;
                    frac -= 0x10000;
                }
                frac *= 100;
            } else if (fsp >= 1) {
                frac = bigEndian(in.read(1));
                if (intPart < 0 && frac != 0) {
                    intPart++;
                    frac -= 0x100;
                }
                frac *= 10_000;
            }
            packed = (intPart << 24) + frac;
        }
        long abs = Math.abs(packed);
        long hms = abs >>> 24;
        long micros = ((hms >>> 12 & 0x3FF) * 3600 + (hms >>> 6 & 0x3F) * 60 + (hms & 0x3F)) * 1_000_000L + (abs & 0xFFFFFF);
        return packed < 0 ? -micros : micros;
    }

    private static long bigEndian(byte[] b) {
        long v = 0;
        for (byte x : b) {
            v = v << 8 | (x & 0xFF);
        }
        return v;
    }

    static final class Write extends WriteRowsEventDataDeserializer {
        Write(Map<Long, TableMapEventData> tables) {
            super(tables);
        }

        @Override
        protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return readTime2(meta, in);
        }
    }

    static final class Update extends UpdateRowsEventDataDeserializer {
        Update(Map<Long, TableMapEventData> tables) {
            super(tables);
        }

        @Override
        protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return readTime2(meta, in);
        }
    }

    static final class Delete extends DeleteRowsEventDataDeserializer {
        Delete(Map<Long, TableMapEventData> tables) {
            super(tables);
        }

        @Override
        protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return readTime2(meta, in);
        }
    }
}
