package io.greenwell.cdc.binlog;

import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.binlog.SqlTokens.Kind;
import io.greenwell.cdc.binlog.SqlTokens.Token;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads a DDL statement from the binlog into the schema changes Maxwell would emit for it, and
 * moves the {@link SchemaState} past it. The {@code def} of a created table comes from the
 * statement alone (its columns, key and charsets, the database's charset where the table names
 * none); that of an altered or renamed table from the state's old definition with the
 * statement's changes applied, as MySQL applies them (a column without a charset of its own takes
 * the table's; {@code CONVERT TO} changes every character column and the table's charset).
 *
 * <p>What it reads: {@code CREATE [OR REPLACE] TABLE} with columns or {@code LIKE},
 * {@code ALTER TABLE} with {@code ADD/DROP/MODIFY/CHANGE/RENAME COLUMN}, primary keys added and
 * dropped, {@code RENAME TO}, charsets and the options that change no column, {@code RENAME TABLE},
 * {@code DROP TABLE}, {@code DROP INDEX `PRIMARY` ON t}, and {@code CREATE/ALTER/DROP DATABASE}.
 * An {@code ALTER TABLE}'s clauses take effect as MySQL applies them: drops before adds, and the
 * columns it defines without a charset in the table's charset as the statement leaves it.
 * Every table a statement names is looked at, so that {@code DROP TABLE other.a, shop.b} and a
 * rename into a followed database from another are seen. Temporary tables change nothing.
 * Anything else about a table, and every statement that changes rows without row events
 * ({@code TRUNCATE}, dropping or truncating a partition, importing a tablespace), is refused with
 * a {@link CdcException} naming the statement: a schema or table Greenwell could not follow must
 * stop the pipeline, never diverge silently.
 */
final class DdlReader {

    /** One schema change, as the record Maxwell writes for it. */
    record Change(SchemaChange.Kind kind, String database, String table, TableDef old, TableDef def, String charset) {}

    /** Table options and alter clauses that change no column, no key and no row. */
    private static final Set<String> HARMLESS = Set.of("engine", "comment", "auto_increment", "row_format", "algorithm", "lock", "force",
            "order", "avg_row_length", "checksum", "page_checksum", "compression", "connection", "data", "index", "delay_key_write",
            "encryption", "encrypted", "encryption_key_id", "insert_method", "key_block_size", "max_rows", "min_rows", "pack_keys",
            "password", "stats_auto_recalc", "stats_persistent", "stats_sample_pages", "tablespace", "union", "transactional",
            "page_compressed", "page_compression_level", "ietf_quotes", "with", "without", "partition", "remove", "coalesce",
            "reorganize", "analyze", "check", "optimize", "rebuild", "repair", "enable", "disable", "secondary_engine",
            "autoextend_size", "nowait", "wait", "storage", "start", "alter");
    /** The first words of the clauses of a table body or an {@code ADD} that are not columns. */
    private static final Set<String> CONSTRAINTS = Set.of("constraint", "primary", "index", "key", "unique", "fulltext", "spatial", "foreign",
            "check", "period", "system");
    private static final Set<String> STRING_TYPES = Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext");

    private final SchemaState state;
    private final Predicate<String> included;

    /** @param included whether a database's tables are followed */
    DdlReader(SchemaState state, Predicate<String> included) {
        this.state = state;
        this.included = included;
    }

    /**
     * @param sql the statement, as the QUERY event has it
     * @param session the session's database, or null
     * @param offset where it starts in the binlog ({@link BinlogPosition#commitOffset()})
     * @param at where it starts, for messages ({@code file:position})
     * @return the changes, in order; empty when the statement changes no followed table or database
     * @throws CdcException when the statement is about a followed table or database and cannot be read
     */
    List<Change> read(String sql, String session, long offset, String at) {
        Statement st = new Statement(sql, session, offset, at);
        try {
            return st.read();
        } catch (RuntimeException e) {
            if (e instanceof CdcException) {
                throw e;
            }
            throw st.unreadable("cannot read it (" + e + ")");
        }
    }

