package io.greenwell.cdc.binlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.TableDef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The record Maxwell writes for a schema change ({@code output_ddl}): {@code type},
 * {@code database}, {@code table}, {@code old} and {@code def} as Maxwell's table model
 * ({@code primary-key}, {@code columns} with {@code signed}, {@code charset},
 * {@code enum-values} or {@code column-length} where the type has one), {@code charset} for a
 * database, {@code ts} in milliseconds, {@code sql}, {@code position} and the GTID.
 */
final class DdlJson {

    private static final JsonFactory JSON = new JsonFactory();

    private DdlJson() {}

    static byte[] render(DdlReader.Change c, long tsMillis, String sql, String position, String gtid, long serverId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", c.kind().wireName());
            g.writeStringField("database", c.database());
            if (c.table() != null) {
                g.writeStringField("table", c.table());
            }
            if (c.old() != null) {
                g.writeFieldName("old");
                table(g, c.old());
            }
            if (c.def() != null) {
                g.writeFieldName("def");
                table(g, c.def());
            }
            if (c.charset() != null) {
                g.writeStringField("charset", c.charset());
            }
            g.writeNumberField("ts", tsMillis);
            g.writeStringField("sql", sql);
            if (position != null) {
                g.writeStringField("position", position);
            }
            if (gtid != null) {
                g.writeStringField("gtid", gtid);
            }
            if (serverId > 0) {
                g.writeNumberField("server_id", serverId);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** @return a {@code table-create} record of a table's definition alone, as the schema history keeps it */
    static byte[] tableRecord(TableDef def) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "table-create");
            g.writeStringField("database", def.database());
            g.writeStringField("table", def.table());
            g.writeFieldName("def");
            table(g, def);
            g.writeNumberField("ts", 0);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void table(JsonGenerator g, TableDef t) throws IOException {
        g.writeStartObject();
        g.writeStringField("database", t.database());
        if (t.charset() != null) {
            g.writeStringField("charset", t.charset());
        }
        g.writeStringField("table", t.table());
        g.writeArrayFieldStart("primary-key");
        for (String k : t.primaryKey()) {
            g.writeString(k);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("columns");
        for (ColumnDef col : t.columns()) {
            g.writeStartObject();
            g.writeStringField("type", col.type());
            g.writeStringField("name", col.name());
            if (col.signed() != null) {
                g.writeBooleanField("signed", col.signed());
            }
            if (col.charset() != null) {
                g.writeStringField("charset", col.charset());
            }
            if (!col.enumValues().isEmpty() || col.type().equals("enum") || col.type().equals("set")) {
                g.writeArrayFieldStart("enum-values");
                for (String v : col.enumValues()) {
                    g.writeString(v);
                }
                g.writeEndArray();
            }
            if (col.columnLength() != null) {
                g.writeNumberField("column-length", col.columnLength());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}
