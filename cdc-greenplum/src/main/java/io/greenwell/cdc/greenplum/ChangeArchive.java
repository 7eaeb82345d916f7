package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.event.TableId;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Reads the change archive that a {@link GreenplumTarget} built with
 * {@link GreenplumTarget.Builder#archive(boolean) archive(true)} keeps: the archived events, a
 * row's history, a table as of a past moment, and the MySQL statements that undo changes.
 *
 * <p>Each call works on a connection of its own and leaves nothing open; thread-safe. Built with
 * {@link #builder()}: the same database, control schema and schema mapping as the target's.
 */
public final class ChangeArchive {

    /**
     * One change of a row's history.
     *
     * @param event the archived event, never null
     * @param changes the columns it changed: for an insert every column (before null), for a
     *     delete every column (after null), for an update the changed ones; never null
     */
    public record RowHistory(ArchivedEvent event, List<ColumnChange> changes) {
        /** Validates and copies. */
        public RowHistory {
            Objects.requireNonNull(event, "event");
            changes = List.copyOf(changes);
        }
    }

    /**
     * A column's value before and after a change, as JSON text of Maxwell's values.
     *
     * @param column the MySQL column, never null
     * @param before the value before, or null when the row did not exist
     * @param after the value after, or null when the row no longer exists
     */
    public record ColumnChange(String column, String before, String after) {}

    /**
     * What {@link #asOf} built.
     *
     * @param table the table created, qualified, never null
     * @param rows the rows it holds
     * @param eventsUndone the archived events after the point that were undone
     */
    public record AsOfResult(String table, long rows, long eventsUndone) {}

    /**
     * Which events {@link #flashback} undoes: those of a transaction, or of a time range, of some
     * tables or all.
     *
     * @param pipeline the pipeline whose archive to read, or null for every pipeline's
     * @param xid a MySQL transaction id, or null for a time range
     * @param since the start of the range (inclusive), or null
     * @param until the end of the range (inclusive), or null
     * @param tables the tables, or empty for all
     */
    public record Selection(String pipeline, BigInteger xid, Instant since, Instant until, List<TableId> tables) {
        /** Validates and copies. */
        public Selection {
            tables = tables == null ? List.of() : List.copyOf(tables);
            if (xid == null && since == null && until == null) {
                throw new IllegalArgumentException("select a transaction (xid) or a time range");
            }
        }
    }

    private final TargetSession.Opener opener;
    private final TargetSession.Settings settings;
    private final String schema;

    private ChangeArchive(Builder b) {
        this.opener = b.connections.opener("ChangeArchive");
        this.schema = Names.target(b.controlSchema);
        this.settings = new TargetSession.Settings(null, b.mapping, b.controlSchema, new ValueWriter.Policies(CopyBuffer.Nul.STRIP, true),
                TypeMap.Options.DEFAULT, Map.of(), false, Duration.ZERO, 2, Duration.ofMillis(200), Duration.ofSeconds(2), false, null);
    }

    /** @return a new builder, never null; methods can be chained */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Every change of one row, in the order it applied, following the row through changes of its
     * key (an update whose old values hold key columns continues the history under the new key, and
     * the history before it under the old one).
     *
     * @param table the MySQL table, never null
     * @param key the row's key, column to value as text ({@code id=42}), never null or empty
     * @param since the first moment to show, or null
     * @param until the last moment to show, or null
     * @return the changes, oldest first; empty when the archive holds none; never null
     * @throws ApplyException when the archive cannot be read
     */
    public List<RowHistory> history(TableId table, Map<String, String> key, Instant since, Instant until) {
        Objects.requireNonNull(table, "table");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("name the row by its key: column=value");
        }
        return run("reading the history of " + table, c -> {
            List<RowHistory> out = new ArrayList<>();
            for (ArchivedEvent e : reader().rowHistory(c, table, new LinkedHashMap<>(key), since, until)) {
                out.add(new RowHistory(e, changes(e)));
            }
            return out;
        });
    }

    /**
     * Creates {@code intoSchema.intoTable} holding exactly the rows that the table held right after
     * the last event at or before a point: a copy of the table now, with the archived changes after
     * the point undone, newest first, set-based (compacted, then a few statements per batch of
     * 50,000 events), in one transaction. Undoing is chosen over replaying the archive forward
     * from an empty table because it needs the archive only after the point, not the table's whole
     * history since its creation.
     *
     * @param table the MySQL table, never null
     * @param at the point, never null
     * @param intoSchema the schema of the table to create (it must exist), never null
     * @param intoTable the table to create (it must not exist), never null
     * @return what was built, never null
     * @throws ArchiveGapException when the archive does not hold every change after the point, or
     *     a DDL record or a bootstrap of the table lies after it; names the stream or the event
     * @throws ApplyException when the database refused
     */
    public AsOfResult asOf(TableId table, ArchivePoint at, String intoSchema, String intoTable) {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(at, "at");
        TargetSession session = new TargetSession(opener, settings);
        try {
            return session.run("building " + table + " as of " + at, c -> {
                snapshot(c);
                return new AsOf(session.parts(), reader(), settings.mapping())
                        .build(c, table, at, Objects.requireNonNull(intoSchema, "intoSchema"), Objects.requireNonNull(intoTable, "intoTable"));
            });
        } finally {
            session.close();
        }
    }

    /**
     * The archived events of a selection, in the order they applied.
     *
     * @param selection which events, never null
     * @return the events, oldest first; never null
     * @throws ApplyException when the archive cannot be read
     */
    public List<ArchivedEvent> events(Selection selection) {
        Objects.requireNonNull(selection, "selection");
        return run("reading the archive", c -> reader().select(c, selection));
    }

    /**
     * The MySQL statements that undo the selected changes, newest first, in one transaction (see
     * {@link FlashbackScript}). Run on MySQL, the undo flows back through the pipeline like any
     * other change.
     *
     * @param selection which events, never null
     * @return the script, never null
     * @throws FlashbackException when an event cannot be undone (DDL, a bootstrap, a MINIMAL delete
     *     image, a table the target does not have): it names the event
     * @throws ChangeArchive.ArchiveGapException when the archive holds no event of the selection
     * @throws ApplyException when the archive cannot be read
     */
    public FlashbackScript flashback(Selection selection) {
        Objects.requireNonNull(selection, "selection");
        return run("reading the archive for a flashback", c -> {
            List<ArchivedEvent> events = reader().select(c, selection);
            if (events.isEmpty()) {
                throw new ArchiveGapException("the archive holds no event of " + describe(selection));
            }
            if (selection.xid() != null) {
                oneTransaction(events, selection);
            }
            Catalog catalog = new Catalog(settings.policies());
            Flashback.Columns columns = (database, table) -> {
                try {
                    TargetTable t = catalog.table(c, Names.target(settings.mapping().schemaOf(database)), Names.target(table));
                    if (t == null) {
                        return null;
                    }
                    List<Flashback.Column> cols = new ArrayList<>();
                    for (TargetTable.Column col : t.columns) {
                        cols.add(new Flashback.Column(col.name(), col.type()));
                    }
                    return new Flashback.Table(cols, t.primaryKey);
                } catch (SQLException e) {
                    throw new ApplyException("cannot read table " + database + "." + table + " from the target's catalog: " + e.getMessage(),
                            TableId.of(database, table), null, e.getSQLState(), null, e);
                }
            };
            return Flashback.render(events, columns, describe(selection));
        });
    }

    /**
     * MySQL numbers transactions from a counter that starts again with the server, and servers of
     * one stream (a failover) may share numbers: the events of an xid must be one transaction, of
     * one server and one binlog file, and none after a commit row.
     */
    private static void oneTransaction(List<ArchivedEvent> events, Selection s) {
        ArchivedEvent first = events.get(0);
        for (int i = 1; i < events.size(); i++) {
            ArchivedEvent e = events.get(i);
            ArchivedEvent prev = events.get(i - 1);
            boolean same = java.util.Objects.equals(e.serverId(), first.serverId()) && java.util.Objects.equals(e.binlogFile(), first.binlogFile())
                    && !prev.commit();
            if (!same) {
                throw new ArchiveGapException("xid " + s.xid() + " names more than one transaction: " + ArchiveReader.describe(prev)
                        + " and " + ArchiveReader.describe(e) + "; narrow it with a time range (--since, --until) or a table");
            }
        }
    }

    private static String describe(Selection s) {
        StringBuilder sb = new StringBuilder();
        if (s.xid() != null) {
            sb.append("xid ").append(s.xid());
        }
        if (s.since() != null || s.until() != null) {
            sb.append(sb.length() == 0 ? "" : ", ").append("from ").append(s.since() == null ? "the start" : s.since()).append(" to ")
                    .append(s.until() == null ? "the end" : s.until());
        }
        if (!s.tables().isEmpty()) {
            sb.append(", tables ").append(s.tables());
        }
        if (s.pipeline() != null) {
            sb.append(", pipeline ").append(s.pipeline());
        }
        return sb.toString();
    }

    private ArchiveReader reader() {
        return new ArchiveReader(schema);
    }

    /** Reads of the archive, the checkpoints and the table see one snapshot, whatever batches commit meanwhile. */
    private static void snapshot(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        }
    }

    private <T> T run(String what, TargetSession.Work<T> work) {
        TargetSession session = new TargetSession(opener, settings);
        try {
            return session.run(what, c -> {
                snapshot(c);
                T r = work.run(c);
                c.rollback();
                return r;
            });
        } finally {
            session.close();
        }
    }

    /** @return the columns an event changed */
    static List<ColumnChange> changes(ArchivedEvent e) {
        List<ColumnChange> out = new ArrayList<>();
        Map<String, String> data = JsonMembers.of(e.data());
        if ("update".equals(e.type())) {
            for (Map.Entry<String, String> o : JsonMembers.of(e.old()).entrySet()) {
                out.add(new ColumnChange(o.getKey(), o.getValue(), data.get(o.getKey())));
            }
        } else {
            boolean delete = "delete".equals(e.type());
            for (Map.Entry<String, String> d : data.entrySet()) {
                out.add(new ColumnChange(d.getKey(), delete ? d.getValue() : null, delete ? null : d.getValue()));
            }
        }
        return out;
    }

    /** The archive does not hold what a question needs: it names the stream or the event in the way. */
    public static final class ArchiveGapException extends CdcException {
        private static final long serialVersionUID = 1L;

        /** @param message what is missing or in the way, never null */
        public ArchiveGapException(String message) {
            super(message);
        }
    }

    /** Builds a {@link ChangeArchive}. Either {@link #dataSource} or {@link #jdbcUrl} is required. Not thread-safe. */
    public static final class Builder {
        private final Connections connections = new Connections();
        private String controlSchema = "greenwell";
        private SchemaMapping mapping = SchemaMapping.DEFAULT;

        private Builder() {}

        /**
         * @param dataSource where connections come from, never null
         * @return this builder
         */
        public Builder dataSource(DataSource dataSource) {
            connections.dataSource(dataSource);
            return this;
        }

        /**
         * @param url a {@code jdbc:postgresql:} URL, never null
         * @return this builder
         */
        public Builder jdbcUrl(String url) {
            connections.url(url, null, null);
            return this;
        }

        /**
         * @param url a {@code jdbc:postgresql:} URL, never null
         * @param user the user, or null to take it from the URL
         * @param password the password, or null for none
         * @return this builder
         */
        public Builder jdbcUrl(String url, String user, String password) {
            connections.url(url, user, password);
            return this;
        }

        /**
         * @param schema the target's control schema, never null; default {@code greenwell}
         * @return this builder
         */
        public Builder controlSchema(String schema) {
            this.controlSchema = Objects.requireNonNull(schema, "schema");
            return this;
        }

        /**
         * @param mapping the target's schema mapping (where a MySQL table lives), never null; default {@link SchemaMapping#DEFAULT}
         * @return this builder
         */
        public Builder schemaMapping(SchemaMapping mapping) {
            this.mapping = Objects.requireNonNull(mapping, "mapping");
            return this;
        }

        /**
         * @return the archive reader; it connects on first use
         * @throws CdcException when neither or both of a data source and a URL were given
         */
        public ChangeArchive build() {
            connections.opener("ChangeArchive");
            return new ChangeArchive(this);
        }
    }
}
