package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.event.TableId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Which MySQL tables are replicated and into which target schema. A MySQL database becomes the
 * target schema of the same exact name unless mapped otherwise; a table keeps its exact name.
 *
 * <p>Filters are globs ({@code *} any run of characters, {@code ?} one character) over
 * {@code database} or {@code database.table}: a pattern without a dot names whole databases. A
 * table is replicated when no include is given or one matches, and no exclude matches. Maxwell's
 * own {@code maxwell} database is excluded unless {@link Builder#includeMaxwell()} is called.
 * Immutable and thread-safe.
 */
public final class SchemaMapping {

    /** The default: same names, everything but {@code maxwell}. */
    public static final SchemaMapping DEFAULT = builder().build();

    private final Map<String, String> schemas;
    private final Function<String, String> mapper;
    private final List<Glob> includes;
    private final List<Glob> excludes;
    /** Decisions per table: the pipeline asks once per event, globs are regular expressions. */
    private final Map<TableId, Boolean> decided = new java.util.concurrent.ConcurrentHashMap<>();

    private SchemaMapping(Builder b) {
        this.schemas = Map.copyOf(b.schemas);
        this.mapper = b.mapper;
        this.includes = List.copyOf(b.includes);
        List<Glob> ex = new ArrayList<>(b.excludes);
        if (!b.includeMaxwell) {
            ex.add(Glob.parse("maxwell"));
        }
        this.excludes = List.copyOf(ex);
    }

    /** @return a new builder with the defaults, never null; methods can be chained */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param database a MySQL database, never null
     * @return the target schema it maps to, never null
     */
    public String schemaOf(String database) {
        String s = schemas.get(database);
        if (s == null) {
            s = Objects.requireNonNull(mapper.apply(database), "the schema mapper returned null");
        }
        return s;
    }

    /**
     * @param table a MySQL table, never null
     * @return true when it is replicated
     */
    public boolean includes(TableId table) {
        Boolean known = decided.get(table);
        if (known == null) {
            known = decide(table);
            if (decided.size() < 100_000) {
                decided.put(table, known);
            }
        }
        return known;
    }

    private boolean decide(TableId table) {
        if (!includes.isEmpty()) {
            boolean any = false;
            for (Glob g : includes) {
                if (g.matches(table.database(), table.table())) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        for (Glob g : excludes) {
            if (g.matches(table.database(), table.table())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The inverse of {@link #schemaOf} for a table found in the target: whether a replicated MySQL
     * table lands there. A schema is that of the databases {@link Builder#map} maps to it, or of
     * the database of its own name when the mapper maps that one to it (the default mapper does).
     * A mapper that renames cannot be inverted: its schemas count only when {@link Builder#map} names them.
     *
     * @param schema a target schema, never null
     * @param table a target table, never null
     * @return true when the mapping puts a replicated table there
     */
    boolean includesTarget(String schema, String table) {
        for (Map.Entry<String, String> e : schemas.entrySet()) {
            if (e.getValue().equals(schema) && includes(new TableId(e.getKey(), table))) {
                return true;
            }
        }
        return !schemas.containsKey(schema) && schema.equals(mapper.apply(schema)) && includes(new TableId(schema, table));
    }

    /**
     * @param database a MySQL database, never null
     * @return true when some of its tables may be replicated, so that its schema is created
     */
    public boolean includesDatabase(String database) {
        if (!includes.isEmpty()) {
            boolean any = false;
            for (Glob g : includes) {
                if (g.database.matcher(database).matches()) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        for (Glob g : excludes) {
            if (g.table == null && g.database.matcher(database).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Builds a {@link SchemaMapping}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, String> schemas = new HashMap<>();
        private Function<String, String> mapper = Function.identity();
        private final List<Glob> includes = new ArrayList<>();
        private final List<Glob> excludes = new ArrayList<>();
        private boolean includeMaxwell;

        private Builder() {}

        /**
         * Maps one database to a schema.
         *
         * @param database the MySQL database, never null
         * @param schema the target schema, never null
         * @return this builder
         */
        public Builder map(String database, String schema) {
            schemas.put(Objects.requireNonNull(database, "database"), Objects.requireNonNull(schema, "schema"));
            return this;
        }

        /**
         * Maps the databases that {@link #map} does not name.
         *
         * @param mapper database to schema, never null, never returning null
         * @return this builder
         */
        public Builder mapper(Function<String, String> mapper) {
            this.mapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /**
         * Replicates only what matches this or another include.
         *
         * @param glob {@code database} or {@code database.table}, never null
         * @return this builder
         */
        public Builder include(String glob) {
            includes.add(Glob.parse(glob));
            return this;
        }

        /**
         * Never replicates what matches.
         *
         * @param glob {@code database} or {@code database.table}, never null
         * @return this builder
         */
        public Builder exclude(String glob) {
            excludes.add(Glob.parse(glob));
            return this;
        }

        /**
         * Replicates Maxwell's own {@code maxwell} database too (excluded by default).
         *
         * @return this builder
         */
        public Builder includeMaxwell() {
            includeMaxwell = true;
            return this;
        }

        /** @return the mapping, never null */
        public SchemaMapping build() {
            return new SchemaMapping(this);
        }
    }

    /** A database glob and an optional table glob. */
    private static final class Glob {
        final Pattern database;
        final Pattern table;

        private Glob(Pattern database, Pattern table) {
            this.database = database;
            this.table = table;
        }

        static Glob parse(String glob) {
            Objects.requireNonNull(glob, "glob");
            if (glob.isEmpty()) {
                throw new IllegalArgumentException("empty filter pattern");
            }
            int dot = glob.indexOf('.');
            if (dot < 0) {
                return new Glob(compile(glob), null);
            }
            return new Glob(compile(glob.substring(0, dot)), compile(glob.substring(dot + 1)));
        }

        boolean matches(String db, String tbl) {
            return database.matcher(db).matches() && (table == null || table.matcher(tbl).matches());
        }

        private static Pattern compile(String glob) {
            StringBuilder re = new StringBuilder();
            StringBuilder lit = new StringBuilder();
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (c == '*' || c == '?') {
                    if (lit.length() > 0) {
                        re.append(Pattern.quote(lit.toString()));
                        lit.setLength(0);
                    }
                    re.append(c == '*' ? ".*" : ".");
                } else {
                    lit.append(c);
                }
            }
            if (lit.length() > 0) {
                re.append(Pattern.quote(lit.toString()));
            }
            return Pattern.compile(re.toString(), Pattern.DOTALL);
        }
    }
}
