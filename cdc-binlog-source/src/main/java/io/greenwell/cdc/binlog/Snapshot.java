package io.greenwell.cdc.binlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableDef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * The initial snapshot: every table of the chosen databases read in one consistent snapshot, and
 * the binlog position it stands at, given as the records Maxwell's bootstrap gives
 * ({@code bootstrap-start}, one {@code bootstrap-insert} per row, {@code bootstrap-complete}: the
 * target reloads each table) after a {@code database-create} per database and a
 * {@code table-create} per table (the server's own {@code SHOW CREATE TABLE}, so that a target
 * without the tables creates them with their lengths and precision; a table that exists with the
 * same columns is left alone).
 *
 * <p>The position: on MariaDB, {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} and the
 * {@code binlog_snapshot_file}/{@code binlog_snapshot_position} it reports, with no lock; on
 * MySQL, the same under {@code FLUSH TABLES WITH READ LOCK} held for the moment it takes to read
 * the binlog's end (the user needs RELOAD), as Maxwell and Debezium do. Values are rendered from
 * the server's text as the binlog's rows are ({@link RowJson}): the same record for the same row.
 *
 * <p>Runs on the source's reader thread, before the binlog.
 */
final class Snapshot {

    /** Where the records go, in order; blocks while the queue is full. */
    interface Sink {
        void accept(byte[] record) throws InterruptedException;
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final Connection c;
    private final boolean mariadb;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    private final Wkt wkt = new Wkt();

    /** @param c a connection of its own, in UTC, reading tinyint(1) and YEAR as numbers */
    Snapshot(Connection c, boolean mariadb) {
        this.c = c;
        this.mariadb = mariadb;
    }

