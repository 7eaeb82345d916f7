package io.greenwell.examples;

import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.greenplum.ArchivePoint;
import io.greenwell.cdc.greenplum.ChangeArchive;
import io.greenwell.cdc.greenplum.FlashbackScript;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The commands that read the change archive ({@code --archive} on a pipeline command keeps it):
 * {@code history}, {@code as-of} and {@code flashback}, each a thin shell over {@link ChangeArchive}.
 */
final class ArchiveCommands {

    private ArchiveCommands() {}

    /** What every archive command needs: the database, and the archive read through it. */
    abstract static class Base implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        DatabaseOptions db;

        @CommandLine.Mixin
        MappingOptions mapping;

        ChangeArchive archive(CommandLine cl) {
            return ChangeArchive.builder().jdbcUrl(db.url(cl), db.user, db.password(cl)).schemaMapping(mapping.mapping(cl)).build();
        }

        static TableId table(CommandLine cl, String option, String value) {
            int dot = value.indexOf('.');
            if (dot <= 0 || dot == value.length() - 1) {
                throw ConfigFile.badValue(cl, option, value, option + " takes database.table");
            }
            return TableId.of(value.substring(0, dot), value.substring(dot + 1));
        }

        static Instant time(CommandLine cl, String option, String value) {
            if (value == null) {
                return null;
            }
            try {
                ArchivePoint p = ArchivePoint.parse(value);
                if (p.time() == null) {
                    throw new IllegalArgumentException("a time, not a binlog position: " + value);
                }
                return p.time();
            } catch (IllegalArgumentException e) {
                throw ConfigFile.badValue(cl, option, value, e.getMessage());
            }
        }
    }

    /** {@code greenwell history}: every change of one row. */
    @Command(name = "history", mixinStandardHelpOptions = true,
            description = {"Prints every archived change of one row, oldest first, following changes of its key.",
                "One line per change: time, binlog position, xid, type, then column: old -> new for the columns it changed."})
    static final class History extends Base {
        @Option(names = "--table", required = true, paramLabel = "DB.TABLE", description = "the MySQL table")
        String table;

        @Option(names = "--key", required = true, paramLabel = "COL=VALUE", split = ",", description = "the row's key, col=value[,col=value]")
        List<String> key;

        @Option(names = "--since", paramLabel = "TIME", description = "the first moment to show (2026-12-03T10:15:30Z)")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "the last moment to show")
        String until;

        @Override
        public Integer call() {
            CommandLine cl = spec.commandLine();
            Map<String, String> k = new LinkedHashMap<>();
            for (String kv : key) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw ConfigFile.badValue(cl, "--key", kv, "--key takes col=value[,col=value]");
                }
                k.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            List<ChangeArchive.RowHistory> history = archive(cl).history(table(cl, "--table", table), k, time(cl, "--since", since),
                    time(cl, "--until", until));
            PrintWriter out = cl.getOut();
            out.println("time\tposition\txid\ttype\tchanges");
            for (ChangeArchive.RowHistory h : history) {
                StringBuilder sb = new StringBuilder();
                for (ChangeArchive.ColumnChange c : h.changes()) {
                    sb.append(sb.length() == 0 ? "" : "; ").append(c.column()).append(": ").append(c.before() == null ? "-" : c.before())
                            .append(" -> ").append(c.after() == null ? "-" : c.after());
                }
                out.printf(Locale.ROOT, "%s\t%s\t%s\t%s\t%s%n", h.event().time(), h.event().position() == null ? "-" : h.event().position(),
                        h.event().xid() == null ? "-" : h.event().xid(), h.event().type(), sb);
            }
            out.flush();
            if (history.isEmpty()) {
                cl.getErr().println("greenwell history: the archive holds no change of that row");
            }
            return 0;
        }
    }

    /** {@code greenwell as-of}: a table as it was at a point. */
    @Command(name = "as-of", mixinStandardHelpOptions = true,
            description = {"Creates a table holding exactly the rows a table held right after the last event at or before a point:"
                + " a copy of the table now with the archived changes after the point undone, in one transaction.",
                "Refuses when the archive does not hold every change after the point, or DDL or a bootstrap of the table lies after it."})
    static final class AsOfTable extends Base {
        @Option(names = "--table", required = true, paramLabel = "DB.TABLE", description = "the MySQL table")
        String table;

        @Option(names = "--at", required = true, paramLabel = "TIME|FILE:POSITION",
                description = "a time (2026-12-03T10:15:30Z, or 2026-12-03 10:15:30 in UTC) or a binlog position (mysql-bin.000042:1234)")
        String at;

        @Option(names = "--into", required = true, paramLabel = "SCHEMA.TABLE", description = "the table to create; it must not exist")
        String into;

        @Override
        public Integer call() {
            CommandLine cl = spec.commandLine();
            ArchivePoint point;
            try {
                point = ArchivePoint.parse(at);
            } catch (IllegalArgumentException e) {
                throw ConfigFile.badValue(cl, "--at", at, e.getMessage());
            }
            int dot = into.indexOf('.');
            if (dot <= 0 || dot == into.length() - 1) {
                throw ConfigFile.badValue(cl, "--into", into, "--into takes schema.table");
            }
            ChangeArchive.AsOfResult r = archive(cl).asOf(table(cl, "--table", table), point, into.substring(0, dot), into.substring(dot + 1));
            cl.getOut().printf(Locale.ROOT, "created %s: %d rows as of %s (%d archived changes undone)%n", r.table(), r.rows(), point,
                    r.eventsUndone());
            cl.getOut().flush();
            return 0;
        }
    }

    /** {@code greenwell flashback}: the MySQL statements that undo changes. */
    @Command(name = "flashback", mixinStandardHelpOptions = true,
            description = {"Prints the MySQL statements that undo the archived changes of a transaction (--xid) or a time range"
                + " (--since, --until), newest first, in one transaction. Run them on MySQL: the undo flows back through the pipeline.",
                "Updates are guarded by the values they changed: one that matches no row found the row changed since and left it alone."})
    static final class FlashbackSql extends Base {
        @Option(names = "--xid", paramLabel = "N", description = "the MySQL transaction id")
        BigInteger xid;

        @Option(names = "--since", paramLabel = "TIME", description = "the start of the range (inclusive)")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "the end of the range (inclusive)")
        String until;

        @Option(names = "--table", paramLabel = "DB.TABLE", description = "only this table; may be repeated")
        List<String> tables = new ArrayList<>();

        @Option(names = "--pipeline", paramLabel = "NAME", description = "only this pipeline's archive (default: every pipeline's)")
        String pipeline;

        @Override
        public Integer call() {
            CommandLine cl = spec.commandLine();
            if (xid == null && since == null && until == null) {
                throw new CommandLine.ParameterException(cl, "flashback needs --xid N, or --since and --until");
            }
            List<TableId> ids = new ArrayList<>();
            for (String t : tables) {
                ids.add(table(cl, "--table", t));
            }
            FlashbackScript script = archive(cl).flashback(new ChangeArchive.Selection(pipeline, xid, time(cl, "--since", since),
                    time(cl, "--until", until), ids));
            cl.getOut().print(script.sql());
            cl.getOut().flush();
            cl.getErr().printf(Locale.ROOT, "greenwell flashback: %d statements, %d of them guarded updates%n", script.statements(),
                    script.guarded());
            return 0;
        }
    }
}