    /** The members of an ENUM or SET: {@code ('a','b',...)}, the opening parenthesis next. */
    static List<String> stringList(SqlTokens t) {
        List<String> out = new ArrayList<>();
        if (!t.acceptSymbol('(')) {
            return out;
        }
        while (!t.atEnd() && !t.acceptSymbol(')')) {
            Token v = t.next();
            if (v.kind() == Kind.STRING) {
                out.add(v.text());
            }
        }
        return out;
    }

    /** @return the charset of a collation ({@code utf8mb4_unicode_ci} → {@code utf8mb4}), or null */
    static String charsetOfCollation(String collation) {
        if (collation == null) {
            return null;
        }
        String c = SqlTokens.lower(collation);
        if (c.equals("binary")) {
            return "binary";
        }
        if (c.startsWith("uca1400_")) {
            return null; // MariaDB's collations of any Unicode charset: the charset comes from elsewhere
        }
        int u = c.indexOf('_');
        return u > 0 ? c.substring(0, u) : null;
    }

    /** A column as a statement gives it: its charset only when the statement names one. */
    private record Parsed(ColumnDef column, boolean stringType, boolean inlineKey) {
        ColumnDef withCharset(String tableCharset) {
            if (!stringType) {
                return column;
            }
            String cs = column.charset() != null ? column.charset() : tableCharset;
            String type = column.type();
            if ("binary".equals(cs)) { // a character type in the binary charset is a binary type
                type = switch (type) {
                    case "char" -> "binary";
                    case "varchar" -> "varbinary";
                    default -> type.replace("text", "blob");
                };
            }
            return new ColumnDef(column.name(), type, null, cs, List.of(), null);
        }
    }

    /** One statement's parse. */
    private final class Statement {
        private final String sql;
        private final String session;
        private final long offset;
        private final String at;
        private final SqlTokens t;

        Statement(String sql, String session, long offset, String at) {
            this.sql = sql;
            this.session = session;
            this.offset = offset;
            this.at = at;
            this.t = new SqlTokens(sql);
        }

        CdcException unreadable(String why) {
            String one = sql.replaceAll("\\s+", " ");
            return new CdcException("the binlog source " + why + ": `" + (one.length() > 300 ? one.substring(0, 300) + "…" : one) + "` at "
                    + at + (session == null ? "" : " (database " + session + ")")
                    + "; make the target's tables match by hand and run the source with skipDdl past it, or reload the tables");
        }

        List<Change> read() {
            if (t.accept("create")) {
                boolean replace = t.accept("or", "replace");
                if (t.accept("temporary")) {
                    return List.of();
                }
                if (t.accept("database") || t.accept("schema")) {
                    return createDatabase();
                }
                if (t.accept("table")) {
                    return createTable(replace);
                }
                return List.of();
            }
            if (t.accept("alter")) {
                while (t.accept("online") || t.accept("offline") || t.accept("ignore")) {
                    // no effect on the result
                }
                if (t.accept("database") || t.accept("schema")) {
                    return alterDatabase();
                }
                if (t.accept("table")) {
                    return alterTable();
                }
                return List.of();
            }
            if (t.accept("drop")) {
                if (t.accept("temporary")) {
                    return List.of();
                }
                if (t.accept("database") || t.accept("schema")) {
                    return dropDatabase();
                }
                if (t.accept("table") || t.accept("tables")) {
                    return dropTables();
                }
                if (t.accept("index")) {
                    return dropIndex();
                }
                return List.of();
            }
            if (t.accept("rename", "table") || t.accept("rename", "tables")) {
                return renameTables();
            }
            if (t.accept("truncate")) {
                throw unreadable("cannot follow TRUNCATE, which empties a table without row events");
            }
            throw unreadable("cannot read this statement");
        }

        // ---- databases ----

        private List<Change> createDatabase() {
            boolean ifNotExists = t.accept("if", "not", "exists");
            String db = name();
            String[] cs = databaseOptions();
            if (!included.test(db) || (ifNotExists && state.databaseExists(db, offset))) {
                return List.of();
            }
            String charset = cs[0] != null ? cs[0] : state.serverCharset();
            state.putDatabase(db, charset);
            return List.of(new Change(SchemaChange.Kind.DATABASE_CREATE, db, null, null, null, charset));
        }