    /** Opens the consistent snapshot: @return the binlog position it stands at */
    BinlogPosition open() throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            if (mariadb) {
                st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                String file = null;
                long pos = -1;
                try (ResultSet rs = st.executeQuery("SHOW STATUS LIKE 'binlog_snapshot_%'")) {
                    while (rs.next()) {
                        if (rs.getString(1).equalsIgnoreCase("binlog_snapshot_file")) {
                            file = rs.getString(2);
                        } else if (rs.getString(1).equalsIgnoreCase("binlog_snapshot_position")) {
                            pos = Long.parseLong(rs.getString(2));
                        }
                    }
                }
                if (file == null || file.isEmpty() || pos < 0) {
                    throw new CdcException("the server reports no binlog_snapshot_file and binlog_snapshot_position for the snapshot");
                }
                return new BinlogPosition(BinlogPosition.fileNumber(file), pos);
            }
            st.execute("FLUSH TABLES WITH READ LOCK");
            try {
                st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                return ServerFacts.end(c);
            } finally {
                st.execute("UNLOCK TABLES");
            }
        }
    }

    /**
     * Reads every table of the state and hands its records over.
     *
     * @param tsSeconds the records' {@code ts}
     */
    void read(SchemaState state, long tsSeconds, Sink sink) throws SQLException, InterruptedException {
        List<String> dbs = new ArrayList<>(state.databases().keySet());
        dbs.sort(Comparator.naturalOrder());
        for (String db : dbs) {
            sink.accept(DdlJson.render(new DdlReader.Change(SchemaChange.Kind.DATABASE_CREATE, db, null, null, null,
                    state.databases().get(db)), tsSeconds * 1000, "CREATE DATABASE IF NOT EXISTS `" + db.replace("`", "``") + "`", null, null, 0));
        }
        List<TableDef> tables = new ArrayList<>(state.tables());
        tables.sort(Comparator.comparing(TableDef::id));
        for (TableDef t : tables) {
            String qualified = "`" + t.database().replace("`", "``") + "`.`" + t.table().replace("`", "``") + "`";
            String create;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW CREATE TABLE " + qualified)) {
                rs.next();
                create = rs.getString(2);
            }
            sink.accept(DdlJson.render(new DdlReader.Change(SchemaChange.Kind.TABLE_CREATE, t.database(), t.table(), null, t, null),
                    tsSeconds * 1000, create, null, null, 0));
            sink.accept(marker(t, "bootstrap-start", tsSeconds));
            try (Statement st = c.createStatement()) {
                st.setFetchSize(1000); // streamed
                // the columns by name, in the definition's order: SELECT * leaves out MariaDB's INVISIBLE columns, which rows have
                StringBuilder select = new StringBuilder("SELECT ");
                for (ColumnDef col : t.columns()) {
                    select.append(select.length() > 7 ? ", `" : "`").append(col.name().replace("`", "``")).append('`');
                }
                try (ResultSet rs = st.executeQuery(select.append(" FROM ").append(qualified).toString())) {
                    while (rs.next()) {
                        sink.accept(row(t, rs, tsSeconds));
                    }
                }
            }
            sink.accept(marker(t, "bootstrap-complete", tsSeconds));
        }
        try (Statement st = c.createStatement()) {
            st.execute("COMMIT");
        }
    }

    private byte[] marker(TableDef t, String type, long ts) {
        try {
            out.reset();
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("database", t.database());
                g.writeStringField("table", t.table());
                g.writeStringField("type", type);
                g.writeNumberField("ts", ts);
                g.writeObjectFieldStart("data");
                g.writeEndObject();
                g.writeEndObject();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new CdcException("cannot write the snapshot's " + type + " of " + t.id() + ": " + e.getMessage(), e);
        }
    }

    private byte[] row(TableDef t, ResultSet rs, long ts) throws SQLException {
        try {
            out.reset();
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("database", t.database());
                g.writeStringField("table", t.table());
                g.writeStringField("type", "bootstrap-insert");
                g.writeNumberField("ts", ts);
                g.writeArrayFieldStart("primary_key_columns");
                for (String k : t.primaryKey()) {
                    g.writeString(k);
                }
                g.writeEndArray();
                g.writeObjectFieldStart("data");
                List<ColumnDef> cols = t.columns();
                for (int i = 0; i < cols.size(); i++) {
                    g.writeFieldName(cols.get(i).name());
                    value(g, t, cols.get(i), rs, i + 1);
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new CdcException("cannot write a snapshot row of " + t.id() + ": " + e.getMessage(), e);
        }
    }

    /** One value, as {@link RowJson} renders the binlog's: from the server's text, or the bytes of binary columns. */
    private void value(JsonGenerator g, TableDef t, ColumnDef col, ResultSet rs, int i) throws IOException, SQLException {
        switch (col.type()) {
            case "tinyint": case "smallint": case "mediumint": case "int": case "bigint": case "year": {
                String v = rs.getString(i);
                if (v == null) {
                    g.writeNull();
                } else {
                    g.writeNumber(new BigInteger(v.trim())); // ZEROFILL's and YEAR 0000's leading zeros are no JSON
                }
                return;
            }
            case "decimal": {
                java.math.BigDecimal v = rs.getBigDecimal(i);
                if (v == null) {
                    g.writeNull();
                } else {
                    g.writeNumber(v);
                }
                return;
            }
            case "float": {
                float v = rs.getFloat(i);
                if (rs.wasNull()) {
                    g.writeNull();
                } else {
                    g.writeNumber(v);
                }
                return;
            }
            case "double": {
                double v = rs.getDouble(i);
                if (rs.wasNull()) {
                    g.writeNull();
                } else {
                    g.writeNumber(v);
                }
                return;
            }
            case "bit": {
                byte[] b = rs.getBytes(i);
                if (b == null) {
                    g.writeNull();
                } else {
                    g.writeNumber(new BigInteger(1, b));
                }
                return;
            }
            case "set": {
                String v = rs.getString(i);
                if (v == null) {
                    g.writeNull();
                    return;
                }
                g.writeStartArray();
                if (!v.isEmpty()) {
                    for (String m : v.split(",", -1)) {
                        g.writeString(m);
                    }
                }
                g.writeEndArray();
                return;
            }
            case "json": {
                String v = rs.getString(i);
                if (v == null) {
                    g.writeNull();
                } else {
                    g.writeRawValue(v);
                }
                return;
            }
            case "geometry": case "point": case "linestring": case "polygon": case "multipoint": case "multilinestring":
            case "multipolygon": case "geometrycollection": {
                byte[] b = rs.getBytes(i); // the SRID and the well-known binary, as the binlog has them
                if (b == null) {
                    g.writeNull();
                } else {
                    try {
                        g.writeString(wkt.render(b));
                    } catch (CdcException e) {
                        throw new CdcException("column " + t.id() + "." + col.name() + ": " + e.getMessage(), e);
                    }
                }
                return;
            }
            default:
                if ("binary".equals(col.charset())) {
                    byte[] b = rs.getBytes(i);
                    if (b == null) {
                        g.writeNull();
                        return;
                    }
                    int n = b.length;
                    if (col.type().equals("binary")) {
                        while (n > 0 && b[n - 1] == 0) {
                            n--; // the binlog leaves BINARY(n)'s trailing zero bytes out
                        }
                    }
                    g.writeString(Base64.getEncoder().encodeToString(n == b.length ? b : java.util.Arrays.copyOf(b, n)));
                    return;
                }
                String v = rs.getString(i); // text, ENUM, and DATE, DATETIME, TIMESTAMP (in UTC), TIME as the server writes them
                if (v == null) {
                    g.writeNull();
                } else {
                    g.writeString(v);
                }
        }
    }
}
