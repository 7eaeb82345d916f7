package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.compact.Compactor;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.TableChanges;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A table as of a past point, built backwards: the table copied as it is now into a new table,
 * then the archived row changes after the point undone on the copy, newest first. Each undo is a
 * Maxwell record of its own (an insert becomes a delete of its image, a delete an insert of the
 * deleted row, an update an update back: the image overlaid with the old values, whose "old" holds
 * the values it had after), decoded and compacted in batches and applied set-based like any batch,
 * so the values take exactly the path of a replay.
 *
 * <p>Invariants: everything in the caller's transaction on the caller's connection (one
 * {@link TargetSession} of its own); the archive is only read; refusals ({@link
 * ChangeArchive.ArchiveGapException}) come before anything is created.
 */
final class AsOf {

    private static final int CHUNK = 50_000;

    private final TargetSession.Parts parts;
    private final ArchiveReader reader;
    private final SchemaMapping mapping;
    private final MaxwellDecoder decoder = MaxwellDecoder.create();

    AsOf(TargetSession.Parts parts, ArchiveReader reader, SchemaMapping mapping) {
        this.parts = parts;
        this.reader = reader;
        this.mapping = mapping;
    }

    ChangeArchive.AsOfResult build(Connection c, TableId table, ArchivePoint at, String intoSchema, String intoTable) throws SQLException {
        String schema = Names.target(mapping.schemaOf(table.database()));
        TargetTable current = parts.catalog().table(c, schema, Names.target(table.table()));
        if (current == null) {
            throw new ChangeArchive.ArchiveGapException("table " + table + " does not exist in the target as " + Names.qualify(schema,
                    Names.target(table.table())));
        }
        Set<String> pipelines = reader.pipelinesOf(c, table);
        reader.checkCoverage(c, pipelines, at);
        ArchivedEvent barrier = reader.barrierAfter(c, table, at);
        if (barrier != null) {
            throw new ChangeArchive.ArchiveGapException("cannot undo " + ArchiveReader.describe(barrier) + ", which lies after " + at
                    + (barrier.type().startsWith("bootstrap") ? ": a bootstrap replaced the table's rows" : ": DDL is not undone"));
        }
        String into = Names.qualify(Names.target(intoSchema), Names.target(intoTable));
        try (Statement st = c.createStatement()) {
            if (parts.catalog().table(c, Names.target(intoSchema), Names.target(intoTable)) != null) {
                throw new ApplyException("cannot create " + into + ": it already exists", table, null, "42P07", null, null);
            }
            st.execute("CREATE TABLE " + into + " (LIKE " + current.qualified + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)"
                    + distribution(current));
            st.execute("INSERT INTO " + into + " SELECT * FROM " + current.qualified);
        }
        TableId target = TableId.of(intoSchema, intoTable);
        TableShapes shapes = new TableShapes(null, SchemaMapping.DEFAULT, null);
        Compactor compactor = Compactor.builder().keyResolver(t -> shapes.shapeOf(parts.catalog(), c, t)).assumeFullImages(false).build();
        String head = "{\"database\":" + JsonMembers.quote(new StringBuilder(), intoSchema) + ",\"table\":"
                + JsonMembers.quote(new StringBuilder(), intoTable);
        long[] undone = {0};
        reader.rowsAfter(c, table, at, e -> {
            byte[] record = undo(e, head, current).getBytes(StandardCharsets.UTF_8);
            compactor.add(decoder.decode(record, e.stream(), e.offset()));
            if (++undone[0] % CHUNK == 0) {
                apply(c, compactor.finish(), target, intoSchema, intoTable);
            }
        });
        apply(c, compactor.finish(), target, intoSchema, intoTable);
        long rows;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + into)) {
            rs.next();
            rows = rs.getLong(1);
        }
        c.commit();
        parts.changes().endTransaction(true);
        return new ChangeArchive.AsOfResult(into, rows, undone[0]);
    }

    /** @return the Maxwell record that undoes a row change, for the table {@code head} names */
    static String undo(ArchivedEvent e, String head, TargetTable table) {
        StringBuilder sb = new StringBuilder(head);
        Map<String, String> data = JsonMembers.of(e.data());
        String type;
        String image;
        String old = null;
        switch (e.type()) {
            case "insert":
                type = "delete";
                image = e.data();
                break;
            case "delete":
                for (TargetTable.Column col : table.columns) {
                    if (!data.containsKey(col.name())) {
                        throw new ChangeArchive.ArchiveGapException("cannot undo " + ArchiveReader.describe(e) + ": its image lacks column "
                                + col.name() + " (a MINIMAL row image), so the deleted row is not known");
                    }
                }
                type = "insert";
                image = e.data();
                break;
            default:
                type = "update";
                Map<String, String> before = new LinkedHashMap<>(data);
                Map<String, String> after = new LinkedHashMap<>();
                for (Map.Entry<String, String> o : JsonMembers.of(e.old()).entrySet()) {
                    before.put(o.getKey(), o.getValue());
                    after.put(o.getKey(), data.getOrDefault(o.getKey(), "null"));
                }
                image = JsonMembers.write(before);
                old = JsonMembers.write(after);
        }
        sb.append(",\"type\":\"").append(type).append("\",\"ts\":").append(e.time().getEpochSecond());
        // the copy's key, which is the table's (empty for a table without one)
        sb.append(",\"primary_key_columns\":[");
        for (int i = 0; i < table.primaryKey.size(); i++) {
            JsonMembers.quote(sb.append(i == 0 ? "" : ","), table.primaryKey.get(i));
        }
        sb.append(']');
        sb.append(",\"data\":").append(image);
        if (old != null) {
            sb.append(",\"old\":").append(old);
        }
        return sb.append('}').toString();
    }

    private void apply(Connection c, NetBatch batch, TableId target, String intoSchema, String intoTable) throws SQLException {
        if (!batch.rejected().isEmpty()) {
            throw new ApplyException("cannot undo an archived change: " + batch.rejected().get(0).message(), target, null, null, null, null);
        }
        TargetTable t = parts.catalog().table(c, Names.target(intoSchema), Names.target(intoTable));
        for (NetBatch.Step step : batch.steps()) {
            List<ChangesApplier.Resolved> tables = new ArrayList<>();
            for (TableChanges tc : ((NetBatch.Changes) step).tables()) {
                if (!tc.isEmpty()) {
                    tables.add(new ChangesApplier.Resolved(tc, t));
                }
            }
            // in one transaction: a staging table used again is emptied first
            parts.changes().apply(c, tables);
        }
    }

    private String distribution(TargetTable t) {
        if (!parts.dialect().isGreenplum()) {
            return "";
        }
        if (t.primaryKey.isEmpty()) {
            return " DISTRIBUTED RANDOMLY";
        }
        StringBuilder sb = new StringBuilder(" DISTRIBUTED BY (");
        for (int i = 0; i < t.primaryKey.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(Names.quote(t.primaryKey.get(i)));
        }
        return sb.append(')').toString();
    }
}