        private List<Change> alterDatabase() {
            String db = session;
            Token n = t.peek();
            if (n.kind() == Kind.QUOTED || (n.kind() == Kind.WORD && !Set.of("default", "character", "charset", "collate", "comment", "upgrade",
                    "read").contains(SqlTokens.lower(n.text())))) {
                db = name();
            }
            if (db == null) {
                throw unreadable("cannot tell which database this statement alters");
            }
            String[] cs = databaseOptions();
            if (!included.test(db) || cs[0] == null) {
                return List.of();
            }
            state.putDatabase(db, cs[0]);
            return List.of(new Change(SchemaChange.Kind.DATABASE_ALTER, db, null, null, null, cs[0]));
        }

        /** @return {charset} from {@code [DEFAULT] CHARACTER SET x} or {@code COLLATE y}, with any other options skipped */
        private String[] databaseOptions() {
            String charset = null;
            while (!t.atEnd()) {
                String[] cs = charsetClause();
                if (cs[0] != null) {
                    charset = cs[0];
                } else {
                    t.next();
                }
            }
            return new String[] {charset};
        }

        private List<Change> dropDatabase() {
            t.accept("if", "exists");
            String db = name();
            if (!included.test(db)) {
                return List.of();
            }
            state.removeDatabase(db);
            return List.of(new Change(SchemaChange.Kind.DATABASE_DROP, db, null, null, null, null));
        }

        // ---- tables ----

        private List<Change> createTable(boolean replace) {
            boolean ifNotExists = t.accept("if", "not", "exists");
            TableId id = tableName();
            if (!included.test(id.database())) {
                return List.of();
            }
            if (ifNotExists && state.table(id, offset, sql) != null) {
                return List.of(); // MySQL leaves the table as it is (and a table the state cannot be sure of stops the source)
            }
            TableDef def;
            boolean parenthesisedLike = t.peek().isSymbol('(') && t.peek(1).is("like");
            if (t.accept("like") || parenthesisedLike) {
                if (parenthesisedLike) {
                    t.acceptSymbol('(');
                    t.accept("like");
                }
                TableId from = tableName();
                TableDef src = state.table(from, offset, sql);
                if (src == null) {
                    throw unreadable("does not know table " + from + ", which this statement copies");
                }
                def = new TableDef(id.database(), id.table(), src.charset(), src.columns(), src.primaryKey());
            } else if (t.acceptSymbol('(')) {
                List<Parsed> parsed = new ArrayList<>();
                List<String> key = new ArrayList<>();
                while (!t.atEnd() && !t.acceptSymbol(')')) {
                    if (t.acceptSymbol(',')) {
                        continue;
                    }
                    if (isConstraint()) {
                        List<String> pk = constraint(parsedColumns(parsed));
                        if (pk != null) {
                            key = pk;
                        }
                    } else {
                        Parsed p = column(name());
                        parsed.add(p);
                        if (p.inlineKey) {
                            key = List.of(p.column.name());
                        }
                    }
                }
                String charset = tableOptions();
                if (t.accept("select") || t.accept("as") || (t.peek().isSymbol('(') && t.peek(1).is("select"))) {
                    // in ROW format the server logs CREATE TABLE ... SELECT as the table's full CREATE TABLE, then the rows
                    throw unreadable("cannot tell the columns a CREATE TABLE ... SELECT adds (a session writing STATEMENT binlog?)");
                }
                String tableCharset = charset != null ? charset : state.databaseCharset(id.database());
                List<ColumnDef> cols = new ArrayList<>();
                for (Parsed p : parsed) {
                    cols.add(p.withCharset(tableCharset));
                }
                def = new TableDef(id.database(), id.table(), tableCharset, cols, key);
            } else {
                throw unreadable("cannot read a CREATE TABLE without its columns");
            }
            List<Change> out = new ArrayList<>();
            if (replace) {
                out.add(new Change(SchemaChange.Kind.TABLE_DROP, id.database(), id.table(), null, null, null));
            }
            state.put(def);
            out.add(new Change(SchemaChange.Kind.TABLE_CREATE, id.database(), id.table(), null, def, null));
            return out;
        }

        private List<Change> dropTables() {
            t.accept("if", "exists");
            List<Change> out = new ArrayList<>();
            do {
                TableId id = tableName();
                if (included.test(id.database())) {
                    state.remove(id);
                    out.add(new Change(SchemaChange.Kind.TABLE_DROP, id.database(), id.table(), null, null, null));
                }
            } while (t.acceptSymbol(','));
            return out;
        }

        /** {@code DROP INDEX name ON t}: a change only when the index is the primary key ({@code `PRIMARY`}). */
        private List<Change> dropIndex() {
            while (t.accept("online") || t.accept("offline")) {
                // no effect on the result
            }
            t.accept("if", "exists");
            String index = name();
            if (!t.accept("on")) {
                throw unreadable("cannot read this DROP INDEX");
            }
            TableId id = tableName();
            if (!included.test(id.database()) || !index.equalsIgnoreCase("primary")) {
                return List.of();
            }
            TableDef old = known(id);
            TableDef def = new TableDef(id.database(), id.table(), old.charset(), old.columns(), List.of());
            state.put(def);
            return List.of(new Change(SchemaChange.Kind.TABLE_ALTER, id.database(), id.table(), old, def, null));
        }

        private List<Change> renameTables() {
            List<Change> out = new ArrayList<>();
            boolean ifExists = t.accept("if", "exists"); // MariaDB: a pair whose table is missing is passed over
            do {
                TableId from = tableName();
                if (t.accept("wait")) { // MariaDB: WAIT n | NOWAIT
                    t.next();
                } else {
                    t.accept("nowait");
                }
                if (!t.accept("to")) {
                    throw unreadable("cannot read this RENAME TABLE");
                }
                TableId to = tableName();
                if (!included.test(from.database()) && !included.test(to.database())) {
                    continue;
                }
                if (ifExists && state.table(from, offset, sql) == null) {
                    continue;
                }
                TableDef old = known(from);
                TableDef def = new TableDef(to.database(), to.table(), old.charset(), old.columns(), old.primaryKey());
                state.remove(from);
                if (included.test(to.database())) {
                    state.put(def);
                }
                out.add(new Change(SchemaChange.Kind.TABLE_ALTER, from.database(), from.table(), old, def, null));
            } while (t.acceptSymbol(','));
            return out;
        }

        private TableDef known(TableId id) {
            TableDef old = state.table(id, offset, sql);
            if (old == null) {
                throw unreadable("does not know table " + id + (included.test(id.database()) ? "" : " (its database is not followed)"));
            }
            return old;
        }

        private List<Change> alterTable() {
            boolean ifExists = t.accept("if", "exists");
            TableId id = tableName();
            if (!included.test(id.database())) {
                TableId to = renameTarget();
                if (to != null && included.test(to.database())) {
                    known(id); // a table moved into the followed databases, whose definition is not followed: refused
                }
                return List.of();
            }
            if (ifExists && !state.surelyExists(id, offset) && state.table(id, offset, sql) == null) {
                return List.of();
            }
            TableDef old = known(id);
            List<ColumnDef> cols = new ArrayList<>(old.columns());
            List<String> key = new ArrayList<>(old.primaryKey());
            String charset = old.charset();
            TableId to = id;
            // MySQL drops before it adds, whatever the order of the clauses: a key added here wins over a DROP PRIMARY KEY
            List<String> addedKey = null;
            // the columns this statement defines without a charset take the table's as it is at the statement's end
            java.util.Map<String, Parsed> tableCharsetColumns = new java.util.HashMap<>();
            String converted = null;
            while (!t.atEnd()) {
                if (t.acceptSymbol(',') || t.acceptSymbol(';')) {
                    continue;
                }
                Token w = t.next();
                String word = w.kind() == Kind.WORD ? SqlTokens.lower(w.text()) : "";
                switch (word) {
                    case "add": {
                        boolean column = t.accept("column");
                        boolean ifNotExists = t.accept("if", "not", "exists");
                        if (!column && isConstraint()) {
                            List<String> pk = constraint(cols);
                            if (pk != null) {
                                addedKey = pk;
                            }
                        } else if (!column && t.peek().is("partition")) {
                            t.skipItem();
                        } else if (t.acceptSymbol('(')) {
                            while (!t.atEnd() && !t.acceptSymbol(')')) {
                                if (t.acceptSymbol(',')) {
                                    continue;
                                }
                                if (isConstraint()) {
                                    List<String> pk = constraint(cols);
                                    if (pk != null) {
                                        addedKey = pk;
                                    }
                                    continue;
                                }
                                Parsed p = column(name());
                                if (addColumn(cols, p, tableCharsetColumns, ifNotExists, -1) && p.inlineKey) {
                                    addedKey = List.of(p.column.name());
                                }
                            }
                        } else {
                            Parsed p = column(name());
                            if (addColumn(cols, p, tableCharsetColumns, ifNotExists, place(cols)) && p.inlineKey) {
                                addedKey = List.of(p.column.name());
                            }
                        }
                        break;
                    }
                    case "drop": {
                        int named = t.peek(1).is("if") && t.peek(2).is("exists") ? 3 : 1;
                        if (t.accept("primary", "key")) {
                            key.clear();
                        } else if ((t.peek().is("index") || t.peek().is("key") || t.peek().is("constraint")) && t.peek(named).isName()
                                && t.peek(named).text().equalsIgnoreCase("primary")) {
                            for (int k = 0; k <= named; k++) {
                                t.next();
                            }
                            key.clear(); // DROP INDEX [IF EXISTS] `PRIMARY`, DROP CONSTRAINT `PRIMARY`
                        } else if (t.peek().is("partition")) {
                            throw unreadable("cannot follow a dropped partition, whose rows go without row events");
                        } else if (t.peek().is("index") || t.peek().is("key") || t.peek().is("foreign") || t.peek().is("constraint")
                                || t.peek().is("check") || t.peek().is("period") || t.peek().is("system")) {
                            t.skipItem();
                        } else {
                            t.accept("column");
                            boolean ifExists2 = t.accept("if", "exists");
                            String name = name();
                            int at = indexOf(cols, name);
                            if (at < 0 && !ifExists2) {
                                throw unreadable("finds no column " + name + " in " + id + " to drop");
                            }
                            if (at >= 0) {
                                key.removeIf(k -> k.equalsIgnoreCase(name));
                                cols.remove(at);
                            }
                            t.accept("restrict");
                            t.accept("cascade");
                        }
                        break;
                    }
                    case "modify":
                    case "change": {
                        t.accept("column");
                        boolean ifExists2 = t.accept("if", "exists");
                        String from = name();
                        int at = indexOf(cols, from);
                        Parsed p = column(word.equals("modify") ? from : name());
                        if (at < 0) {
                            if (ifExists2) {
                                place(cols);
                                break;
                            }
                            throw unreadable("finds no column " + from + " in " + id);
                        }
                        String oldName = cols.get(at).name();
                        cols.remove(at);
                        int moved = place(cols);
                        ColumnDef c = p.withCharset(charset);
                        cols.add(moved >= 0 ? moved : at, c);
                        tableCharsetColumns.remove(SqlTokens.lower(oldName));
                        if (p.stringType && p.column.charset() == null) {
                            tableCharsetColumns.put(SqlTokens.lower(c.name()), p);
                        }
                        key.replaceAll(k -> k.equalsIgnoreCase(oldName) ? c.name() : k);
                        if (p.inlineKey) {
                            addedKey = List.of(c.name());
                        }
                        break;
                    }
                    case "rename": {
                        if (t.accept("column")) {
                            String from = name();
                            t.accept("to");
                            String name = name();
                            int at = indexOf(cols, from);
                            if (at < 0) {
                                throw unreadable("finds no column " + from + " in " + id);
                            }
                            ColumnDef c = cols.get(at);
                            cols.set(at, new ColumnDef(name, c.type(), c.signed(), c.charset(), c.enumValues(), c.columnLength()));
                            key.replaceAll(k -> k.equalsIgnoreCase(c.name()) ? name : k);
                        } else if (t.peek().is("index") || t.peek().is("key")) {
                            t.skipItem();
                        } else {
                            if (!t.accept("to")) {
                                t.accept("as");
                            }
                            to = tableName(); // unqualified: the session's database, as MySQL takes it
                        }
                        break;
                    }
                    case "convert": {
                        if (!t.accept("to")) {
                            throw unreadable("cannot read this CONVERT");
                        }
                        String[] cs = charsetClause();
                        if (cs[0] == null) {
                            throw unreadable("cannot read this CONVERT");
                        }
                        charset = cs[0];
                        converted = charset; // every character column, those this statement adds with a charset of their own too
                        break;
                    }
                    case "default":
                    case "character":
                    case "charset":
                    case "collate": {
                        if (!word.equals("default")) {
                            t.prev();
                        }
                        String[] cs = charsetClause();
                        if (cs[0] != null) {
                            charset = cs[0];
                        }
                        break;
                    }
                    case "truncate":
                    case "exchange":
                    case "import":
                    case "discard":
                        throw unreadable("cannot follow " + word.toUpperCase(java.util.Locale.ROOT)
                                + " of a partition or tablespace, which changes rows without row events");
                    default:
                        if (!HARMLESS.contains(word)) {
                            throw unreadable("cannot read the clause " + w.text() + " of this ALTER TABLE");
                        }
                        t.skipItem();
                }
            }
            if (addedKey != null) {
                key = new ArrayList<>(addedKey);
            }
            for (int i = 0; i < cols.size(); i++) {
                Parsed p = tableCharsetColumns.get(SqlTokens.lower(cols.get(i).name()));
                if (p != null) {
                    cols.set(i, p.withCharset(charset));
                }
                ColumnDef c = cols.get(i);
                if (converted != null && STRING_TYPES.contains(c.type())) {
                    cols.set(i, new ColumnDef(c.name(), c.type(), null, converted, List.of(), null));
                }
            }
            TableDef def = new TableDef(to.database(), to.table(), charset, cols, key);
            state.remove(id);
            if (included.test(to.database())) {
                state.put(def);
            }
            return List.of(new Change(SchemaChange.Kind.TABLE_ALTER, id.database(), id.table(), old, def, null));
        }

        /** @return whether the column was added (not an {@code IF NOT EXISTS} of one that is there) */
        private boolean addColumn(List<ColumnDef> cols, Parsed p, java.util.Map<String, Parsed> tableCharsetColumns, boolean ifNotExists,
                int at) {
            ColumnDef c = p.column;
            if (indexOf(cols, c.name()) >= 0) {
                if (ifNotExists) {
                    return false;
                }
                throw unreadable("finds column " + c.name() + " already there");
            }
            cols.add(at >= 0 ? at : cols.size(), p.withCharset(null));
            if (p.stringType && c.charset() == null) {
                tableCharsetColumns.put(SqlTokens.lower(c.name()), p);
            }
            return true;
        }

        /** The table an ALTER TABLE renames its table to, read from the clauses that follow; @return null when it renames none */
        private TableId renameTarget() {
            while (!t.atEnd()) {
                if (t.peek().isSymbol('(')) {
                    t.skipGroup();
                    continue;
                }
                Token w = t.next();
                if (w.is("rename") && !t.peek().is("column") && !t.peek().is("index") && !t.peek().is("key")) {
                    if (!t.accept("to")) {
                        t.accept("as");
                    }
                    return tableName();
                }
                if (w.is("exchange")) {
                    while (!t.atEnd() && !t.accept("with", "table")) {
                        t.next();
                    }
                    if (!t.atEnd() && included.test(tableName().database())) {
                        throw unreadable("cannot follow EXCHANGE PARTITION, which changes rows without row events");
                    }
                }
            }
            return null;
        }

        /** {@code FIRST} or {@code AFTER c}: @return where the column goes, or -1 for its place (the end for an added one) */
        private int place(List<ColumnDef> cols) {
            if (t.accept("first")) {
                return 0;
            }
            if (t.accept("after")) {
                String after = name();
                int at = indexOf(cols, after);
                if (at < 0) {
                    throw unreadable("finds no column " + after);
                }
                return at + 1;
            }
            return -1;
        }

        /** {@code [DEFAULT] CHARACTER SET [=] x [COLLATE [=] y]}: @return {charset, or null} */
        private String[] charsetClause() {
            String charset = null;
            String collation = null;
            while (true) {
                t.accept("default");
                if (t.accept("character", "set") || t.accept("charset")) {
                    t.acceptSymbol('=');
                    charset = SqlTokens.lower(t.next().text());
                } else if (t.accept("collate")) {
                    t.acceptSymbol('=');
                    collation = t.next().text();
                } else {
                    break;
                }
            }
            return new String[] {charset != null ? charset : charsetOfCollation(collation)};
        }

        /** The options after a table body: @return the table's charset, or null when they name none */
        private String tableOptions() {
            String charset = null;
            while (!t.atEnd()) {
                Token n = t.peek();
                if (n.is("select") || n.is("as") || n.is("partition") || n.isSymbol('(')) {
                    break;
                }
                if (n.is("union")) { // a MERGE table's UNION=(t1, t2)
                    t.next();
                    t.acceptSymbol('=');
                    if (t.peek().isSymbol('(')) {
                        t.skipGroup();
                    }
                } else if (n.is("default") || n.is("character") || n.is("charset") || n.is("collate")) {
                    String[] cs = charsetClause();
                    if (cs[0] != null) {
                        charset = cs[0];
                    }
                    if (n.is("default") && cs[0] == null) {
                        t.next();
                    }
                } else {
                    t.next();
                }
            }
            return charset;
        }

        private boolean isConstraint() {
            Token n = t.peek();
            if (n.kind() != Kind.WORD || !CONSTRAINTS.contains(SqlTokens.lower(n.text()))) {
                return false;
            }
            // a column may be called period or system: those begin clauses only as PERIOD FOR and SYSTEM VERSIONING
            return !(n.is("period") && !t.peek(1).is("for")) && !(n.is("system") && !t.peek(1).is("versioning"));
        }

        /** A key or constraint clause: @return the primary key's columns when it is one, else null (skipped) */
        private List<String> constraint(List<ColumnDef> cols) {
            if (t.accept("constraint")) {
                if (!t.peek().is("primary") && !t.peek().is("unique") && !t.peek().is("foreign") && !t.peek().is("check")) {
                    t.next(); // the constraint's name
                }
            }
            if (!t.accept("primary", "key")) {
                t.skipItem();
                return null;
            }
            while (!t.peek().isSymbol('(') && !t.atEnd()) {
                t.next(); // USING BTREE, an index name
            }
            List<String> key = new ArrayList<>();
            t.acceptSymbol('(');
            while (!t.atEnd() && !t.acceptSymbol(')')) {
                if (t.acceptSymbol(',')) {
                    continue;
                }
                String n = name();
                int at = indexOf(cols, n);
                key.add(at >= 0 ? cols.get(at).name() : n);
                if (t.peek().isSymbol('(')) {
                    t.skipGroup(); // a prefix length
                }
                t.accept("asc");
                t.accept("desc");
            }
            t.skipItem(); // USING, COMMENT
            return key;
        }

        private List<ColumnDef> parsedColumns(List<Parsed> parsed) {
            List<ColumnDef> out = new ArrayList<>();
            for (Parsed p : parsed) {
                out.add(p.column);
            }
            return out;
        }

        /** A column definition after its name: the type, then attributes up to the next comma or closing parenthesis. */
        private Parsed column(String name) {
            Token tt = t.next();
            if (tt.kind() != Kind.WORD) {
                throw unreadable("cannot read the type of column " + name);
            }
            String w = SqlTokens.lower(tt.text());
            String type;
            Boolean signed = null;
            boolean string = false;
            String charset = null;
            Integer fsp = null;
            List<String> values = List.of();
            switch (w) {
                case "tinyint": case "int1": type = "tinyint"; signed = true; break;
                case "smallint": case "int2": type = "smallint"; signed = true; break;
                case "mediumint": case "int3": case "middleint": type = "mediumint"; signed = true; break;
                case "int": case "integer": case "int4": type = "int"; signed = true; break;
                case "bigint": case "int8": type = "bigint"; signed = true; break;
                case "bool": case "boolean": type = "tinyint"; signed = true; break;
                case "serial": type = "bigint"; signed = false; break;
                case "decimal": case "dec": case "numeric": case "fixed": type = "decimal"; break;
                case "float": case "float4": type = "float"; break;
                case "double": case "float8": case "real": type = "double"; t.accept("precision"); break;
                case "bit": case "date": case "year": case "json":
                case "geometry": case "point": case "linestring": case "polygon": case "multipoint": case "multilinestring":
                case "multipolygon": case "geometrycollection":
                    type = w; break;
                case "geomcollection": type = "geometrycollection"; break;
                case "datetime": case "timestamp": case "time": type = w; fsp = 0; break;
                case "char": case "character":
                    type = t.accept("varying") ? "varchar" : "char"; string = true; break;
                case "varchar": case "varcharacter": type = "varchar"; string = true; break;
                case "nchar": type = "char"; string = true; charset = "utf8mb3"; break;
                case "nvarchar": type = "varchar"; string = true; charset = "utf8mb3"; break;
                case "national":
                    if (t.accept("varchar") || t.accept("varcharacter")) {
                        type = "varchar";
                    } else {
                        if (!t.accept("char") && !t.accept("character")) {
                            throw unreadable("cannot read the type of column " + name);
                        }
                        type = t.accept("varying") ? "varchar" : "char";
                    }
                    string = true;
                    charset = "utf8mb3";
                    break;
                case "binary": case "varbinary": case "tinyblob": case "blob": case "mediumblob": case "longblob":
                    type = w; charset = "binary"; break;
                case "tinytext": case "text": case "mediumtext": case "longtext": type = w; string = true; break;
                case "long":
                    if (t.accept("varbinary")) {
                        type = "mediumblob";
                        charset = "binary";
                    } else {
                        t.accept("varchar");
                        t.accept("varcharacter");
                        type = "mediumtext";
                        string = true;
                    }
                    break;
                case "enum": case "set": type = w; values = stringList(t); break;
                default:
                    throw unreadable("cannot read the type " + tt.text() + " of column " + name);
            }
            if (fsp != null && t.acceptSymbol('(')) {
                fsp = Integer.parseInt(t.next().text());
                t.acceptSymbol(')');
            } else if (t.peek().isSymbol('(')) {
                t.skipGroup();
            }
            boolean inlineKey = false;
            boolean unique = false;
            String collation = null;
            while (!t.atEnd() && !t.peek().isSymbol(',') && !t.peek().isSymbol(')') && !t.peek().is("first") && !t.peek().is("after")) {
                if (t.peek().isSymbol('(')) {
                    t.skipGroup();
                    continue;
                }
                Token a = t.next();
                if (a.is("unsigned") || a.is("zerofill")) {
                    if (signed != null) {
                        signed = false;
                    }
                } else if ((a.is("character") && t.accept("set")) || a.is("charset")) {
                    charset = SqlTokens.lower(t.next().text());
                } else if (a.is("collate")) {
                    collation = t.next().text();
                } else if (a.is("ascii") && string) {
                    charset = "latin1";
                } else if (a.is("unicode") && string) {
                    charset = "ucs2";
                } else if (a.is("unique")) {
                    unique = true;
                } else if (a.is("primary")) {
                    t.accept("key");
                    inlineKey = true;
                } else if (a.is("key")) {
                    inlineKey |= !unique; // KEY alone is PRIMARY KEY; UNIQUE KEY is not
                    unique = false;
                }
            }
            if (charset == null && collation != null) {
                charset = charsetOfCollation(collation);
            }
            if (!string && charset != null && !"binary".equals(charset)) {
                charset = null; // ENUM and SET carry none in Maxwell's model
            }
            return new Parsed(new ColumnDef(name, type, signed, string || "binary".equals(charset) ? charset : null, values, fsp), string,
                    inlineKey);
        }

        private TableId tableName() {
            return tableName(session);
        }

        private TableId tableName(String defaultDb) {
            String first = name();
            if (t.acceptSymbol('.')) {
                return new TableId(first, name());
            }
            if (defaultDb == null) {
                throw unreadable("cannot tell the database of table " + first + " (no database in use)");
            }
            return new TableId(defaultDb, first);
        }

        private String name() {
            Token n = t.next();
            if (!n.isName() && n.kind() != Kind.STRING) {
                throw unreadable("expected a name, found `" + n.text() + "`");
            }
            return n.text();
        }
    }

    private static int indexOf(List<ColumnDef> cols, String name) {
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }
}
